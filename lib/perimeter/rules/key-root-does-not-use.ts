import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag';
import { allowsAction, namesAccountRoot, namesEveryone, narrowedBy, statementsOf, templateOf } from './policy';

/** Actions that reveal a key's plaintext data: decrypt, and re-encrypt out of this key under one the caller owns. */
export const KEY_USE_ACTIONS = ['kms:Decrypt', 'kms:ReEncryptFrom'] as const;

/**
 * Condition keys that confine a statement for every principal (`"*"`) to named callers or to one AWS
 * service's use of the key. `kms:CallerAccount` / `aws:PrincipalAccount` alone do not: they leave
 * every principal of the account, as the root statement would.
 */
const NARROWS_EVERYONE = ['kms:viaservice', 'aws:principalarn', 'aws:principaltag/*', 'aws:userid', 'kms:granteeprincipal', 'aws:sourcearn'];

/**
 * No key policy lets the account root decrypt (`kms:*`, `kms:Decrypt`, `kms:ReEncryptFrom`, a
 * wildcard or a `NotAction` that covers them), nor every principal (`"*"`, `NotPrincipal`) unless
 * the statement names the callers or the service: the root may administer a key, never use it
 * (lib/constructs/key-policy.ts).
 */
export function KeyRootDoesNotUse(node: CfnResource): NagRuleCompliance {
  if (node.cfnResourceType !== 'AWS::KMS::Key') {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const { Properties } = templateOf(node);
  const bad = statementsOf(Properties.KeyPolicy).some(
    (s) =>
      KEY_USE_ACTIONS.some((a) => allowsAction(s, a)) &&
      (namesAccountRoot(s) || (namesEveryone(s) && !narrowedBy(s, NARROWS_EVERYONE))),
  );
  return bad ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
}
