import { CfnResource, Stack } from 'aws-cdk-lib';
import { CfnSecurityGroupEgress } from 'aws-cdk-lib/aws-ec2';
import { NagRuleCompliance } from 'cdk-nag';
import { S3_PREFIX_LIST_PARAMETER } from '../../plan/deploy-parameters';
import { ipv4ToNumber } from '../../plan/ipv4';
import { templateOf } from './policy';

/** Resource metadata that records the configuration's `egress: nat` (lib/constructs/network.ts). */
export const PERIMETER_METADATA = 'rainier:perimeter';

/**
 * IPv4 ranges that are not on the internet: RFC 1918 and the shared address space RFC 6598, which a
 * VPC may use (https://docs.aws.amazon.com/vpc/latest/userguide/vpc-cidr-blocks.html).
 */
const PRIVATE_IPV4: readonly [number, number][] = [
  [ipv4ToNumber('10.0.0.0'), 8],
  [ipv4ToNumber('172.16.0.0'), 12],
  [ipv4ToNumber('192.168.0.0'), 16],
  [ipv4ToNumber('100.64.0.0'), 10],
];

/** CDK's placeholder egress rule of a group that allows no outbound traffic (ICMP type 252, code 86, to 255.255.255.255/32). */
const CDK_NO_TRAFFIC = '255.255.255.255/32';

/**
 * Whether a destination CIDR reaches beyond the private ranges: 0.0.0.0/0 and ::/0 in any spelling
 * (`10.0.0.0/0`, `::0/0`), `0.0.0.0/1`, or any public range, all paths out of the perimeter.
 */
export function reachesOutside(cidr: string | undefined, v6: boolean): boolean {
  if (cidr === undefined || typeof cidr !== 'string') {
    return false;
  }
  const [address, lengthText] = cidr.split('/');
  const length = Number(lengthText ?? (v6 ? 128 : 32));
  if (v6) {
    // Unique local addresses fc00::/7 (RFC 4193) are the only IPv6 range that is not on the internet.
    return !(/^f[cd][0-9a-f]{0,2}:/i.test(address) && length >= 7);
  }
  if (cidr === CDK_NO_TRAFFIC) {
    return false;
  }
  const start = ipv4ToNumber(address);
  return !PRIVATE_IPV4.some(([base, bits]) => length >= bits && Math.floor(start / 2 ** (32 - bits)) === Math.floor(base / 2 ** (32 - bits)));
}

/** Whether a standalone egress rule of the group's own stack names the group (CDK renders rules to other groups so). */
function hasStandaloneEgress(group: CfnResource): boolean {
  const stack = Stack.of(group);
  const id = stack.resolve(group.logicalId) as string;
  return stack.node
    .findAll()
    .some((c) => c instanceof CfnSecurityGroupEgress && JSON.stringify(stack.resolve(c.groupId)).includes(`"${id}"`));
}

interface EgressRule {
  CidrIp?: string;
  CidrIpv6?: string;
  DestinationPrefixListId?: unknown;
}

/**
 * No security group lets traffic out beyond the private ranges (0.0.0.0/0, ::/0 or any public
 * CIDR) or to a prefix list other than the S3 one the network stack takes as its
 * `S3PrefixListId` parameter, unless the site's configuration chose `egress: nat`, which the group
 * records in its metadata.
 */
export function NoOpenEgress(node: CfnResource): NagRuleCompliance {
  const type = node.cfnResourceType;
  if (type !== 'AWS::EC2::SecurityGroup' && type !== 'AWS::EC2::SecurityGroupEgress') {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const { Properties, Metadata } = templateOf(node);
  if (type === 'AWS::EC2::SecurityGroup' && Properties.SecurityGroupEgress === undefined && !hasStandaloneEgress(node)) {
    // A group created with no egress rule gets EC2's "allow all outbound" rules (IPv4 and IPv6):
    // "if you do not add egress rules, we add egress rules that allow all outbound IPv4 and IPv6
    // traffic" (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ec2-securitygroup.html).
    return Metadata?.[PERIMETER_METADATA]?.egress === 'nat' ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  }
  const rules: EgressRule[] = type === 'AWS::EC2::SecurityGroup' ? (Properties.SecurityGroupEgress ?? []) : [Properties];
  const s3PrefixList = JSON.stringify({ Ref: S3_PREFIX_LIST_PARAMETER });
  const open = rules.some(
    (r) =>
      reachesOutside(r.CidrIp, false) ||
      reachesOutside(r.CidrIpv6, true) ||
      (r.DestinationPrefixListId !== undefined && JSON.stringify(r.DestinationPrefixListId) !== s3PrefixList),
  );
  if (!open) {
    return NagRuleCompliance.COMPLIANT;
  }
  return Metadata?.[PERIMETER_METADATA]?.egress === 'nat' ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
}
