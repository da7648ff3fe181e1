import { ArnFormat, DefaultStackSynthesizer, Duration, Fn, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as fsx from 'aws-cdk-lib/aws-fsx';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { CheckpointReplicaPlan, SitePerimeterPlan } from '../plan/perimeter';
import { DataRepositoryPlan, StoragePlan } from '../plan/storage';
import { BootstrapSection, NodeStorageAccess } from './contracts';
import { NO_KEY_ADMINISTRATION, retainedKey } from './key-policy';
import { acknowledge, controlTowerRule } from './nag';
import { flattenCfnReference } from './node-role';
import { NetworkAccess } from './network';

/** Lustre LNET ports (FSx "File system access control with Amazon VPC",
 * https://docs.aws.amazon.com/fsx/latest/LustreGuide/limit-access-security-groups.html). */
export const LUSTRE_PORTS: readonly ec2.Port[] = [ec2.Port.tcp(988), ec2.Port.tcpRange(1018, 1023)];

const WEEKDAYS: Readonly<Record<string, fsx.Weekday>> = {
  '1': fsx.Weekday.MONDAY,
  '2': fsx.Weekday.TUESDAY,
  '3': fsx.Weekday.WEDNESDAY,
  '4': fsx.Weekday.THURSDAY,
  '5': fsx.Weekday.FRIDAY,
  '6': fsx.Weekday.SATURDAY,
  '7': fsx.Weekday.SUNDAY,
};

export interface SiteStorageProps {
  readonly plan: StoragePlan;
  readonly network: NetworkAccess;
  /** Days to keep the file system's log group. */
  readonly logRetentionDays: logs.RetentionDays;
  /** Suffix of the FSx log group name, which FSx requires to start with `/aws/fsx/`. */
  readonly logGroupSuffix: string;
  /** Who may use the buckets from outside the VPC and who writes datasets. @default nobody */
  readonly perimeter?: SitePerimeterPlan;
}

/**
 * The S3 actions that read or change data. The buckets' VPC-only rule covers these and not bucket
 * configuration, so CloudFormation (which calls PutBucketPolicy, PutBucketVersioning, ...) is never
 * locked out of the buckets it manages.
 */
export const BUCKET_DATA_ACTIONS = [
  's3:GetObject*',
  's3:PutObject*',
  's3:DeleteObject*',
  's3:ListBucket*',
  's3:ListMultipartUploadParts',
  's3:AbortMultipartUpload',
  's3:RestoreObject',
] as const;
/** Object writes the datasets bucket allows only to the ingestion principals. */
export const DATASET_WRITE_ACTIONS = ['s3:PutObject*', 's3:DeleteObject*', 's3:RestoreObject'] as const;

/**
 * A site's stateful storage: the FSx for Lustre file system, the datasets and checkpoints buckets
 * linked to it, their access-log bucket and customer keys. Everything here is RETAIN; construct IDs
 * are literal so logical IDs never change when the cluster is resized.
 */
export class SiteStorage extends Construct {
  public readonly fileSystem: fsx.LustreFileSystem;
  public readonly fileSystemSecurityGroup: ec2.SecurityGroup;
  public readonly fileSystemKey: kms.Key;
  public readonly dataKey: kms.Key;
  public readonly datasetsBucket: s3.Bucket;
  public readonly checkpointsBucket: s3.Bucket;
  public readonly accessLogsBucket: s3.Bucket;
  public readonly logGroup: logs.LogGroup;
  /** What nodes of the site need to use this storage. */
  public readonly nodeAccess: NodeStorageAccess;

  constructor(scope: Construct, id: string, props: SiteStorageProps) {
    super(scope, id);
    const { plan, network } = props;
    const stack = Stack.of(this);

    const administration = props.perimeter ?? NO_KEY_ADMINISTRATION;
    this.fileSystemKey = retainedKey(this, 'FileSystemKey', 'Encrypts the site FSx for Lustre file system and its backups', administration);
    this.dataKey = retainedKey(this, 'DataKey', 'Encrypts the site datasets and checkpoints buckets', administration);
    // Principals of this account may use the file-system key through FSx only (AWS's "through the
    // service" key-policy pattern, kms:ViaService: AWS KMS Developer Guide, "kms:ViaService",
    // https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service):
    // CloudFormation creates the file system, and FSx creates its grants, with the deployer's role.
    this.fileSystemKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'ThisAccountThroughFSxOnly',
        principals: [new iam.AnyPrincipal()],
        actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:CreateGrant', 'kms:DescribeKey'],
        resources: ['*'],
        conditions: { StringEquals: { 'kms:CallerAccount': stack.account, 'kms:ViaService': `fsx.${stack.region}.amazonaws.com` } },
      }),
    );
    // The data key's users, through S3 only: the site's node roles (by their data-access tag; their
    // IAM policies say which objects, lib/constructs/node-role.ts), the ingestion principals and the
    // data administrators. No one else decrypts datasets or checkpoints; FSx has its own statement below.
    const dataKeyThroughS3 = { 'kms:CallerAccount': stack.account, 'kms:ViaService': `s3.${stack.region}.amazonaws.com` };
    if (props.perimeter !== undefined) {
      this.dataKey.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'NodeRolesThroughS3',
          principals: [new iam.AnyPrincipal()],
          actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
          resources: ['*'],
          conditions: { StringEquals: { ...dataKeyThroughS3, [`aws:PrincipalTag/${props.perimeter.dataAccessTag.key}`]: props.perimeter.dataAccessTag.value } },
        }),
      );
      const people = [...props.perimeter.datasetIngestion, ...props.perimeter.dataAdministrators];
      if (people.length > 0) {
        this.dataKey.addToResourcePolicy(
          new iam.PolicyStatement({
            sid: 'IngestionAndDataAdministratorsThroughS3',
            principals: [new iam.AnyPrincipal()],
            actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
            resources: ['*'],
            conditions: { StringEquals: dataKeyThroughS3, ArnLike: { 'aws:PrincipalArn': [...new Set(people)] } },
          }),
        );
      }
    }

    // Interrupted multipart uploads (a checkpoint write cut short by a failed job, a dataset upload
    // that died) leave invisible parts that are billed until aborted.
    const abortIncompleteUploads: s3.LifecycleRule = { id: 'AbortIncompleteUploads', abortIncompleteMultipartUploadAfter: Duration.days(7) };

    // Server access logs: a log-delivery target cannot use SSE-KMS, so this one bucket uses SSE-S3.
    this.accessLogsBucket = new s3.Bucket(this, 'AccessLogsBucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      versioned: true,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [abortIncompleteUploads],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const notLoggingItself =
      'This bucket is the server access log target of the datasets and checkpoints buckets; logging it to itself would loop and logging it elsewhere only moves the finding.';
    acknowledge(this.accessLogsBucket, 'AwsSolutions-S1', notLoggingItself);
    acknowledge(this.accessLogsBucket, controlTowerRule('s3_bucket_logging_enabled_check'), notLoggingItself);
    const logTargetsUseSseS3 =
      'S3 server access logging delivers only to target buckets with SSE-S3 (AES256) default encryption, not SSE-KMS (https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html), so this one bucket uses SSE-S3.';
    acknowledge(this.accessLogsBucket, 'NIST.800.53.R5-S3DefaultEncryptionKMS', logTargetsUseSseS3);
    acknowledge(this.accessLogsBucket, controlTowerRule('s3_bucket_default_encryption_kms_check'), logTargetsUseSseS3);
    acknowledge(
      this.accessLogsBucket,
      'NIST.800.53.R5-S3BucketReplicationEnabled',
      'Access logs of this site\'s buckets only; it is versioned and retained on stack deletion. It is not replicated, even when storage.checkpointReplicaRegion replicates the checkpoints: a replica of operational logs would need its own bucket, key and role in a second Region.',
    );
    acknowledge(
      this.accessLogsBucket,
      controlTowerRule('s3_event_notifications_enabled_check'),
      'Only the S3 logging service writes here and nothing reacts to individual log objects; access is audited through CloudTrail, so per-object event notifications would have no consumer.',
    );
    acknowledge(
      this.accessLogsBucket,
      controlTowerRule('s3_bucket_object_lock_enabled_check'),
      'Object Lock cannot be turned off once enabled and would bind the operator to a WORM retention period for operational logs; versioning and RETAIN already keep deleted or overwritten log objects recoverable.',
    );

    const dataBucket = (bucketId: string, prefix: string, lifecycleRules?: s3.LifecycleRule[]) =>
      new s3.Bucket(this, bucketId, {
        encryption: s3.BucketEncryption.KMS,
        encryptionKey: this.dataKey,
        bucketKeyEnabled: true,
        versioned: true,
        enforceSSL: true,
        blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
        objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        serverAccessLogsBucket: this.accessLogsBucket,
        serverAccessLogsPrefix: prefix,
        lifecycleRules,
        removalPolicy: RemovalPolicy.RETAIN,
      });
    this.datasetsBucket = dataBucket('DatasetsBucket', 'datasets/', [abortIncompleteUploads]);
    this.checkpointsBucket = dataBucket('CheckpointsBucket', 'checkpoints/', [
      { id: 'ExpireOldCheckpointVersions', noncurrentVersionExpiration: Duration.days(plan.checkpointNoncurrentVersionExpiryDays) },
      abortIncompleteUploads,
    ]);
    const dataBucketReasons: ReadonlyArray<[s3.Bucket, string, string]> = [
      [
        this.datasetsBucket,
        'Datasets are staged copies of corpora whose source of record lives outside this cluster; the bucket is versioned and retained on stack deletion. Replicating petabytes of training data to a second Region doubles storage for data that can be restaged.',
        'Datasets are replaced when a corpus is re-staged; WORM retention would keep every superseded copy for the lock period and cannot be undone once enabled. Versioning and RETAIN already make deletions recoverable.',
      ],
      [
        this.checkpointsBucket,
        'Checkpoints are rewritten every few minutes to hours of training and expire as noncurrent versions (ExpireOldCheckpointVersions); a cross-Region replica would double the write volume of multi-terabyte checkpoints for data that is superseded within hours.',
        'Checkpoints are pruned by design (ExpireOldCheckpointVersions); Object Lock retention would forbid that expiry and cannot be undone once enabled. Versioning and RETAIN already make accidental deletions recoverable.',
      ],
    ];
    const replica = props.perimeter?.checkpointReplica;
    for (const [bucket, noReplica, noObjectLock] of dataBucketReasons) {
      if (!(bucket === this.checkpointsBucket && replica !== undefined)) {
        acknowledge(bucket, 'NIST.800.53.R5-S3BucketReplicationEnabled', noReplica);
      }
      acknowledge(bucket, controlTowerRule('s3_bucket_object_lock_enabled_check'), noObjectLock);
      acknowledge(
        bucket,
        controlTowerRule('s3_event_notifications_enabled_check'),
        'The one consumer of this bucket\'s object events is the file system, through its data repository association\'s automatic import (NEW, CHANGED, DELETED), which FSx runs itself; no other consumer exists, so EventBridge or SNS notifications would emit events no one reads.',
      );
    }

    // The data perimeter on the buckets (docs/security.md). Data actions are denied unless the request
    // comes from the site VPC (through its S3 gateway endpoint, aws:SourceVpc) or from a named
    // exception: FSx's S3 service-linked role, with which the file system's data repository
    // associations import and export from the FSx service, not through the VPC (FSx for Lustre
    // guide, "Using service-linked roles for Amazon FSx",
    // https://docs.aws.amazon.com/fsx/latest/LustreGuide/using-service-linked-roles.html; the role's
    // path and name, AWSServiceRoleForFSxS3Access_<fs-id>, are those FSx's managed policy
    // FSxDeleteServiceLinkedRoleAccess names), and the configured data administrators. Pattern from
    // "Building a data perimeter on AWS", network perimeter on resources.
    const perimeter = props.perimeter;
    const fsxS3Role = `arn:${stack.partition}:iam::${stack.account}:role/aws-service-role/s3.data-source.lustre.fsx.amazonaws.com/AWSServiceRoleForFSxS3Access_*`;
    const notThroughVpc = (bucket: s3.Bucket, exempt: readonly string[]) =>
      new iam.PolicyStatement({
        sid: 'DenyDataAccessOutsideTheSiteVpc',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: [...BUCKET_DATA_ACTIONS],
        resources: [bucket.bucketArn, bucket.arnForObjects('*')],
        conditions: {
          StringNotEqualsIfExists: { 'aws:SourceVpc': network.vpc.vpcId },
          ArnNotLike: { 'aws:PrincipalArn': [fsxS3Role, ...exempt] },
        },
      });
    const replicationRole = replica === undefined ? undefined : this.replicateCheckpoints(replica);
    // The deploying role (CDK's CloudFormation execution role) is exempt too: FSx supports forward
    // access sessions (FSx for Lustre guide, "How Amazon FSx for Lustre works with IAM",
    // https://docs.aws.amazon.com/fsx/latest/LustreGuide/security_iam_service-with-iam.html), so creating
    // an association may reach S3 as the deploying role from the FSx service, outside the VPC. That
    // role can rewrite this bucket policy anyway, so the exemption grants it nothing new.
    const synthesizer = stack.synthesizer;
    const deployRole = synthesizer instanceof DefaultStackSynthesizer ? [Fn.sub(synthesizer.cloudFormationExecutionRoleArn)] : [];
    const admins = [...(perimeter?.dataAdministrators ?? []), ...deployRole];
    const ingestion = perimeter?.datasetIngestion ?? [];
    this.datasetsBucket.addToResourcePolicy(notThroughVpc(this.datasetsBucket, [...admins, ...ingestion]));
    this.checkpointsBucket.addToResourcePolicy(notThroughVpc(this.checkpointsBucket, [...admins, ...(replicationRole === undefined ? [] : [replicationRole.roleArn])]));
    // Datasets are read-only for everyone but the ingestion principals (none by default).
    this.datasetsBucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyDatasetWritesExceptIngestion',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: [...DATASET_WRITE_ACTIONS],
        resources: [this.datasetsBucket.arnForObjects('*')],
        conditions: ingestion.length > 0 ? { ArnNotLike: { 'aws:PrincipalArn': [...ingestion] } } : undefined,
      }),
    );

    // FSx reads and writes the linked buckets through its S3 service-linked role, which must be allowed
    // to use the bucket key. This is the "all FSx file systems in your account" statement of FSx
    // "Working with server-side encrypted Amazon S3 buckets"
    // (https://docs.aws.amazon.com/fsx/latest/LustreGuide/s3-server-side-encryption-support.html);
    // the per-file-system variant names a role that exists only after the file system is linked.
    // The documented statement also pins `kms:EncryptionContext:aws:s3:arn` to the bucket; naming
    // the buckets here would make key -> bucket -> key a dependency cycle, and this key encrypts only
    // these two buckets, so the context is left at any bucket: the caller is still only FSx's S3
    // role ("*:FSx"), in this account, through S3 in this Region.
    this.dataKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowFSxS3AccessThroughS3',
        principals: [new iam.AnyPrincipal()],
        actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
        resources: ['*'],
        conditions: {
          StringEquals: { 'kms:CallerAccount': stack.account, 'kms:ViaService': `s3.${stack.region}.amazonaws.com` },
          StringLike: {
            'aws:userid': '*:FSx',
          },
        },
      }),
    );

    // Lustre TCP between the file servers and the nodes (the cluster security group), in both
    // directions, and between the file servers themselves: FSx requires the file system's group to
    // allow 988 and 1018-1023 from itself and from the clients' groups, and the clients' groups to
    // allow the same from and to the file system's group (limit-access-security-groups.html above).
    // With EFA, all traffic to and from itself and the clients' group (REFERENCE §6; FSX-FAIL).
    this.fileSystemSecurityGroup = new ec2.SecurityGroup(this, 'FileSystemSecurityGroup', {
      vpc: network.vpc,
      description: plan.efaEnabled
        ? 'FSx for Lustre (EFA): all traffic with itself and the cluster nodes'
        : 'FSx for Lustre: TCP 988 and 1018-1023 with itself and the cluster nodes',
      allowAllOutbound: false,
    });
    const nodes = network.clusterSecurityGroup;
    const rules = LUSTRE_PORTS.map((port) => ({ port, what: `Lustre ${port}` }));
    if (plan.efaEnabled) {
      rules.push({ port: ec2.Port.allTraffic(), what: 'EFA' });
    }
    for (const { port, what } of rules) {
      this.fileSystemSecurityGroup.connections.allowInternally(port, `${what} between file servers`);
      // Each adds the rule on the file system group and its mirror on the cluster group; CDK puts the
      // mirror in this stack (the peer's), so the network stack is not edited.
      this.fileSystemSecurityGroup.connections.allowFrom(nodes, port, `${what} from cluster nodes`);
      this.fileSystemSecurityGroup.connections.allowTo(nodes, port, `${what} to cluster nodes`);
    }
    // With EFA: the all-traffic rules between the file servers and with the cluster nodes.
    for (const child of this.fileSystemSecurityGroup.node.children) {
      if (child instanceof ec2.CfnSecurityGroupIngress && child.ipProtocol === '-1') {
        acknowledge(
          child,
          'NIST.800.53.R5-EC2RestrictedCommonPorts',
          'All traffic is allowed only between the file system\'s security group and itself or the cluster nodes\' group, never from an address range: an EFA-enabled FSx for Lustre file system requires exactly these rules (https://docs.aws.amazon.com/fsx/latest/LustreGuide/limit-access-security-groups.html).',
        );
      }
    }

    this.logGroup = new logs.LogGroup(this, 'FileSystemLogs', {
      // FSx accepts only log groups whose name begins with /aws/fsx (CFN LustreLogCreateConfiguration.Destination).
      logGroupName: `/aws/fsx/${props.logGroupSuffix}`,
      encryptionKey: network.logsKey,
      retention: props.logRetentionDays,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(
      this.logGroup,
      controlTowerRule('cloudwatch_log_group_encrypted_check'),
      'False positive: the group is encrypted with the site\'s customer logs key, but that key lives in the network stack, so KmsKeyId is an Fn::ImportValue of its ARN, which the rule does not recognise (it accepts only a literal ARN or a Ref/GetAtt in the same template). test/compliance.test.ts checks every log group has a KmsKeyId.',
    );

    const [day, hour, minute] = plan.weeklyMaintenanceStartTime.split(':');
    const subnet = network.vpc.selectSubnets(network.storageSubnets).subnets[0];
    this.fileSystem = new fsx.LustreFileSystem(this, 'FileSystem', {
      vpc: network.vpc,
      vpcSubnet: subnet,
      securityGroup: this.fileSystemSecurityGroup,
      storageCapacityGiB: plan.capacityGiB,
      kmsKey: this.fileSystemKey,
      fileSystemTypeVersion: fsx.FileSystemTypeVersion.V_2_15,
      storageType: fsx.StorageType.SSD,
      removalPolicy: RemovalPolicy.RETAIN,
      lustreConfiguration: {
        deploymentType: fsx.LustreDeploymentType.PERSISTENT_2,
        perUnitStorageThroughput: plan.throughputMBpsPerTiB,
        dataCompressionType: fsx.LustreDataCompressionType.LZ4,
        automaticBackupRetention: Duration.days(plan.automaticBackupRetentionDays),
        weeklyMaintenanceStartTime: new fsx.LustreMaintenanceTime({ day: WEEKDAYS[day], hour: Number(hour), minute: Number(minute) }),
      },
    });
    // The L2 always adds a self rule for TCP 988-1023; FSx needs only 988 and 1018-1023 (added above).
    this.fileSystemSecurityGroup.node.tryRemoveChild(`from ${this.fileSystemSecurityGroup.uniqueId}:${ec2.Port.tcpRange(988, 1023)}`);

    // The L2 has no EfaEnabled, MetadataConfiguration or LogConfiguration (REFERENCE §6, "CDK L2"),
    // so they are set on the CfnFileSystem with property overrides.
    const cfn = this.fileSystem.node.defaultChild as fsx.CfnFileSystem;
    cfn.addPropertyOverride('LustreConfiguration.EfaEnabled', plan.efaEnabled);
    cfn.addPropertyOverride(
      'LustreConfiguration.MetadataConfiguration',
      plan.metadata.mode === 'AUTOMATIC' ? { Mode: 'AUTOMATIC' } : { Mode: 'USER_PROVISIONED', Iops: plan.metadata.iops },
    );
    cfn.addPropertyOverride('LustreConfiguration.LogConfiguration', {
      Level: plan.logLevel,
      // The log group ARN without the trailing ':*' that its Arn attribute carries.
      Destination: stack.formatArn({
        service: 'logs',
        resource: 'log-group',
        resourceName: this.logGroup.logGroupName,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      }),
    });
    cfn.node.addDependency(this.logGroup);

    const buckets: Readonly<Record<DataRepositoryPlan['bucket'], s3.Bucket>> = { datasets: this.datasetsBucket, checkpoints: this.checkpointsBucket };
    for (const repository of plan.dataRepositories) {
      const dra = new fsx.CfnDataRepositoryAssociation(this, repository.id, {
        fileSystemId: this.fileSystem.fileSystemId,
        fileSystemPath: repository.fileSystemPath,
        dataRepositoryPath: `s3://${buckets[repository.bucket].bucketName}/`,
        batchImportMetaDataOnCreate: true,
        s3: {
          autoImportPolicy: { events: [...repository.importEvents] },
          autoExportPolicy: repository.exportEvents.length > 0 ? { events: [...repository.exportEvents] } : undefined,
        },
      });
      // The key policy must allow FSx before the association first reads the bucket.
      dra.node.addDependency(this.dataKey);
    }

    this.nodeAccess = {
      datasets: this.datasetsBucket,
      checkpoints: this.checkpointsBucket,
      keys: [this.dataKey],
      lustre: {
        fileSystemId: this.fileSystem.fileSystemId,
        dnsName: this.fileSystem.dnsName,
        mountName: this.fileSystem.mountName,
        mountPoint: plan.mountPoint,
        efaEnabled: plan.efaEnabled,
      },
      // The nodes reach the file system through the cluster security group (rules above).
      clientSecurityGroup: undefined,
      bootstrap: [lustreMountSection(this.fileSystem.dnsName, this.fileSystem.mountName, plan.mountPoint, plan.efaEnabled)],
    };
  }

  /**
   * Replicates the checkpoints bucket to the replica Region (lib/stacks/checkpoint-replica-stack.ts)
   * with a role of its own: S3 reads new object versions as that role and writes them, encrypted
   * with the replica's key, to the replica bucket. Deletions are not replicated (delete markers stay
   * here), so a mistaken delete never reaches the replica. Requirements: both buckets versioned,
   * SSE-KMS objects opted in, the role allowed to decrypt here and encrypt there (S3 User Guide,
   * "Replicating encrypted objects", https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-config-for-kms-objects.html).
   */
  private replicateCheckpoints(replica: CheckpointReplicaPlan): iam.Role {
    const stack = Stack.of(this);
    const role = new iam.Role(this, 'CheckpointReplicationRole', {
      description: `Replicates the checkpoints bucket to ${replica.region}`,
      // S3 assumes it only for this account's buckets. aws:SourceArn would name the bucket, whose
      // replication configuration names this role: a cycle, so the account condition alone.
      assumedBy: new iam.ServicePrincipal('s3.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': stack.account } } }),
    });
    Tags.of(role).add(replica.roleTag.key, replica.roleTag.value);
    const destination = `arn:${stack.partition}:s3:::${replica.bucketNamePrefix}${stack.account}`;
    const policy = new iam.ManagedPolicy(this, 'CheckpointReplication', {
      roles: [role],
      statements: [
        new iam.PolicyStatement({ actions: ['s3:GetReplicationConfiguration', 's3:ListBucket'], resources: [this.checkpointsBucket.bucketArn] }),
        new iam.PolicyStatement({
          actions: ['s3:GetObjectVersionForReplication', 's3:GetObjectVersionAcl', 's3:GetObjectVersionTagging'],
          resources: [this.checkpointsBucket.arnForObjects('*')],
        }),
        new iam.PolicyStatement({ actions: ['s3:ReplicateObject', 's3:ReplicateTags'], resources: [`${destination}/*`] }),
      ],
    });
    policy.node.addValidation({
      validate: () => {
        for (const arn of [this.checkpointsBucket.arnForObjects('*'), `${destination}/*`]) {
          acknowledge(
            policy,
            `AwsSolutions-IAM5[Resource::${flattenCfnReference(stack.resolve(arn))}]`,
            'S3 replication reads every object version of the checkpoints bucket and writes it to the replica bucket, so the grant covers each bucket\'s objects ("/*") with the replication actions only.',
          );
        }
        return [];
      },
    });
    // The data key no longer trusts IAM policies: the role is named in it, through S3 only.
    this.dataKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CheckpointReplicationThroughS3',
        principals: [new iam.ArnPrincipal(role.roleArn)],
        actions: ['kms:Decrypt'],
        resources: ['*'],
        conditions: { StringEquals: { 'kms:ViaService': `s3.${stack.region}.amazonaws.com` } },
      }),
    );
    // The L2 bucket's replicationRules need the destination as an IBucket of this app; the replica
    // lives in another Region's stack, so the rule is written on the L1.
    const cfnBucket = this.checkpointsBucket.node.defaultChild as s3.CfnBucket;
    cfnBucket.replicationConfiguration = {
      role: role.roleArn,
      rules: [
        {
          id: 'CheckpointsToReplicaRegion',
          status: 'Enabled',
          priority: 1,
          filter: { prefix: '' },
          deleteMarkerReplication: { status: 'Disabled' },
          sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: 'Enabled' } },
          destination: {
            bucket: destination,
            encryptionConfiguration: { replicaKmsKeyId: `arn:${stack.partition}:kms:${replica.region}:${stack.account}:${replica.keyAlias}` },
          },
        },
      ],
    };
    return role;
  }
}

export const LUSTRE_SETUP = '/usr/local/sbin/rainier-lustre-setup';
export const LUSTRE_EFA_UNIT = 'rainier-lustre-efa.service';

/**
 * The node's Lustre setup script, pure so tests can run it under bash with stub commands. It
 * downloads nothing: the Lustre client must be in the image (a missing client stops the boot, which
 * abandons the node naming this step). Every step is idempotent.
 *
 * - Client: FSx "Installing the Lustre client"
 *   (https://docs.aws.amazon.com/fsx/latest/LustreGuide/install-lustre-client.html) installs it from
 *   the FSx package repository or the distribution; here that happens when the image is built.
 * - EFA (`efa`: the file system has EFA and the instance type is an FSx EFA client, REFERENCE.md §12):
 *   the steps of FSx "Configuring EFA clients"
 *   (https://docs.aws.amazon.com/fsx/latest/LustreGuide/configure-efa-clients.html), written out
 *   instead of downloading and running its setup script: load `lnet`, `kefalnd` (bound to the
 *   primary interface) and `ksocklnd`; `lnetctl lnet configure`; replace the TCP network with one on
 *   the primary interface; add each EFA device as an `efa` network with `--peer-credits 32`;
 *   `lnetctl set discovery 1`; prefer EFA with `lnetctl udsp add --src efa --priority 0`. LNet
 *   configuration does not survive a reboot, so a systemd unit repeats `--lnet` before remote file
 *   systems mount. Adding every EFA device (rather than a subset) is this project's choice, unverified
 *   against the page's guidance for instances with many EFA devices.
 * - fstab: FSx "Mounting your Amazon FSx file system automatically"
 *   (https://docs.aws.amazon.com/fsx/latest/LustreGuide/mount-fs-auto-mount-onreboot.html).
 */
export function lustreSetupScript(dnsName: string, mountName: string, mountPoint: string, efa: boolean): string {
  const lines = [
    '#!/bin/bash',
    '# rainier-lustre-setup [--lnet]: configure Lustre networking (and EFA) and mount the shared file system.',
    'set -euo pipefail',
    'R="${RAINIER_ROOT:-}"',
    'if ! modinfo lustre >/dev/null 2>&1; then',
    '  echo "lustre-mount: the Lustre client is not in the image (no lustre module for kernel $(uname -r))" >&2',
    '  exit 1',
    'fi',
  ];
  if (efa) {
    lines.push(
      'if ! modinfo kefalnd >/dev/null 2>&1; then',
      '  echo "lustre-mount: the Lustre client in the image has no EFA network driver (kefalnd)" >&2',
      '  exit 1',
      'fi',
      'eth="$(ip -4 route show default | awk \'{print $5; exit}\')"',
      '[ -n "$eth" ] || { echo "lustre-mount: no primary network interface" >&2; exit 1; }',
      'if ! lnetctl net show --net efa 2>/dev/null | grep -q "status: up"; then',
      '  modprobe lnet',
      '  modprobe kefalnd ipif_name="$eth"',
      '  modprobe ksocklnd',
      '  lnetctl lnet configure',
      '  lnetctl net del --net tcp 2>/dev/null || true',
      '  lnetctl net add --net tcp --if "$eth"',
      '  mapfile -t devices < <(ls -1 "$R/sys/class/infiniband")',
      '  [ "${#devices[@]}" -gt 0 ] || { echo "lustre-mount: no EFA device in /sys/class/infiniband" >&2; exit 1; }',
      '  for device in "${devices[@]}"; do',
      '    lnetctl net add --net efa --if "$device" --peer-credits 32',
      '  done',
      '  lnetctl set discovery 1',
      '  lnetctl udsp add --src efa --priority 0',
      'fi',
      'if [ "${1:-}" = --lnet ]; then exit 0; fi',
    );
  }
  lines.push(
    `mkdir -p "$R${mountPoint}"`,
    `grep -qs " ${mountPoint} lustre " "$R/etc/fstab" || echo "${dnsName}@tcp:/${mountName} ${mountPoint} lustre defaults,relatime,flock,_netdev,x-systemd.automount,x-systemd.requires=network-online.target 0 0" >> "$R/etc/fstab"`,
    `mountpoint -q "$R${mountPoint}" || mount "$R${mountPoint}"`,
  );
  return `${lines.join('\n')}\n`;
}

/** The boot-script section: install the setup script (and, with EFA, its boot-time unit) and run it. */
export function lustreMountSection(dnsName: string, mountName: string, mountPoint: string, efa: boolean): BootstrapSection {
  const marker = 'RAINIER_LUSTRE_EOF';
  const write = (path: string, content: string, mode: string) => [
    `install -d -m 0755 "$(dirname "\${RAINIER_ROOT:-}${path}")"`,
    `cat > "\${RAINIER_ROOT:-}${path}" <<'${marker}'`,
    content.replace(/\n$/, ''),
    marker,
    `chmod ${mode} "\${RAINIER_ROOT:-}${path}"`,
  ];
  const commands = [...write(LUSTRE_SETUP, lustreSetupScript(dnsName, mountName, mountPoint, efa), '0755')];
  if (efa) {
    const unit = [
      '[Unit]',
      'Description=Rainier: Lustre networking over EFA (FSx "Configuring EFA clients")',
      'After=network-online.target',
      'Wants=network-online.target',
      'Before=remote-fs-pre.target',
      '',
      '[Service]',
      'Type=oneshot',
      `ExecStart=${LUSTRE_SETUP} --lnet`,
      'RemainAfterExit=yes',
      '',
      '[Install]',
      'WantedBy=remote-fs.target',
    ].join('\n');
    commands.push(...write(`/etc/systemd/system/${LUSTRE_EFA_UNIT}`, unit, '0644'), `systemctl enable ${LUSTRE_EFA_UNIT}`);
  }
  commands.push(`"\${RAINIER_ROOT:-}${LUSTRE_SETUP}"`);
  return { name: 'lustre-mount', commands };
}
