import { createHash } from 'crypto';
import { ArnFormat, CfnParameter, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { CONTROL_PLANE_LOG_TYPES, EKS_ADDONS, EksAddonPlan, PULL_THROUGH_CACHE, controlPlaneLogGroupName, vpcCniConfiguration } from '../plan/eks';
import { AccessPlan, AccessPrincipalPlan, EksClusterPlan } from '../plan/orchestrator';
import { KeyAdministration, retainedKey } from './key-policy';
import { acknowledge, controlTowerRule } from './nag';
import { flattenCfnReference } from './node-role';

export interface EksClusterProps {
  readonly plan: EksClusterPlan;
  readonly kubernetesVersion: string;
  /** The control-plane subnets (two zones) and security group, from the fabric's network stack. */
  readonly subnets: readonly ec2.ISubnet[];
  readonly securityGroup: ec2.ISecurityGroup;
  /** The site's logs key (its policy lets CloudWatch Logs use it for this account's log groups). */
  readonly logsKey: kms.IKey;
  readonly logRetentionDays: logs.RetentionDays;
  readonly keyAdministration?: KeyAdministration;
}

/**
 * The construct ID of an access entry, from its principal and never from its position in
 * `orchestrator.access`. `PrincipalArn` cannot change in place, so a new principal in an entry is a
 * replacement, which CloudFormation creates before it deletes the old entry; "an IAM principal can be
 * in only one access entry" (https://docs.aws.amazon.com/eks/latest/userguide/creating-access-entries.html).
 * With positional IDs, inserting a principal ahead of others, or reordering the list, made each later
 * entry's replacement name a principal an old entry still held, and the update failed. Keyed by the
 * principal, a principal keeps its entry (a policy change updates it in place) and only added and
 * removed principals create and delete entries. A hash, because a role name or ARN may hold
 * characters (`/`, `+=,.@`) that would collide once a logical ID drops them.
 */
export function accessEntryId(principal: AccessPrincipalPlan): string {
  const key = principal.kind === 'parameter' ? `parameter:${principal.parameter.name}` : principal.kind === 'role-name' ? `role-name:${principal.roleName}` : `role-arn:${principal.arn}`;
  return `AccessEntry${createHash('sha256').update(key).digest('hex').slice(0, 8).toUpperCase()}`;
}

/** Construct IDs of the add-ons (literal, never from input). */
const ADDON_IDS: Readonly<Record<EksAddonPlan['name'], string>> = {
  'eks-pod-identity-agent': 'PodIdentityAgentAddon',
  'vpc-cni': 'VpcCniAddon',
  'kube-proxy': 'KubeProxyAddon',
  coredns: 'CoreDnsAddon',
};

/**
 * One Amazon EKS cluster of the plan (one per EFA fabric), rendered with the CloudFormation L1s
 * `CfnCluster`, `CfnAccessEntry`, `CfnAddon` and `CfnPullThroughCacheRule`. Not aws-cdk-lib's
 * `aws_eks.Cluster`: it creates the cluster through custom-resource Lambda functions and a kubectl
 * Lambda, and this project deploys no Lambda and no custom resource for the scheduler. Not
 * `aws_eks_v2.Cluster` either: its defaults add capacity (EKS Auto Mode or a managed node group),
 * its node wiring opens node egress to every IPv4 address, and its manifests (the Neuron device
 * plugin) go through a kubectl provider; the nodes here are the plan's own Auto Scaling groups, and
 * Kubernetes objects are rendered by `npm run job` and applied with kubectl.
 *
 * - Endpoint private only (`EndpointPublicAccess: false`): nodes register over the private endpoint
 *   (https://docs.aws.amazon.com/eks/latest/userguide/cluster-endpoint.html); people reach it from
 *   the VPC (docs/operations.md: SSM port forwarding).
 * - Access: API authentication mode only (access entries, no aws-auth ConfigMap), and the creator
 *   (CloudFormation's role) gets no admin entry (`BootstrapClusterCreatorAdminPermissions: false`);
 *   the plan's named principals get entries with access policies, `edit`/`view` scoped to the job
 *   namespace (https://docs.aws.amazon.com/eks/latest/userguide/access-entries.html).
 * - Secrets encrypted with a customer key of this stack, retained.
 * - Every control plane log type to `/aws/eks/<name>/cluster`, created first (encrypted, retained).
 * - No self-managed default add-ons (`BootstrapSelfManagedAddons: false`); the managed add-ons of
 *   lib/plan/eks.ts instead, the VPC CNI with its own Pod Identity role.
 */
export class EksCluster extends Construct {
  public readonly resource: eks.CfnCluster;
  public readonly clusterName: string;
  public readonly clusterArn: string;
  public readonly endpoint: string;
  public readonly certificateAuthority: string;
  public readonly secretsKey: kms.Key;
  public readonly logGroup: logs.LogGroup;
  public readonly accessEntries: readonly eks.CfnAccessEntry[];
  private readonly podAddresses: EksClusterPlan['podAddresses'];

  constructor(scope: Construct, id: string, props: EksClusterProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const { plan } = props;
    this.podAddresses = plan.podAddresses;

    // The key policy cannot keep the project's "grants only for AWS resources" deny: EKS says
    // "The condition kms:GrantIsForAWSResource is not supported for the CreateCluster action, and
    // should not be used in KMS policies to control kms:CreateGrant permissions for users
    // performing CreateCluster"; the principal calling CreateCluster (CloudFormation's role) needs
    // kms:DescribeKey and kms:CreateGrant, which the account's administrative statement lets IAM
    // grant (https://docs.aws.amazon.com/eks/latest/userguide/enable-kms.html).
    this.secretsKey = retainedKey(this, 'SecretsKey', `Envelope encryption of the Kubernetes secrets of EKS cluster ${plan.name}`, props.keyAdministration, {
      limitGrantsToAwsServices: false,
    });
    acknowledge(
      this.secretsKey,
      controlTowerRule('kms_create_grant_aws_service_check'),
      'EKS secrets encryption: EKS documents that kms:GrantIsForAWSResource is not supported for CreateCluster and must not be used to control kms:CreateGrant for the principal creating the cluster (https://docs.aws.amazon.com/eks/latest/userguide/enable-kms.html), so this one key has no grant-limiting deny; its policy still gives no principal any use of the key.',
    );

    this.logGroup = new logs.LogGroup(this, 'ControlPlaneLogs', {
      logGroupName: controlPlaneLogGroupName(plan.name),
      encryptionKey: props.logsKey,
      retention: props.logRetentionDays,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(
      this.logGroup,
      controlTowerRule('cloudwatch_log_group_encrypted_check'),
      "False positive: the group is encrypted with the site's customer logs key, but that key lives in the network stack, so KmsKeyId is an Fn::ImportValue of its ARN, which the rule does not recognise (it accepts only a literal ARN or a Ref/GetAtt in the same template). test/orchestrator-render.test.ts checks the group's KmsKeyId.",
    );

    const role = new iam.Role(this, 'ClusterRole', {
      assumedBy: new iam.ServicePrincipal('eks.amazonaws.com'),
      description: `EKS cluster ${plan.name}: the documented minimal cluster permissions`,
    });
    acknowledge(
      role,
      'RainierPerimeter-ServiceGrantConditioned',
      'The trust lets EKS assume this role only for a cluster created with it, which only a principal of this account allowed iam:PassRole can do (a role cannot be passed to another account: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html); the EKS cluster role trust policy EKS documents carries no aws:SourceAccount/aws:SourceArn (https://docs.aws.amazon.com/eks/latest/userguide/cluster-iam-role.html).',
    );
    // EKS documents this custom policy as the minimum instead of AmazonEKSClusterPolicy: it lets the
    // cluster manage nodes but not the legacy cloud provider create load balancers, which this
    // cluster never needs (https://docs.aws.amazon.com/eks/latest/userguide/cluster-iam-role.html).
    const instances = stack.formatArn({ service: 'ec2', resource: 'instance', resourceName: '*', arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
    const clusterPolicy = new iam.ManagedPolicy(this, 'ClusterPolicy', {
      roles: [role],
      statements: [
        new iam.PolicyStatement({
          sid: 'TagClusterInstances',
          actions: ['ec2:CreateTags'],
          resources: [instances],
          conditions: { 'ForAnyValue:StringLike': { 'aws:TagKeys': 'kubernetes.io/cluster/*' } },
        }),
        new iam.PolicyStatement({
          sid: 'DescribeNodes',
          actions: ['ec2:DescribeInstances', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeVpcs', 'ec2:DescribeDhcpOptions', 'ec2:DescribeAvailabilityZones', 'ec2:DescribeInstanceTopology'],
          resources: ['*'],
        }),
        new iam.PolicyStatement({ sid: 'DescribeSecretsKey', actions: ['kms:DescribeKey'], resources: [this.secretsKey.keyArn] }),
      ],
    });
    acknowledge(
      clusterPolicy,
      'AwsSolutions-IAM5[Resource::*]',
      'The EC2 Describe actions of the documented minimal EKS cluster policy (https://docs.aws.amazon.com/eks/latest/userguide/cluster-iam-role.html) are read-only and have no resource-level permissions.',
    );
    // cdk-nag names the resource as the template holds it, known once tokens resolve.
    clusterPolicy.node.addValidation({
      validate: () => {
        acknowledge(
          clusterPolicy,
          `AwsSolutions-IAM5[Resource::${flattenCfnReference(stack.resolve(instances))}]`,
          "The documented minimal EKS cluster policy lets the cluster tag instances, and only with kubernetes.io/cluster/* tag keys (condition aws:TagKeys); node instance IDs are not known to the template, so the grant covers this account and Region's instances.",
        );
        return [];
      },
    });

    this.resource = new eks.CfnCluster(this, 'Resource', {
      name: plan.name,
      version: props.kubernetesVersion,
      roleArn: role.roleArn,
      resourcesVpcConfig: {
        subnetIds: props.subnets.map((s) => s.subnetId),
        securityGroupIds: [props.securityGroup.securityGroupId],
        endpointPrivateAccess: true,
        endpointPublicAccess: false,
      },
      accessConfig: { authenticationMode: 'API', bootstrapClusterCreatorAdminPermissions: false },
      encryptionConfig: [{ provider: { keyArn: this.secretsKey.keyArn }, resources: ['secrets'] }],
      logging: { clusterLogging: { enabledTypes: CONTROL_PLANE_LOG_TYPES.map((type) => ({ type })) } },
      kubernetesNetworkConfig: { ipFamily: 'ipv4', serviceIpv4Cidr: plan.serviceCidr },
      bootstrapSelfManagedAddons: false,
    });
    acknowledge(
      this.resource,
      'CloudFormation-Validate::W9009',
      'EncryptionConfig.Resources is marked deprecated in the resource schema, but the CloudFormation reference and the EKS API still document it, with "secrets" its only supported value (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-eks-cluster-encryptionconfig.html); it is given so the customer key is explicitly for secrets.',
    );
    // EKS creates the log group itself if it does not exist (unencrypted, kept forever): make it ours first.
    this.resource.node.addDependency(this.logGroup);
    // The role's permissions must be in place before EKS assumes it.
    this.resource.node.addDependency(clusterPolicy);

    this.clusterName = this.resource.ref;
    this.clusterArn = this.resource.attrArn;
    this.endpoint = this.resource.attrEndpoint;
    this.certificateAuthority = this.resource.attrCertificateAuthorityData;

    this.accessEntries = plan.access.map((access) => this.accessEntry(accessEntryId(access.principal), access));

    this.addAddons();

    if (plan.holdsPullThroughCacheRule) {
      new ecr.CfnPullThroughCacheRule(this, 'PublicEcrCache', {
        ecrRepositoryPrefix: PULL_THROUGH_CACHE.repositoryPrefix,
        upstreamRegistry: PULL_THROUGH_CACHE.upstreamRegistry,
        upstreamRegistryUrl: PULL_THROUGH_CACHE.upstreamRegistryUrl,
      });
    }
  }

  /** A STANDARD access entry with the plan's one access policy, scoped as the plan says. */
  private accessEntry(id: string, access: AccessPlan): eks.CfnAccessEntry {
    const partition = Stack.of(this).partition;
    return new eks.CfnAccessEntry(this, id, {
      clusterName: this.clusterName,
      principalArn: this.principalArn(access.principal),
      type: 'STANDARD',
      accessPolicies: [
        {
          policyArn: `arn:${partition}:eks::aws:cluster-access-policy/${access.policyName}`,
          accessScope: access.scope.type === 'cluster' ? { type: 'cluster' } : { type: 'namespace', namespaces: [...access.scope.namespaces] },
        },
      ],
    });
  }

  private principalArn(principal: AccessPrincipalPlan): string {
    const stack = Stack.of(this);
    switch (principal.kind) {
      case 'role-arn':
        return principal.arn;
      case 'role-name':
        return stack.formatArn({ service: 'iam', region: '', resource: 'role', resourceName: principal.roleName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
      case 'parameter': {
        const p = principal.parameter;
        const parameter =
          (stack.node.tryFindChild(p.name) as CfnParameter | undefined) ??
          new CfnParameter(stack, p.name, { type: p.type, allowedPattern: p.allowedPattern, constraintDescription: p.constraintDescription, description: p.description });
        return parameter.valueAsString;
      }
    }
  }

  /**
   * The managed add-ons (lib/plan/eks.ts EKS_ADDONS), versions left to EKS. An add-on whose pods
   * cannot run yet (CoreDNS before any node joined) is DEGRADED, which CloudFormation's add-on
   * handler accepts as created (reported in hashicorp/terraform-provider-aws#44669; not verified
   * here): the orchestrator stack deploys before the compute stacks.
   */
  private addAddons(): void {
    const created = new Map<string, eks.CfnAddon>();
    for (const addon of EKS_ADDONS) {
      const podIdentity = addon.podIdentity === undefined ? undefined : this.podIdentityRole(addon);
      const resource = new eks.CfnAddon(this, ADDON_IDS[addon.name], {
        clusterName: this.clusterName,
        addonName: addon.name,
        ...(addon.name === 'vpc-cni' ? { configurationValues: vpcCniConfiguration(this.podAddresses) } : {}),
        ...(podIdentity !== undefined ? { podIdentityAssociations: [{ serviceAccount: addon.podIdentity!.serviceAccount, roleArn: podIdentity.roleArn }] } : {}),
      });
      if (podIdentity !== undefined) {
        // The agent serves the association's credentials on each node.
        const agent = created.get('eks-pod-identity-agent');
        if (agent !== undefined) {
          resource.node.addDependency(agent);
        }
      }
      created.set(addon.name, resource);
    }
  }

  /**
   * An add-on's own role for EKS Pod Identity, trusted by `pods.eks.amazonaws.com` with the trust
   * policy EKS documents (sts:AssumeRole and sts:TagSession), narrowed with the session tags EKS
   * sends to this cluster, the add-on's namespace and service account
   * (https://docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html).
   */
  private podIdentityRole(addon: EksAddonPlan): iam.Role {
    const pi = addon.podIdentity!;
    const role = new iam.Role(this, `${ADDON_IDS[addon.name]}Role`, {
      assumedBy: new iam.SessionTagsPrincipal(
        new iam.PrincipalWithConditions(new iam.ServicePrincipal('pods.eks.amazonaws.com'), {
          StringEquals: {
            'aws:RequestTag/eks-cluster-arn': this.clusterArn,
            'aws:RequestTag/kubernetes-namespace': pi.namespace,
            'aws:RequestTag/kubernetes-service-account': pi.serviceAccount,
          },
        }),
      ),
      description: `EKS add-on ${addon.name} of cluster ${this.resource.name}, through Pod Identity (${pi.namespace}/${pi.serviceAccount})`,
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName(pi.managedPolicy)],
    });
    acknowledge(
      role,
      `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${pi.managedPolicy}]`,
      `${pi.managedPolicy} is the AWS-maintained policy EKS documents for the ${addon.name} add-on (https://docs.aws.amazon.com/eks/latest/userguide/cni-iam-role.html), given to this role alone, which only the ${pi.namespace}/${pi.serviceAccount} service account of this cluster can assume, never to the node role.`,
    );
    acknowledge(
      role,
      'RainierPerimeter-ServiceGrantConditioned',
      'EKS Pod Identity documents its trust narrowed by the session tags it sends (aws:RequestTag/eks-cluster-arn, kubernetes-namespace, kubernetes-service-account: https://docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html), not by aws:SourceArn/aws:SourceAccount; the statement requires this cluster\'s ARN and the add-on\'s service account.',
    );
    return role;
  }
}
