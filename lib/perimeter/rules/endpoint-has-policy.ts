import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag';
import { statementsOf, templateOf } from './policy';

/**
 * Every VPC endpoint has a policy, and every Allow in it carries a condition (this account's
 * principals, at least). Without a policy an endpoint allows any principal on any resource of the
 * service, in any account: a path out of the perimeter.
 */
export function EndpointHasPolicy(node: CfnResource): NagRuleCompliance {
  if (node.cfnResourceType !== 'AWS::EC2::VPCEndpoint') {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const { Properties } = templateOf(node);
  const statements = statementsOf(Properties.PolicyDocument);
  if (statements.length === 0) {
    return NagRuleCompliance.NON_COMPLIANT;
  }
  const open = statements.some((s) => s.Effect === 'Allow' && (s.Condition === undefined || Object.keys(s.Condition).length === 0));
  return open ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
}
