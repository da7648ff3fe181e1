import { Duration, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { retainedKey } from '../constructs/key-policy';
import { acknowledge, controlTowerRule } from '../constructs/nag';
import { SitePlan } from '../plan/types';

export interface CheckpointReplicaStackProps extends StackProps {
  readonly site: SitePlan;
}

/**
 * The replica of a site's checkpoints bucket in another Region (`storage.checkpointReplicaRegion`):
 * its own bucket, key and access-log bucket, all retained, written only by the site's replication
 * role (lib/constructs/storage.ts). Deployed before the site's storage stack, whose replication rule
 * names this bucket and key.
 */
export class CheckpointReplicaStack extends Stack {
  public readonly bucket: s3.Bucket;
  public readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: CheckpointReplicaStackProps) {
    super(scope, id, props);
    // Server access logs under a bucket policy (not the log-delivery ACL), as in the storage stack.
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);
    const replica = props.site.perimeter.checkpointReplica;
    if (replica === undefined) {
      throw new Error(`site ${props.site.name} has no checkpoint replica in its plan`);
    }
    const perimeter = props.site.perimeter;
    this.key = retainedKey(this, 'ReplicaKey', `Encrypts the ${props.site.name} checkpoints replica`, perimeter);
    // S3 replication encrypts replicas with this key as the replication role, through S3 in this Region.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'ReplicationRoleThroughS3',
        principals: [new iam.AnyPrincipal()],
        actions: ['kms:Encrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        conditions: {
          StringEquals: {
            'kms:CallerAccount': this.account,
            'kms:ViaService': `s3.${this.region}.amazonaws.com`,
            [`aws:PrincipalTag/${replica.roleTag.key}`]: replica.roleTag.value,
          },
        },
      }),
    );
    new kms.Alias(this, 'ReplicaKeyAlias', { aliasName: replica.keyAlias, targetKey: this.key });

    const logs = new s3.Bucket(this, 'AccessLogsBucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      versioned: true,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ id: 'AbortIncompleteUploads', abortIncompleteMultipartUploadAfter: Duration.days(7) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const notLoggingItself = 'This bucket is the server access log target of the checkpoints replica; logging it to itself would loop and logging it elsewhere only moves the finding.';
    acknowledge(logs, 'AwsSolutions-S1', notLoggingItself);
    acknowledge(logs, controlTowerRule('s3_bucket_logging_enabled_check'), notLoggingItself);
    const sseS3 = 'S3 server access logging delivers only to target buckets with SSE-S3 default encryption, not SSE-KMS (https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html).';
    acknowledge(logs, 'NIST.800.53.R5-S3DefaultEncryptionKMS', sseS3);
    acknowledge(logs, controlTowerRule('s3_bucket_default_encryption_kms_check'), sseS3);
    acknowledge(logs, 'NIST.800.53.R5-S3BucketReplicationEnabled', 'Access logs of the checkpoints replica, which is itself the second-Region copy; the logs are versioned and retained.');
    acknowledge(logs, controlTowerRule('s3_event_notifications_enabled_check'), 'Only the S3 logging service writes here and nothing reacts to individual log objects; per-object notifications would have no consumer.');
    acknowledge(logs, controlTowerRule('s3_bucket_object_lock_enabled_check'), 'Object Lock cannot be turned off once enabled and would bind operational logs to a WORM period; versioning and RETAIN keep them recoverable.');

    // A fixed name: the source stack, in another Region, names it in its replication rule.
    this.bucket = new s3.Bucket(this, 'ReplicaBucket', {
      bucketName: `${replica.bucketNamePrefix}${this.account}`,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.key,
      bucketKeyEnabled: true,
      versioned: true,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: logs,
      serverAccessLogsPrefix: 'checkpoints-replica/',
      lifecycleRules: [
        { id: 'ExpireOldCheckpointVersions', noncurrentVersionExpiration: Duration.days(props.site.storage.checkpointNoncurrentVersionExpiryDays) },
        { id: 'AbortIncompleteUploads', abortIncompleteMultipartUploadAfter: Duration.days(7) },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Only the replication role (by its tag) and the data administrators touch the replica's objects.
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyDataAccessExceptReplicationAndAdministrators',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:GetObject*', 's3:PutObject*', 's3:DeleteObject*', 's3:Replicate*'],
        resources: [this.bucket.arnForObjects('*')],
        conditions: {
          StringNotEqualsIfExists: { [`aws:PrincipalTag/${replica.roleTag.key}`]: replica.roleTag.value },
          ...(perimeter.dataAdministrators.length > 0 ? { ArnNotLike: { 'aws:PrincipalArn': [...perimeter.dataAdministrators] } } : {}),
        },
      }),
    );
    acknowledge(this.bucket, 'NIST.800.53.R5-S3BucketReplicationEnabled', 'This bucket is the cross-Region replica of the site\'s checkpoints bucket; replicating the replica would add a third copy.');
    acknowledge(
      this.bucket,
      controlTowerRule('s3_bucket_object_lock_enabled_check'),
      'The replica expires superseded checkpoint versions like its source (ExpireOldCheckpointVersions); Object Lock retention would forbid that and cannot be undone once enabled. Versioning and RETAIN keep deletions recoverable.',
    );
    acknowledge(
      this.bucket,
      controlTowerRule('s3_event_notifications_enabled_check'),
      'Only S3 replication writes here and nothing consumes per-object events of the replica; it is read only to restore checkpoints.',
    );
  }
}
