import { CfnParameter, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { isOrchestratorEndpoint } from '../plan/eks';
import { InterfaceEndpointService, NetworkPlan } from '../plan/network';
import { PERIMETER_METADATA } from '../perimeter/rules/no-open-egress';
import { NodeLogGroups } from './node-telemetry';
import { interfaceEndpointStatements, s3GatewayEndpointStatements } from './endpoint-policy';
import { KeyAdministration, retainedKey } from './key-policy';
import { acknowledge, controlTowerRule } from './nag';

export const ENDPOINT_SERVICES: Readonly<Record<InterfaceEndpointService, ec2.InterfaceVpcEndpointAwsService>> = {
  ssm: ec2.InterfaceVpcEndpointAwsService.SSM,
  ssmmessages: ec2.InterfaceVpcEndpointAwsService.SSM_MESSAGES,
  ec2messages: ec2.InterfaceVpcEndpointAwsService.EC2_MESSAGES,
  ec2: ec2.InterfaceVpcEndpointAwsService.EC2,
  logs: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
  monitoring: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_MONITORING,
  kms: ec2.InterfaceVpcEndpointAwsService.KMS,
  fsx: ec2.InterfaceVpcEndpointAwsService.FSX,
  'ecr.api': ec2.InterfaceVpcEndpointAwsService.ECR,
  'ecr.dkr': ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER,
  autoscaling: ec2.InterfaceVpcEndpointAwsService.AUTOSCALING,
  'eks-auth': ec2.InterfaceVpcEndpointAwsService.EKS_AUTH,
};

/** Subnet group names, used to select subnets across stacks. */
export const NODE_SUBNETS = 'Nodes';
export const STORAGE_SUBNETS = 'Storage';
export const PUBLIC_SUBNETS = 'Public';

/** HTTPS, for the VPC endpoints and the S3 gateway endpoint. */
const HTTPS = ec2.Port.tcp(443);

/**
 * What a site's storage and compute stacks use of its network: its own site network, or, for a
 * member of a shared fabric, the fabric's network with the member's own storage subnet and node log
 * groups (`SiteNetwork.forSite`).
 */
export interface NetworkAccess {
  readonly vpc: ec2.IVpc;
  readonly clusterSecurityGroup: ec2.ISecurityGroup;
  readonly endpointSecurityGroup: ec2.ISecurityGroup;
  readonly nodeSystemLogs: logs.LogGroup;
  readonly nodeNeuronLogs: logs.LogGroup;
  readonly logsKey: kms.IKey;
  readonly nodeSubnets: ec2.SubnetSelection;
  readonly storageSubnets: ec2.SubnetSelection;
}

/** Another site of a shared fabric (NetworkPlan.sharedWith): its construct-ID part and its node log group names. */
export interface FabricMemberNetwork {
  readonly site: string;
  /** PascalCase of the site name (SitePlan.id), used in subnet group names and construct IDs. */
  readonly id: string;
  readonly nodeLogGroups: NodeLogGroups;
}

export interface SiteNetworkProps {
  readonly plan: NetworkPlan;
  /**
   * The other members of the site's shared fabric, in plan order (NetworkPlan.sharedWith): each gets
   * a storage subnet and node log groups in this network. @default none (the site is its own fabric)
   */
  readonly members?: readonly FabricMemberNetwork[];
  /** Days to keep VPC flow logs and node logs. */
  readonly flowLogRetentionDays: logs.RetentionDays;
  /**
   * Names of the node log groups the node agents write to (lib/plan/monitoring.ts). They live here,
   * in the stack every compute stack deploys after, so they exist before the first node boots.
   */
  readonly nodeLogGroups: NodeLogGroups;
  /** Who administers and may delete the logs key. @default the account root administers; nobody deletes */
  readonly keyAdministration?: KeyAdministration;
}

/**
 * One site's network: a VPC in the site's single Availability Zone with private node and storage
 * subnets, VPC endpoints so nodes reach AWS without the internet, flow logs encrypted with a
 * customer key, and the cluster security group that EFA requires.
 */
export class SiteNetwork extends Construct implements NetworkAccess {
  public readonly vpc: ec2.Vpc;
  /**
   * The security group on every node interface: all traffic to and from itself (EFA requires it,
   * EC2-CREATE-EFA), nothing in from anywhere else.
   */
  public readonly clusterSecurityGroup: ec2.SecurityGroup;
  /** The interface endpoints' security group: HTTPS in from the cluster security group only. */
  public readonly endpointSecurityGroup: ec2.SecurityGroup;
  /** Node log groups: boot and system logs, and the Neuron publisher's metric lines. */
  public readonly nodeSystemLogs: logs.LogGroup;
  public readonly nodeNeuronLogs: logs.LogGroup;
  /** Customer key for the site's logs. */
  public readonly logsKey: kms.Key;
  public readonly nodeSubnets: ec2.SubnetSelection = { subnetGroupName: NODE_SUBNETS };
  public readonly storageSubnets: ec2.SubnetSelection = { subnetGroupName: STORAGE_SUBNETS };
  /** Shared fabric: what each other member site uses of this network. */
  private readonly memberAccess = new Map<string, NetworkAccess>();

  /** What `site` uses of this network: the network itself for its own site, a member's view otherwise. */
  public forSite(site: string): NetworkAccess {
    return this.memberAccess.get(site) ?? this;
  }

  constructor(scope: Construct, id: string, props: SiteNetworkProps) {
    super(scope, id);
    const { plan } = props;
    const region = Stack.of(this).region;
    // The members' views read the VPC and groups, created further down, through getters.
    const owner: SiteNetwork = this;

    this.logsKey = retainedKey(this, 'LogsKey', 'Encrypts the site VPC flow logs and node logs', props.keyAdministration);
    // CloudWatch Logs needs the key policy to name it (the LogGroup L2 does not add this).
    this.logsKey.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal(`logs.${region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${Stack.of(this).partition}:logs:${region}:${Stack.of(this).account}:log-group:*` },
        },
      }),
    );
    // Named, because the node agents' configuration names them (node-telemetry.ts).
    this.nodeSystemLogs = new logs.LogGroup(this, 'NodeSystemLogs', {
      logGroupName: props.nodeLogGroups.system,
      encryptionKey: this.logsKey,
      retention: props.flowLogRetentionDays,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.nodeNeuronLogs = new logs.LogGroup(this, 'NodeNeuronLogs', {
      logGroupName: props.nodeLogGroups.neuronMetrics,
      encryptionKey: this.logsKey,
      retention: props.flowLogRetentionDays,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Shared fabric: each other member's node log groups, under this network's logs key (the member's
    // nodes run in this VPC and write through its logs endpoint).
    for (const member of props.members ?? []) {
      const group = (what: string, logGroupName: string) =>
        new logs.LogGroup(this, `${member.id}${what}`, {
          logGroupName,
          encryptionKey: this.logsKey,
          retention: props.flowLogRetentionDays,
          removalPolicy: RemovalPolicy.RETAIN,
        });
      const nodeSystemLogs = group('NodeSystemLogs', member.nodeLogGroups.system);
      const nodeNeuronLogs = group('NodeNeuronLogs', member.nodeLogGroups.neuronMetrics);
      this.memberAccess.set(member.site, {
        get vpc() {
          return owner.vpc;
        },
        get clusterSecurityGroup() {
          return owner.clusterSecurityGroup;
        },
        get endpointSecurityGroup() {
          return owner.endpointSecurityGroup;
        },
        nodeSystemLogs,
        nodeNeuronLogs,
        logsKey: this.logsKey,
        nodeSubnets: this.nodeSubnets,
        storageSubnets: { subnetGroupName: memberStorageSubnets(member.id) },
      });
    }
    const flowLogs = new logs.LogGroup(this, 'FlowLogs', {
      encryptionKey: this.logsKey,
      retention: props.flowLogRetentionDays,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // The flow-log delivery role with a customer managed policy (NIST AC-6: no inline policies). The
    // role is handed to the flow log without policy updates, else the flow log would add the same
    // statement again as an inline default policy.
    // Only flow logs of this account may assume it (confused-deputy protection: VPC User Guide,
    // "IAM role for publishing flow logs to CloudWatch Logs",
    // https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-iam-role.html).
    const flowLogRole = new iam.Role(this, 'FlowLogRole', {
      assumedBy: new iam.ServicePrincipal('vpc-flow-logs.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': Stack.of(this).account },
          ArnLike: { 'aws:SourceArn': `arn:${Stack.of(this).partition}:ec2:${region}:${Stack.of(this).account}:vpc-flow-log/*` },
        },
      }),
      description: 'Delivers the site VPC flow logs to their log group',
    });
    new iam.ManagedPolicy(this, 'FlowLogDelivery', {
      roles: [flowLogRole],
      statements: [
        new iam.PolicyStatement({
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
          resources: [flowLogs.logGroupArn],
        }),
      ],
    });

    const nodeSubnetType = plan.natGateway ? ec2.SubnetType.PRIVATE_WITH_EGRESS : ec2.SubnetType.PRIVATE_ISOLATED;
    // Fixed-size subnets first, the node subnet (sized from the node count) last: the VPC allocates
    // in this order, so when the cluster grows past a power of two only the node subnet moves. The
    // storage subnet (and the file system in it) keeps its CIDR at every size; a changed CidrBlock
    // replaces a subnet, and with it the file system (test/stability.test.ts).
    const subnetConfiguration: ec2.SubnetConfiguration[] = [
      { name: STORAGE_SUBNETS, subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: plan.storageSubnetMask },
    ];
    if (plan.publicSubnetMask !== undefined) {
      subnetConfiguration.push({
        name: PUBLIC_SUBNETS,
        subnetType: ec2.SubnetType.PUBLIC,
        cidrMask: plan.publicSubnetMask,
        mapPublicIpOnLaunch: false,
      });
    }
    // Shared fabric: each other member's own storage subnet, after the owner's storage (and public)
    // subnet, so the owner's subnets keep their CIDRs; the node subnet, for every member's nodes, last.
    const members = props.members ?? [];
    for (const member of members) {
      subnetConfiguration.push({ name: memberStorageSubnets(member.id), subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: plan.storageSubnetMask });
    }
    subnetConfiguration.push({ name: NODE_SUBNETS, subnetType: nodeSubnetType, cidrMask: plan.nodeSubnetMask });

    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(plan.cidr),
      availabilityZones: [plan.availabilityZone],
      natGateways: plan.natGateway ? 1 : 0,
      subnetConfiguration,
      // The default security group is never used, and is closed: CloudFormation cannot remove the
      // rules EC2 puts on it, so CDK's custom resource revokes them (a Lambda outside the VPC that
      // may only authorize and revoke rules of this one group; acknowledged below).
      restrictDefaultSecurityGroup: true,
      flowLogs: {
        All: {
          destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs, flowLogRole.withoutPolicyUpdates()),
          trafficType: ec2.FlowLogTrafficType.ALL,
        },
      },
    });
    // Same construct ID as the Vpc's `gatewayEndpoints` prop gives it, so the logical ID is unchanged.
    const s3Endpoint = this.vpc.addGatewayEndpoint('S3', {
      service: ec2.GatewayVpcEndpointAwsService.S3,
      subnets: [this.nodeSubnets, this.storageSubnets, ...members.map((m) => ({ subnetGroupName: memberStorageSubnets(m.id) }))],
    });
    for (const statement of s3GatewayEndpointStatements(s3Endpoint, plan.awsOwnedBuckets)) {
      s3Endpoint.addToPolicy(statement);
    }

    // CDK's provider of the default-group restriction: one per stack, a Lambda function outside any
    // VPC (it calls the EC2 API, not anything in this VPC, so it needs neither the nodes' endpoints
    // nor internet egress of this VPC).
    const restrictProvider = Stack.of(this).node.tryFindChild('Custom::VpcRestrictDefaultSGCustomResourceProvider');
    const restrictHandler = restrictProvider?.node.tryFindChild('Handler');
    const restrictRole = restrictProvider?.node.tryFindChild('Role');
    if (restrictRole !== undefined) {
      acknowledge(
        restrictRole,
        'RainierPerimeter-ServiceGrantConditioned',
        'The execution role of CDK\'s restrictDefaultSecurityGroup handler: Lambda assumes it only for the function this stack creates with it, which only a principal of this account allowed iam:PassRole can do (a role cannot be passed to another account: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html). Its only permissions are to authorize and revoke rules of this VPC\'s default security group (to restore them on delete).',
      );
    }
    if (restrictHandler !== undefined) {
      acknowledge(
        restrictHandler,
        controlTowerRule('lambda_inside_vpc_check'),
        'CDK\'s restrictDefaultSecurityGroup handler runs only when its custom resource is created, updated or deleted, to revoke (or on delete restore) the rules of this VPC\'s default security group, the only resource it may change; it handles no data and calls only the EC2 API, which it reaches without being in the VPC.',
      );
    }

    this.clusterSecurityGroup = new ec2.SecurityGroup(this, 'ClusterSecurityGroup', {
      vpc: this.vpc,
      description: 'Trainium nodes: all traffic to and from itself (EFA), HTTPS out to VPC and S3 endpoints',
      allowAllOutbound: false,
    });
    this.clusterSecurityGroup.addIngressRule(this.clusterSecurityGroup, ec2.Port.allTraffic(), 'EFA and collectives between nodes');
    const efaIngress = this.clusterSecurityGroup.node.children.find((c) => c instanceof ec2.CfnSecurityGroupIngress);
    if (efaIngress !== undefined) {
      acknowledge(
        efaIngress,
        'NIST.800.53.R5-EC2RestrictedCommonPorts',
        'The rule allows all traffic only from this same security group, never from an address range: EFA requires exactly this self-referencing all-traffic rule (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/efa-start.html#efa-start-security).',
      );
    }
    this.clusterSecurityGroup.addEgressRule(this.clusterSecurityGroup, ec2.Port.allTraffic(), 'EFA and collectives between nodes');

    // The interface endpoints accept HTTPS from the nodes only.
    this.endpointSecurityGroup = new ec2.SecurityGroup(this, 'EndpointSecurityGroup', {
      vpc: this.vpc,
      description: 'VPC interface endpoints: HTTPS from the cluster nodes only',
      allowAllOutbound: false,
    });
    this.endpointSecurityGroup.addIngressRule(this.clusterSecurityGroup, HTTPS, 'HTTPS from cluster nodes');
    for (const service of plan.interfaceEndpoints) {
      if (isOrchestratorEndpoint(service)) {
        // In the control-plane subnet of the fabric's zone (lib/constructs/eks-network.ts).
        continue;
      }
      const endpoint = this.vpc.addInterfaceEndpoint(endpointId(service), {
        service: ENDPOINT_SERVICES[service],
        subnets: this.nodeSubnets,
        privateDnsEnabled: true,
        securityGroups: [this.endpointSecurityGroup],
        open: false,
      });
      const scope = plan.endpointPolicies[service];
      if (scope === undefined) {
        throw new Error(`network plan has no endpoint policy for ${service}`);
      }
      for (const statement of interfaceEndpointStatements(endpoint, scope, plan.imageRegistryAccounts)) {
        endpoint.addToPolicy(statement);
      }
    }

    // Nodes open connections only to the interface endpoints and, through the S3 gateway endpoint, to
    // S3 (its managed prefix list), both HTTPS; with `egress: nat`, HTTPS to any IPv4 address too.
    // Security groups do not filter the Amazon DNS server, instance metadata or the Time Sync Service
    // (https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html), so nodes keep those.
    this.clusterSecurityGroup.addEgressRule(this.endpointSecurityGroup, HTTPS, 'HTTPS to the VPC interface endpoints');
    // The prefix list ID of com.amazonaws.<region>.s3 differs by Region and cannot be looked up offline,
    // so the deployer passes it (docs/security.md: aws ec2 describe-managed-prefix-lists).
    const s3PrefixList = new CfnParameter(Stack.of(this), 'S3PrefixListId', {
      type: 'String',
      allowedPattern: '^pl-[0-9a-f]{8,17}$',
      description: `ID of the AWS-managed prefix list com.amazonaws.${region}.s3 (aws ec2 describe-managed-prefix-lists --filters Name=prefix-list-name,Values=com.amazonaws.${region}.s3)`,
    });
    this.clusterSecurityGroup.addEgressRule(ec2.Peer.prefixList(s3PrefixList.valueAsString), HTTPS, 'HTTPS to S3 through the gateway endpoint');
    if (plan.nodeEgress.internetHttps) {
      // egress: nat. This is what widens: any container on a node can reach any HTTPS address on the
      // internet, outside every endpoint and bucket policy (docs/security.md).
      this.clusterSecurityGroup.addEgressRule(ec2.Peer.anyIpv4(), HTTPS, 'HTTPS to the internet through the NAT gateway (egress: nat)');
      (this.clusterSecurityGroup.node.defaultChild as ec2.CfnSecurityGroup).cfnOptions.metadata = { [PERIMETER_METADATA]: { egress: 'nat' } };
      for (const subnet of this.vpc.publicSubnets) {
        const route = subnet.node.tryFindChild('DefaultRoute');
        if (route !== undefined) {
          acknowledge(
            route,
            'NIST.800.53.R5-VPCNoUnrestrictedRouteToIGW',
            'egress: nat was chosen in the configuration: this public /28 holds only the NAT gateway, whose route to the internet gateway is what NAT needs; nodes stay in private subnets and docs/security.md says what this widens.',
          );
        }
      }
    }
  }
}

/** The subnet group of a shared fabric's member site's storage subnet, e.g. `StorageBuilding02`. */
export function memberStorageSubnets(memberId: string): string {
  return `${STORAGE_SUBNETS}${memberId}`;
}

/** `ecr.dkr` -> `EcrDkrEndpoint` */
export function endpointId(service: string): string {
  return `${service
    .split('.')
    .map((p) => p[0].toUpperCase() + p.slice(1))
    .join('')}Endpoint`;
}
