import { Stack, Tags } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { PoolDataAccess } from '../plan/perimeter';
import { NodeStorageAccess } from './contracts';
import { NodeLogGroups, nodeLogStreamsArn, nodeTelemetryStatements } from './node-telemetry';
import { NodeIdentity, nodeHealthStatements } from './node-health';
import { nodeJoinStatements } from './node-join';
import { acknowledge } from './nag';

/** The AWS managed policies nodes carry, each with why. */
export const NODE_MANAGED_POLICIES = {
  /** SSM Session Manager instead of SSH (DESIGN.md: no public IPs, SSM instead of SSH). */
  ssm: 'AmazonSSMManagedInstanceCore',
} as const;

/** Object actions a pool's nodes have under their own checkpoints prefix. No wildcards. */
export const BUCKET_OBJECT_ACTIONS = ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'] as const;
/** Object actions on datasets and on other pools' checkpoints they may read. */
export const BUCKET_READ_ACTIONS = ['s3:GetObject'] as const;
export const BUCKET_ACTIONS = ['s3:ListBucket', 's3:GetBucketLocation'] as const;
/**
 * What reading and writing SSE-KMS objects takes: GenerateDataKey to upload, Decrypt to read and to
 * complete multipart uploads (https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html).
 * No kms:Encrypt: S3 encrypts with the data key it generates.
 */
export const KEY_ACTIONS = ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'] as const;

export interface NodeRoleProps {
  /** What the storage slice gives the nodes; absent until that slice is wired. */
  readonly storage?: NodeStorageAccess;
  /** What this pool may do with the storage (lib/plan/perimeter.ts). Required with `storage`. */
  readonly dataAccess?: PoolDataAccess;
  /**
   * The site's node log groups. Nodes then get exactly what the CloudWatch agent and the Neuron
   * publisher need (write to these groups, metrics into the project namespace) instead of the much
   * broader managed CloudWatchAgentServerPolicy. @default no telemetry permissions
   */
  readonly telemetryLogGroups?: NodeLogGroups;
  /**
   * Health-gated launch: the pool whose groups' launch lifecycle actions the nodes may complete.
   * @default no lifecycle permissions
   */
  readonly health?: NodeIdentity;
  /**
   * `orchestrator: eks`: the nodes join this EKS cluster (lib/constructs/node-join.ts) and pull
   * images from these registries. @default no EKS permissions
   */
  readonly eks?: { readonly clusterArn: string; readonly imageRegistryAccounts: readonly string[] };
}

/**
 * The IAM role and instance profile of a pool's nodes, least privilege: SSM (AWS managed policy),
 * the node telemetry's log groups and metric namespace, `fsx:DescribeFileSystems` for the Lustre
 * client, and read/write on the storage slice's buckets and keys when given.
 */
export class NodeRole extends Construct {
  public readonly role: iam.Role;
  public readonly instanceProfile: iam.InstanceProfile;

  constructor(scope: Construct, id: string, props: NodeRoleProps = {}) {
    super(scope, id);
    this.role = new iam.Role(this, 'Resource', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      description: 'Trainium nodes: SSM, node telemetry, Lustre client, cluster buckets',
      managedPolicies: Object.values(NODE_MANAGED_POLICIES).map((name) => iam.ManagedPolicy.fromAwsManagedPolicyName(name)),
    });
    acknowledge(
      this.role,
      `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${NODE_MANAGED_POLICIES.ssm}]`,
      'AmazonSSMManagedInstanceCore is the AWS-maintained minimum for SSM Session Manager, which replaces SSH on nodes that have no public IP and no open inbound port.',
    );

    acknowledge(
      this.role,
      'RainierPerimeter-ServiceGrantConditioned',
      'The trust lets EC2 assume this role only for instances launched with its instance profile, which only a principal of this account allowed iam:PassRole can do (a role cannot be passed to another account: IAM User Guide, "Grant a user permissions to pass a role to an AWS service", https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html); EC2 documents no aws:SourceAccount/aws:SourceArn for instance-profile roles (see prowler-cloud/prowler#2810).',
    );

    // EFA-enabled Lustre clients call fsx:DescribeFileSystems and silently fall back to TCP without it.
    // The action supports no resource-level permissions, so its resource is "*"
    // (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonfsx.html).
    const policy = new iam.ManagedPolicy(this, 'LustreClientPolicy', {
      roles: [this.role],
      statements: [new iam.PolicyStatement({ sid: 'LustreClient', actions: ['fsx:DescribeFileSystems'], resources: ['*'] })],
    });
    acknowledge(
      policy,
      'AwsSolutions-IAM5[Resource::*]',
      'fsx:DescribeFileSystems (read-only) has no resource-level permissions; EFA-enabled Lustre clients need it to find the file system\'s EFA endpoints, else they fall back to TCP.',
    );

    this.instanceProfile = new iam.InstanceProfile(this, 'InstanceProfile', { role: this.role });

    if (props.storage !== undefined) {
      if (props.dataAccess === undefined) {
        throw new Error('NodeRole: storage given without dataAccess (lib/plan/perimeter.ts)');
      }
      this.grantStorage(props.storage, props.dataAccess);
      // The data key lets roles with this tag use it through S3 (lib/constructs/storage.ts).
      Tags.of(this.role).add(props.dataAccess.dataAccessTag.key, props.dataAccess.dataAccessTag.value);
    }
    if (props.telemetryLogGroups !== undefined) {
      this.grantTelemetry(props.telemetryLogGroups);
    }
    if (props.health !== undefined) {
      this.grantLaunchHook(props.health);
    }
    if (props.eks !== undefined) {
      this.grantEksNode(props.eks.clusterArn, props.eks.imageRegistryAccounts);
    }
  }

  /** What a node of an EKS cluster needs, scoped (lib/constructs/node-join.ts nodeJoinStatements). */
  private grantEksNode(clusterArn: string, imageRegistryAccounts: readonly string[]): void {
    const policy = new iam.ManagedPolicy(this, 'EksNode', { roles: [this.role], statements: nodeJoinStatements(this, clusterArn, imageRegistryAccounts) });
    acknowledge(
      policy,
      'AwsSolutions-IAM5[Resource::*]',
      'ec2:DescribeInstances (the kubelet names the node by its private DNS name) and ecr:GetAuthorizationToken (a registry login, no image access by itself) have no resource-level permissions.',
    );
    // cdk-nag names each resource as the template holds it, known once tokens resolve.
    policy.node.addValidation({
      validate: () => {
        const [, , , pull] = nodeJoinStatements(policy, clusterArn, imageRegistryAccounts);
        const [cache, ...registries] = pull.resources;
        acknowledge(
          policy,
          `AwsSolutions-IAM5[Resource::${flattenCfnReference(Stack.of(policy).resolve(cache))}]`,
          "The ECR pull-through cache creates one repository per upstream image under the ecr-public/ prefix on first pull, so nodes read, import and create only repositories under that prefix of this account's registry.",
        );
        for (const registry of registries) {
          acknowledge(
            policy,
            `AwsSolutions-IAM5[Resource::${flattenCfnReference(Stack.of(policy).resolve(registry))}]`,
            'Image reads only (BatchGetImage, GetDownloadUrlForLayer, BatchCheckLayerAvailability) on the repositories of a registry the perimeter names: the Region\'s EKS add-on registry (https://docs.aws.amazon.com/eks/latest/userguide/add-ons-images.html) or perimeter.imageRegistryAccounts.',
          );
        }
        return [];
      },
    });
  }

  /** Complete the launch lifecycle action of the pool's own groups (lib/constructs/node-health.ts). */
  private grantLaunchHook(identity: NodeIdentity): void {
    const policy = new iam.ManagedPolicy(this, 'LaunchHook', { roles: [this.role], statements: nodeHealthStatements(this, identity) });
    acknowledge(
      policy,
      'AwsSolutions-IAM5[Resource::*]',
      'autoscaling:DescribeAutoScalingInstances (read-only) has no resource-level permissions; a node uses it only to find its own group when instance tags are not readable from IMDS.',
    );
    // cdk-nag names the resource as the template holds it, known once tokens resolve.
    policy.node.addValidation({
      validate: () => {
        const groups = nodeHealthStatements(policy, identity)[0].resources[0];
        acknowledge(
          policy,
          `AwsSolutions-IAM5[Resource::${flattenCfnReference(Stack.of(policy).resolve(groups))}]`,
          "Group names are generated by CloudFormation across several shard stacks; CompleteLifecycleAction is limited by condition to groups carrying this pool's cluster, site and pool tags.",
        );
        return [];
      },
    });
  }

  /**
   * The CloudWatch agent and the Neuron publisher write to the site's two node log groups and put
   * metrics into the project namespace only. Log streams are created per instance, so each group's
   * ARN ends in `:*`; PutMetricData has no resource-level permissions and is scoped by namespace.
   */
  private grantTelemetry(logGroups: NodeLogGroups): void {
    const policy = new iam.ManagedPolicy(this, 'Telemetry', { roles: [this.role], statements: nodeTelemetryStatements(this, logGroups) });
    acknowledge(
      policy,
      'AwsSolutions-IAM5[Resource::*]',
      'cloudwatch:PutMetricData has no resource-level permissions; the statement is limited by the cloudwatch:namespace condition to the project namespace.',
    );
    // cdk-nag names each resource as the template holds it, known once tokens resolve.
    policy.node.addValidation({
      validate: () => {
        for (const name of [logGroups.system, logGroups.neuronMetrics]) {
          const resource = flattenCfnReference(Stack.of(policy).resolve(nodeLogStreamsArn(policy, name)));
          acknowledge(
            policy,
            `AwsSolutions-IAM5[Resource::${resource}]`,
            'Each node writes its own log streams, named by instance ID, so the grant covers the streams of this one log group (":*"), with CreateLogStream/PutLogEvents/DescribeLogStreams only.',
          );
        }
        return [];
      },
    });
  }

  /**
   * Datasets read-only; checkpoints read/write under the pool's own prefix and read-only under the
   * prefixes the perimeter plan lists; kms use (no Encrypt) on the data keys. Explicit actions; the
   * only wildcards are object ARNs under a bucket or prefix, acknowledged one by one with what they grant.
   */
  private grantStorage(storage: NodeStorageAccess, access: PoolDataAccess): void {
    const { datasets, checkpoints, keys } = storage;
    const policy = new iam.ManagedPolicy(this, 'StorageAccess', { roles: [this.role] });
    const readPrefixes = [access.checkpointsPrefix, ...access.checkpointsReadPrefixes];
    policy.addStatements(
      new iam.PolicyStatement({ sid: 'DatasetsList', actions: [...BUCKET_ACTIONS], resources: [datasets.bucketArn] }),
      new iam.PolicyStatement({ sid: 'DatasetsRead', actions: [...BUCKET_READ_ACTIONS], resources: [datasets.arnForObjects('*')] }),
      new iam.PolicyStatement({
        sid: 'CheckpointsList',
        actions: ['s3:ListBucket'],
        resources: [checkpoints.bucketArn],
        conditions: { StringLike: { 's3:prefix': readPrefixes.flatMap((p) => [p, `${p}*`]) } },
      }),
      new iam.PolicyStatement({ sid: 'CheckpointsLocation', actions: ['s3:GetBucketLocation'], resources: [checkpoints.bucketArn] }),
      new iam.PolicyStatement({ sid: 'OwnCheckpointsReadWrite', actions: [...BUCKET_OBJECT_ACTIONS], resources: [checkpoints.arnForObjects(`${access.checkpointsPrefix}*`)] }),
    );
    if (access.checkpointsReadPrefixes.length > 0) {
      policy.addStatements(
        new iam.PolicyStatement({
          sid: 'OtherPoolsCheckpointsRead',
          actions: [...BUCKET_READ_ACTIONS],
          resources: access.checkpointsReadPrefixes.map((p) => checkpoints.arnForObjects(`${p}*`)),
        }),
      );
    }
    if (keys.length > 0) {
      policy.addStatements(new iam.PolicyStatement({ sid: 'DataKeyUse', actions: [...KEY_ACTIONS], resources: keys.map((k) => k.keyArn) }));
    }
    const grants: [string, string][] = [
      [datasets.arnForObjects('*'), 'Nodes read (s3:GetObject only) any object of the datasets bucket; they cannot write or delete there (the bucket policy also denies writes to all but the ingestion principals).'],
      [checkpoints.arnForObjects(`${access.checkpointsPrefix}*`), `Nodes of this pool read, write and delete (Get/Put/DeleteObject, AbortMultipartUpload) objects under their own checkpoints prefix "${access.checkpointsPrefix}" only.`],
      ...access.checkpointsReadPrefixes.map((p): [string, string] => [
        checkpoints.arnForObjects(`${p}*`),
        `Nodes of this pool read (s3:GetObject only) the checkpoints under "${p}", as perimeter.checkpointReads allows; they cannot write there.`,
      ]),
    ];
    // The finding IDs name each ARN as the template will hold it (an import from the storage
    // stack), which is known only once cross-stack references are resolved: acknowledge them then.
    policy.node.addValidation({
      validate: () => {
        for (const [arn, reason] of grants) {
          acknowledge(policy, `AwsSolutions-IAM5[Resource::${flattenCfnReference(Stack.of(policy).resolve(arn))}]`, reason);
        }
        return [];
      },
    });
  }
}

/**
 * How cdk-nag names a CloudFormation value in a finding ID (cdk-nag 3 `utils/flatten-cfn-reference`,
 * which the package does not export): joins flattened, `Ref` and `Fn::GetAtt` as `<Id>` / `<Id.Attr>`,
 * imports by their export name.
 */
export function flattenCfnReference(value: unknown): string {
  if (value === undefined) {
    return '';
  }
  if (typeof value === 'string') {
    return value.replace(/\$\{/g, '<').replace(/\}/g, '>');
  }
  const node = value as Record<string, unknown>;
  if (node['Fn::Join'] !== undefined) {
    const [delimiter, items] = node['Fn::Join'] as [string, unknown[]];
    return items.map(flattenCfnReference).join(delimiter);
  }
  if (node['Fn::Sub'] !== undefined) {
    return flattenCfnReference(node['Fn::Sub']);
  }
  if (node['Fn::GetAtt'] !== undefined) {
    const [resource, attribute] = node['Fn::GetAtt'] as [unknown, unknown];
    return `<${flattenCfnReference(resource)}.${flattenCfnReference(attribute)}>`;
  }
  if (node['Fn::ImportValue'] !== undefined) {
    return flattenCfnReference(node['Fn::ImportValue']);
  }
  if (node.Ref !== undefined) {
    return `<${flattenCfnReference(node.Ref)}>`;
  }
  return JSON.stringify(value);
}
