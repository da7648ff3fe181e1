import { SiteConfig } from '../config/schema';
import { poolNodes } from './capacity';

/**
 * Interface endpoints every site gets, so nodes reach AWS without the internet:
 * SSM Session Manager (ssm, ssmmessages, ec2messages), the CloudWatch agent (logs, monitoring,
 * and ec2 for the instance tags it adds as dimensions), KMS (objects in the cluster's buckets are
 * encrypted with customer keys), FSx (EFA-enabled Lustre clients call fsx:DescribeFileSystems) and
 * ECR (container images), Auto Scaling (nodes complete their launch lifecycle hook). S3 is reached through a gateway endpoint.
 */
export const INTERFACE_ENDPOINTS = [
  'ssm',
  'ssmmessages',
  'ec2messages',
  'ec2',
  'logs',
  'monitoring',
  'kms',
  'fsx',
  'ecr.api',
  'ecr.dkr',
  // Nodes complete their own launch lifecycle action (health-gated launch, lib/plan/health.ts).
  'autoscaling',
] as const;
export type InterfaceEndpointService = (typeof INTERFACE_ENDPOINTS)[number];

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
  /** Addresses the node subnet must hold: one per node (efa-only interfaces take none) plus one per interface endpoint. */
  readonly nodeAddressesNeeded: number;
  readonly nodeSubnetMask: number;
  readonly storageSubnetMask: number;
  /** Set only when nodes have NAT egress. */
  readonly publicSubnetMask?: number;
  readonly natGateway: boolean;
  readonly interfaceEndpoints: readonly InterfaceEndpointService[];
  /** Addresses in the VPC and addresses the subnets use. */
  readonly vpcAddresses: number;
  readonly subnetAddresses: number;
}

export function planNetwork(site: SiteConfig): NetworkPlan {
  const nodes = Object.values(site.pools).reduce((sum, pool) => sum + poolNodes(pool), 0);
  const needed = nodes + INTERFACE_ENDPOINTS.length;
  let mask = MIN_NODE_SUBNET_MASK;
  while (mask > 0 && 2 ** (32 - mask) - RESERVED_ADDRESSES_PER_SUBNET < needed) {
    mask--;
  }
  const vpcMask = Number(site.cidr.split('/')[1]);
  const nat = site.egress === 'nat';
  const subnetAddresses = 2 ** (32 - mask) + 2 ** (32 - STORAGE_SUBNET_MASK) + (nat ? 2 ** (32 - PUBLIC_SUBNET_MASK) : 0);
  return {
    cidr: site.cidr,
    availabilityZone: site.availabilityZone,
    nodeAddressesNeeded: needed,
    nodeSubnetMask: mask,
    storageSubnetMask: STORAGE_SUBNET_MASK,
    publicSubnetMask: nat ? PUBLIC_SUBNET_MASK : undefined,
    natGateway: nat,
    interfaceEndpoints: INTERFACE_ENDPOINTS,
    vpcAddresses: 2 ** (32 - vpcMask),
    subnetAddresses,
  };
}
