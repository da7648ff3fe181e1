import { ConfigError } from '../config/errors';
import { PerimeterConfig, SiteConfig, perimeterSchema } from '../config/schema';
import { poolNodes } from './capacity';
import { EKS_ADDON_REGISTRY_ACCOUNTS, ORCHESTRATOR_INTERFACE_ENDPOINT_POLICIES } from './eks';
import { cidrRange, numberToIpv4 } from './ipv4';

/**
 * What an interface endpoint's policy lets this account's principals reach besides this account's
 * own resources (docs/security.md; AWS data perimeter examples,
 * https://github.com/aws-samples/data-perimeter-policy-examples/tree/main/vpc_endpoint_policies):
 * - `none`: only this account's resources (`aws:PrincipalAccount` and `aws:ResourceAccount` both
 *   this account);
 * - `aws-owned-ssm`: also AWS-owned SSM documents and public parameters, which Session Manager and
 *   the agent read (the examples' ssm_endpoint_policy.json);
 * - `image-registries`: also the ECR registries of `perimeter.imageRegistryAccounts` (the examples'
 *   ecr.api_endpoint_policy.json);
 * - `any`: the principal perimeter only. For services whose node calls name no resource ARN
 *   (PutMetricData, DescribeTags, DescribeFileSystems, the SSM message channels) the presence of
 *   `aws:ResourceAccount` is not documented for every action, so it is not required there; none of
 *   them can move data into another account (metrics and messages stay in the caller's account).
 */
export type EndpointResourceScope = 'none' | 'aws-owned-ssm' | 'image-registries' | 'any';

/**
 * Interface endpoints every site gets, so nodes reach AWS without the internet, and what each
 * endpoint's policy allows beyond this account's principals on this account's resources.
 * SSM Session Manager (ssm, ssmmessages, ec2messages), the CloudWatch agent (logs, monitoring,
 * and ec2 for the instance tags it adds as dimensions), KMS (objects in the cluster's buckets are
 * encrypted with customer keys), FSx (EFA-enabled Lustre clients call fsx:DescribeFileSystems) and
 * ECR (container images), Auto Scaling (nodes complete their launch lifecycle hook). S3 is reached
 * through a gateway endpoint. Add an endpoint with one line.
 */
export const INTERFACE_ENDPOINT_POLICIES = {
  ssm: 'aws-owned-ssm',
  ssmmessages: 'any',
  ec2messages: 'any',
  ec2: 'any',
  logs: 'none',
  monitoring: 'any',
  kms: 'none',
  fsx: 'any',
  'ecr.api': 'image-registries',
  'ecr.dkr': 'image-registries',
  // Nodes complete their own launch lifecycle action (health-gated launch, lib/plan/health.ts): it
  // names this account's Auto Scaling group and moves no data, so the principal perimeter suffices.
  autoscaling: 'any',
} as const satisfies Record<string, EndpointResourceScope>;

export const INTERFACE_ENDPOINTS = Object.keys(INTERFACE_ENDPOINT_POLICIES) as (keyof typeof INTERFACE_ENDPOINT_POLICIES)[];
/** An interface endpoint of the site, including those only `orchestrator: eks` adds (lib/plan/eks.ts). */
export type InterfaceEndpointService = keyof typeof INTERFACE_ENDPOINT_POLICIES | keyof typeof ORCHESTRATOR_INTERFACE_ENDPOINT_POLICIES;

/**
 * AWS-owned buckets nodes read through the S3 gateway endpoint (s3:GetObject only), `{region}`
 * replaced by the site's Region. Every other bucket the endpoint reaches belongs to this account.
 */
export const AWS_OWNED_BUCKETS: readonly { readonly bucket: string; readonly why: string; readonly source: string }[] = [
  {
    bucket: 'amazon-ssm-{region}',
    why: 'SSM Agent updates',
    source: 'https://docs.aws.amazon.com/systems-manager/latest/userguide/ssm-agent-minimum-s3-permissions.html',
  },
  {
    bucket: 'aws-ssm-{region}',
    why: 'SSM Agent and Session Manager components',
    source: 'https://docs.aws.amazon.com/systems-manager/latest/userguide/ssm-agent-minimum-s3-permissions.html',
  },
  {
    bucket: 'amazon-ssm-packages-{region}',
    why: 'SSM Distributor packages the agent installs',
    source: 'https://docs.aws.amazon.com/systems-manager/latest/userguide/ssm-agent-minimum-s3-permissions.html',
  },
  {
    bucket: '{region}-birdwatcher-prod',
    why: 'SSM Distributor package manifests',
    source: 'https://docs.aws.amazon.com/systems-manager/latest/userguide/ssm-agent-minimum-s3-permissions.html',
  },
  {
    bucket: 'aws-ssm-document-attachments-{region}',
    why: 'attachments of AWS-owned SSM documents',
    source: 'https://docs.aws.amazon.com/systems-manager/latest/userguide/ssm-agent-minimum-s3-permissions.html',
  },
  {
    bucket: 'prod-{region}-starport-layer-bucket',
    why: 'ECR image layers (docker pull through the ECR endpoints)',
    source: 'https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html#ecr-minimum-s3-perms',
  },
  {
    bucket: 'amazoncloudwatch-agent-{region}',
    why: 'the CloudWatch agent package, downloaded in-Region',
    source: 'https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/download-CloudWatch-Agent-on-EC2-Instance-commandline-first.html',
  },
  {
    bucket: 'al2023-repos-{region}-de612dc2',
    why: 'Amazon Linux 2023 package repositories (dnf on the AL2023 DLAMIs)',
    source: 'https://github.com/aws-samples/data-perimeter-policy-examples/blob/main/vpc_endpoint_policies/s3_endpoint_policy.json',
  },
];

/** S3 actions nodes may use on the AWS-owned buckets above: read only. */
export const AWS_OWNED_BUCKET_ACTIONS = ['s3:GetObject'] as const;


/** Addresses AWS reserves in every subnet, the first four and the last (https://docs.aws.amazon.com/vpc/latest/userguide/subnet-sizing.html). */
export const RESERVED_ADDRESSES_PER_SUBNET = 5;
/** The node subnet is never smaller than a /24, leaving room to grow without renumbering. */
export const MIN_NODE_SUBNET_MASK = 24;
/** Storage subnet: the file system's servers. */
export const STORAGE_SUBNET_MASK = 24;
/** Public subnet, only with `egress: nat`: holds the NAT gateway and nothing else. */
export const PUBLIC_SUBNET_MASK = 28;

export interface NetworkPlan {
  readonly cidr: string;
  readonly availabilityZone: string;
  /** Addresses the node subnet must hold: one per node (efa-only interfaces take none) plus one per interface endpoint in it (all but the orchestrator's). */
  readonly nodeAddressesNeeded: number;
  readonly nodeSubnetMask: number;
  readonly storageSubnetMask: number;
  /** Set only when nodes have NAT egress. */
  readonly publicSubnetMask?: number;
  readonly natGateway: boolean;
  readonly interfaceEndpoints: readonly InterfaceEndpointService[];
  /** Per interface endpoint, what its policy allows beyond this account (INTERFACE_ENDPOINT_POLICIES, and ORCHESTRATOR_INTERFACE_ENDPOINT_POLICIES with `orchestrator: eks`). */
  readonly endpointPolicies: Readonly<Partial<Record<InterfaceEndpointService, EndpointResourceScope>>>;
  /** AWS-owned buckets the S3 gateway endpoint lets nodes read, names resolved for the site's Region. */
  readonly awsOwnedBuckets: readonly string[];
  /**
   * Other accounts' ECR registries the ECR endpoints let nodes pull from (`perimeter.imageRegistryAccounts`;
   * with `orchestrator: eks` also the Region's EKS add-on registry, lib/plan/eks.ts).
   */
  readonly imageRegistryAccounts: readonly string[];
  /**
   * Where the cluster security group lets nodes open connections: the interface endpoints' group
   * and the S3 prefix list always (HTTPS), and with `egress: nat` any IPv4 address (HTTPS).
   */
  readonly nodeEgress: { readonly endpoints: true; readonly s3PrefixList: true; readonly internetHttps: boolean };
  /**
   * Shared fabric only (`sites.<site>.fabric`): the other member sites, in configuration order. Each
   * gets its own /24 storage subnet (group `Storage<SiteId>`) in this VPC, after the owner's
   * storage (and public) subnet; the node subnet is sized for every member's nodes. Absent for a
   * site that is its own fabric, whose network is exactly what it always was.
   */
  readonly sharedWith?: readonly string[];
  /** Addresses in the VPC and addresses the subnets use. */
  readonly vpcAddresses: number;
  readonly subnetAddresses: number;
}

/**
 * A site's network, or with `members` (the other sites of its shared fabric) the fabric's network:
 * the owner's CIDR and egress, one node subnet for every member's nodes (one address per node:
 * efa-only interfaces take none), and a storage subnet per member. With `eks` (`orchestrator: eks`)
 * also the endpoints and image registry an EKS cluster's nodes need (lib/plan/eks.ts); without it
 * the network is exactly what it always was.
 */
export function planNetwork(
  site: SiteConfig,
  perimeter: PerimeterConfig = perimeterSchema.parse({}),
  members: readonly { readonly name: string; readonly site: SiteConfig }[] = [],
  eks = false,
): NetworkPlan {
  const nodes = [site, ...members.map((m) => m.site)].reduce(
    (sum, s) => sum + Object.values(s.pools).reduce((n, pool) => n + poolNodes(pool), 0),
    0,
  );
  const interfaceEndpoints: InterfaceEndpointService[] = eks ? [...INTERFACE_ENDPOINTS, ...(Object.keys(ORCHESTRATOR_INTERFACE_ENDPOINT_POLICIES) as InterfaceEndpointService[])] : INTERFACE_ENDPOINTS;
  // The orchestrator's endpoints sit in the fabric-zone control-plane subnet (lib/constructs/eks-network.ts),
  // not in the node subnet, so turning EKS on or off never resizes (and so never moves) the node subnet.
  const needed = nodes + INTERFACE_ENDPOINTS.length;
  let mask = MIN_NODE_SUBNET_MASK;
  while (mask > 0 && 2 ** (32 - mask) - RESERVED_ADDRESSES_PER_SUBNET < needed) {
    mask--;
  }
  const vpcMask = Number(site.cidr.split('/')[1]);
  const nat = site.egress === 'nat';
  const subnetAddresses = 2 ** (32 - mask) + (1 + members.length) * 2 ** (32 - STORAGE_SUBNET_MASK) + (nat ? 2 ** (32 - PUBLIC_SUBNET_MASK) : 0);
  return {
    cidr: site.cidr,
    availabilityZone: site.availabilityZone,
    nodeAddressesNeeded: needed,
    nodeSubnetMask: mask,
    storageSubnetMask: STORAGE_SUBNET_MASK,
    publicSubnetMask: nat ? PUBLIC_SUBNET_MASK : undefined,
    natGateway: nat,
    interfaceEndpoints,
    endpointPolicies: eks ? { ...INTERFACE_ENDPOINT_POLICIES, ...ORCHESTRATOR_INTERFACE_ENDPOINT_POLICIES } : INTERFACE_ENDPOINT_POLICIES,
    imageRegistryAccounts: eks ? withEksAddonRegistry(perimeter.imageRegistryAccounts, site.region) : perimeter.imageRegistryAccounts,
    awsOwnedBuckets: AWS_OWNED_BUCKETS.map((b) => b.bucket.replace('{region}', site.region)),
    nodeEgress: { endpoints: true, s3PrefixList: true, internetHttps: nat },
    ...(members.length > 0 ? { sharedWith: members.map((m) => m.name) } : {}),
    vpcAddresses: 2 ** (32 - vpcMask),
    subnetAddresses,
  };
}

/**
 * EKS control-plane subnets (`orchestrator: eks`): one /27 in each of two zones, the fabric's own and
 * `controlPlaneZone`. EKS needs "at least two subnets that are in different Availability Zones" and
 * recommends at least 16 IP addresses in each (Amazon EKS User Guide, VPC and subnet requirements,
 * https://docs.aws.amazon.com/eks/latest/userguide/network-reqs.html); a /27 holds 27 after the 5
 * AWS reserves. They are cut from the END of the VPC block, while the VPC allocates its own subnets
 * from the start (storage, public, member storage, then the node subnet, aligned: aws-cdk-lib
 * NetworkBuilder), so turning EKS on or off moves no existing subnet (test/orchestrator-plan.test.ts).
 */
export const CONTROL_PLANE_SUBNET_MASK = 27;

/** The two control-plane subnet CIDRs of a VPC: the second-last /27 (fabric zone) and the last (control-plane zone). */
export function controlPlaneSubnetCidrs(vpcCidr: string): readonly [string, string] {
  const size = 2 ** (32 - CONTROL_PLANE_SUBNET_MASK);
  const [, end] = cidrRange(vpcCidr);
  return [`${numberToIpv4(end - 2 * size)}/${CONTROL_PLANE_SUBNET_MASK}`, `${numberToIpv4(end - size)}/${CONTROL_PLANE_SUBNET_MASK}`];
}

/**
 * Addresses from the start of the VPC block up to the end of its last subnet, as aws-cdk-lib's
 * NetworkBuilder allocates them (lib/constructs/network.ts order: storage, public with NAT, each
 * other member's storage, then the node subnet; every subnet aligned to its own size).
 */
export function subnetLayoutEnd(net: NetworkPlan): number {
  const masks = [net.storageSubnetMask, ...(net.publicSubnetMask !== undefined ? [net.publicSubnetMask] : []), ...(net.sharedWith ?? []).map(() => net.storageSubnetMask), net.nodeSubnetMask];
  let next = 0;
  for (const mask of masks) {
    const size = 2 ** (32 - mask);
    next = Math.ceil(next / size) * size + size;
  }
  return next;
}

/** `perimeter.imageRegistryAccounts` and the Region's EKS add-on registry account (once). */
function withEksAddonRegistry(accounts: readonly string[], region: string): readonly string[] {
  const eks = EKS_ADDON_REGISTRY_ACCOUNTS[region];
  if (eks === undefined) {
    throw new ConfigError([
      {
        path: 'orchestrator',
        given: `"eks" with a site in ${region}`,
        allowed: `a site Region with a known EKS add-on image registry (lib/plan/eks.ts, from https://docs.aws.amazon.com/eks/latest/userguide/add-ons-images.html): ${Object.keys(EKS_ADDON_REGISTRY_ACCOUNTS).join(', ')}`,
      },
    ]);
  }
  return accounts.includes(eks) ? accounts : [...accounts, eks];
}
