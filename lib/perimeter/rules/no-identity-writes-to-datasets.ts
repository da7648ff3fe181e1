import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag';
import { IDENTITY_POLICY_TYPES, PolicyStatement, allowsAction, policyDocumentsOf, statementsOf, templateOf } from './policy';

/**
 * The construct ID of every site's datasets bucket (lib/constructs/storage.ts), which its logical ID
 * and cross-stack export names carry; test/stability.test.ts pins it.
 */
export const DATASETS_BUCKET_ID = 'DatasetsBucket';

/** S3 actions that change or remove objects, or the bucket settings that decide whether objects stay (lifecycle expiry, versioning, policy, retention bypass). */
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
  's3:PutObjectVersionAcl',
  's3:PutObjectVersionTagging',
  's3:DeleteObjectTagging',
  's3:DeleteObjectVersionTagging',
  's3:BypassGovernanceRetention',
  's3:PutLifecycleConfiguration',
  's3:PutBucketVersioning',
  's3:PutBucketPolicy',
  's3:DeleteBucketPolicy',
  's3:PutReplicationConfiguration',
  's3:DeleteBucket',
] as const;

/**
 * Whether a statement's resources can be the datasets bucket or its objects: it names the bucket, a
 * wildcard bucket (`*`, or an S3 ARN whose bucket name starts with a wildcard), or a `NotResource`
 * that does not name it.
 */
function reachesDatasets(s: PolicyStatement): boolean {
  if (s.NotResource !== undefined) {
    return !JSON.stringify(s.NotResource).includes(DATASETS_BUCKET_ID);
  }
  const resources = Array.isArray(s.Resource) ? s.Resource : [s.Resource];
  return resources.some((r) => {
    if (typeof r === 'string') {
      return r === '*' || /^arn:[^:]*:s3:::[*?]/.test(r) || r.includes(DATASETS_BUCKET_ID);
    }
    return JSON.stringify(r ?? '').includes(DATASETS_BUCKET_ID);
  });
}

/**
 * No identity policy in the cluster's templates (node roles and every other role) grants a write or
 * delete on the datasets bucket: nodes read datasets; the ingestion principals named in the
 * configuration write them, with their own policies outside these templates.
 */
export function NoIdentityWritesToDatasets(node: CfnResource): NagRuleCompliance {
  if (!IDENTITY_POLICY_TYPES.includes(node.cfnResourceType)) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const { Type, Properties } = templateOf(node);
  const documents = policyDocumentsOf(Type, Properties).filter((d) => d.kind === 'identity');
  if (documents.length === 0) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const bad = documents.some((d) =>
    statementsOf(d.document).some(
      (s) => reachesDatasets(s) && OBJECT_WRITE_ACTIONS.some((w) => allowsAction(s, w)),
    ),
  );
  return bad ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
}
