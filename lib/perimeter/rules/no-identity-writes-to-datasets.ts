import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag';
import { actionCovers, actionsOf, policyDocumentsOf, statementsOf, templateOf } from './policy';

/**
 * The construct ID of every site's datasets bucket (lib/constructs/storage.ts), which its logical ID
 * and cross-stack export names carry; test/stability.test.ts pins it.
 */
export const DATASETS_BUCKET_ID = 'DatasetsBucket';

/** S3 actions that change or remove objects. */
export const OBJECT_WRITE_ACTIONS = [
  's3:PutObject',
  's3:DeleteObject',
  's3:DeleteObjectVersion',
  's3:RestoreObject',
  's3:PutObjectAcl',
  's3:PutObjectTagging',
  's3:PutObjectRetention',
  's3:PutObjectLegalHold',
  's3:ReplicateObject',
  's3:ReplicateDelete',
] as const;

/**
 * No identity policy in the cluster's templates (node roles and every other role) grants a write or
 * delete on the datasets bucket: nodes read datasets; the ingestion principals named in the
 * configuration write them, with their own policies outside these templates.
 */
export function NoIdentityWritesToDatasets(node: CfnResource): NagRuleCompliance {
  if (!['AWS::IAM::Role', 'AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy'].includes(node.cfnResourceType)) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const { Type, Properties } = templateOf(node);
  const documents = policyDocumentsOf(Type, Properties).filter((d) => d.kind === 'identity');
  if (documents.length === 0) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const bad = documents.some((d) =>
    statementsOf(d.document).some(
      (s) =>
        s.Effect === 'Allow' &&
        (JSON.stringify(s.Resource ?? '').includes(DATASETS_BUCKET_ID) || JSON.stringify(s.Resource ?? '') === '"*"') &&
        actionsOf(s).some((a) => OBJECT_WRITE_ACTIONS.some((w) => actionCovers(a, w))),
    ),
  );
  return bad ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
}
