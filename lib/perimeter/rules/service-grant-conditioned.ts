import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag';
import { POLICY_TYPES, narrowedBy, policyDocumentsOf, servicePrincipalsOf, statementsOf, templateOf } from './policy';

/**
 * Condition keys that tie a service's request to this account's resources (IAM User Guide, "AWS
 * global condition context keys": aws:SourceArn, aws:SourceAccount, aws:SourceOrgID,
 * aws:SourceOrgPaths; KMS's kms:EncryptionContext:*, kms:ViaService, kms:CallerAccount). A condition
 * on anything else (aws:SecureTransport, a `StringLike "*"`, an `...IfExists`) does not.
 */
export const SOURCE_CONDITION_KEYS = ['aws:sourcearn', 'aws:sourceaccount', 'aws:sourceorgid', 'aws:sourceorgpaths', 'kms:encryptioncontext:*', 'kms:viaservice', 'kms:calleraccount'];

/**
 * Every Allow to an AWS service principal (key, topic, bucket and endpoint policies, role trust
 * policies, Lambda permissions) carries a condition that ties it to this account's resources
 * (aws:SourceAccount / aws:SourceArn, or an equivalent such as kms:EncryptionContext): without one,
 * the service could be made to act for another account (IAM User Guide, "The confused deputy
 * problem", https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html).
 */
export function ServiceGrantConditioned(node: CfnResource): NagRuleCompliance {
  if (node.cfnResourceType !== 'AWS::Lambda::Permission' && !POLICY_TYPES.has(node.cfnResourceType)) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const { Type, Properties } = templateOf(node);
  if (Type === 'AWS::Lambda::Permission') {
    const service = typeof Properties.Principal === 'string' && Properties.Principal.endsWith('.amazonaws.com');
    return !service || Properties.SourceArn !== undefined || Properties.SourceAccount !== undefined ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  }
  const documents = policyDocumentsOf(Type, Properties).filter((d) => d.kind !== 'identity');
  if (documents.length === 0) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const bad = documents.some((d) =>
    statementsOf(d.document).some((s) => s.Effect === 'Allow' && servicePrincipalsOf(s).length > 0 && !narrowedBy(s, SOURCE_CONDITION_KEYS)),
  );
  return bad ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
}
