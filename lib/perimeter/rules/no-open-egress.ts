import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag';
import { templateOf } from './policy';

/** Resource metadata that records the configuration's `egress: nat` (lib/constructs/network.ts). */
export const PERIMETER_METADATA = 'rainier:perimeter';

const ANYWHERE = ['0.0.0.0/0', '::/0'];

/**
 * No security group lets traffic out to any address (0.0.0.0/0 or ::/0), unless the site's
 * configuration chose `egress: nat`, which the group records in its metadata.
 */
export function NoOpenEgress(node: CfnResource): NagRuleCompliance {
  const type = node.cfnResourceType;
  if (type !== 'AWS::EC2::SecurityGroup' && type !== 'AWS::EC2::SecurityGroupEgress') {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const { Properties, Metadata } = templateOf(node);
  const rules: { CidrIp?: string; CidrIpv6?: string }[] = type === 'AWS::EC2::SecurityGroup' ? (Properties.SecurityGroupEgress ?? []) : [Properties];
  const open = rules.some((r) => ANYWHERE.includes(r.CidrIp ?? '') || ANYWHERE.includes(r.CidrIpv6 ?? ''));
  if (!open) {
    return NagRuleCompliance.COMPLIANT;
  }
  return Metadata?.[PERIMETER_METADATA]?.egress === 'nat' ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
}
