import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag';
import { actionCovers, actionsOf, namesAccountRoot, statementsOf, templateOf } from './policy';

/**
 * No key policy gives the account root `kms:*` or `kms:Decrypt` (or a wildcard that covers it):
 * the root may administer a key, never use it (lib/constructs/key-policy.ts).
 */
export function KeyRootDoesNotUse(node: CfnResource): NagRuleCompliance {
  if (node.cfnResourceType !== 'AWS::KMS::Key') {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const { Properties } = templateOf(node);
  const bad = statementsOf(Properties.KeyPolicy).some(
    (s) => s.Effect === 'Allow' && namesAccountRoot(s) && actionsOf(s).some((a) => actionCovers(a, 'kms:Decrypt') || a === 'kms:*' || a === '*'),
  );
  return bad ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
}
