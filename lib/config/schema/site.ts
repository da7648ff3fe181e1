import { z } from 'zod';
import { INSTANCE_TYPE_NAMES } from '../../catalog/instance-types';
import { positiveInt, reservationId, resourceName } from './common';

/** The ways capacity is obtained (REFERENCE.md §2). */
export enum CapacityKind {
  /** Trn2 UltraServer Capacity Block(s), bought out of band, counted in UltraServers. */
  ULTRASERVER_CAPACITY_BLOCK = 'ultraserver-capacity-block',
  /** An instance Capacity Block, bought out of band. */
  CAPACITY_BLOCK = 'capacity-block',
  /** An On-Demand Capacity Reservation that the stack creates. */
  ON_DEMAND_CAPACITY_RESERVATION = 'on-demand-capacity-reservation',
}

/** 0-255 without leading zeros: what aws-cdk-lib's CIDR parser accepts (it throws on 300). */
const OCTET = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';

const instanceType = z.enum(INSTANCE_TYPE_NAMES).describe('EC2 instance type of every node in the pool; the capacity kind limits the choice (rule RAIN-E101/E103).');

/**
 * The most nodes one pool can have. A site's VPC is at most a /16 and must also hold its /24 storage
 * subnet, so its node subnet is at most a /17: 32,768 addresses, less the 5 AWS reserves in every
 * subnet and one per interface endpoint (11), at one address per node (efa-only interfaces take
 * none). lib/plan/network.ts does the same arithmetic; a test keeps the two equal.
 */
export const MAX_NODES_PER_POOL = 32_752;
/** Whole UltraServers within MAX_NODES_PER_POOL. */
export const MAX_ULTRASERVERS_PER_POOL = Math.floor(MAX_NODES_PER_POOL / 4);

const nodeCount = positiveInt.max(MAX_NODES_PER_POOL);

const NODES_DOC = 'Number of nodes. In an UltraServer pool: a multiple of 4, given instead of `ultraServers`.';
const RESERVED_NODES_DOC = 'Instances the reservation holds, spares included; for a Capacity Block its size, one of 1, 2, 4, 8, 16, 32, 64. Default: `nodes`.';

/** Fields every pool has. */
const poolCommon = {
  instanceType,
  efaInterfaces: z.number().int().min(0).optional().describe('EFA interfaces per node. Default: one per EFA-capable network card of the instance type.'),
  placementGroup: z.boolean().optional().describe("Whether the pool's nodes launch into a cluster placement group. Default: true for On-Demand Capacity Reservations, false for Capacity Blocks (already co-located)."),
};

const ultraServerPool = z.strictObject({
  kind: z.literal(CapacityKind.ULTRASERVER_CAPACITY_BLOCK).describe('How the capacity is obtained: UltraServer Capacity Blocks and instance Capacity Blocks are bought out of band; an On-Demand Capacity Reservation is created by the stack.'),
  ...poolCommon,
  ultraServers: positiveInt.max(MAX_ULTRASERVERS_PER_POOL).optional().describe('Number of UltraServers (4 nodes each). Give this or `nodes`.'),
  nodes: nodeCount.optional().describe(NODES_DOC),
  reservedUltraServers: positiveInt.optional().describe('UltraServers covered by the purchased blocks. Default: `ultraServers`.'),
  reservationIds: z.array(reservationId).min(1).optional().describe('IDs of the purchased UltraServer Capacity Blocks, one block (UltraserverCount 1) per reserved UltraServer, in UltraServer order. Default: taken from CloudFormation parameters at deploy time.'),
});

const capacityBlockPool = z.strictObject({
  kind: z.literal(CapacityKind.CAPACITY_BLOCK),
  ...poolCommon,
  nodes: nodeCount.describe(NODES_DOC),
  reservedNodes: positiveInt.optional().describe(RESERVED_NODES_DOC),
  reservationId: reservationId.optional().describe('ID of the purchased Capacity Block. Default: taken from a CloudFormation parameter at deploy time.'),
});

const onDemandPool = z.strictObject({
  kind: z.literal(CapacityKind.ON_DEMAND_CAPACITY_RESERVATION),
  ...poolCommon,
  nodes: nodeCount.describe(NODES_DOC),
  reservedNodes: positiveInt.optional().describe(RESERVED_NODES_DOC),
  endDate: z.iso.datetime().optional().describe('When the reservation ends (ISO 8601, UTC). Default: it never ends (`EndDateType: unlimited`).'),
});

export const poolSchema = z.discriminatedUnion('kind', [ultraServerPool, capacityBlockPool, onDemandPool]);

export const siteSchema = z.strictObject({
  region: z.string().regex(/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/, { message: 'an AWS Region name such as "us-east-2"' }).describe('AWS Region of the site, e.g. `us-east-2`.'),
  availabilityZone: z.string().regex(/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d[a-z]$/, {
    message: 'an Availability Zone name such as "us-east-2a"',
  }).describe('The one Availability Zone of the site (EFA does not cross AZs), e.g. `us-east-2a`.'),
  cidr: z.string().regex(new RegExp(`^${OCTET}\\.${OCTET}\\.${OCTET}\\.${OCTET}\\/(1[6-9]|2[0-4])$`), {
    message: 'an IPv4 CIDR block from /16 to /24, four numbers from 0 to 255 without leading zeros, such as "10.0.0.0/16"',
  }).describe("IPv4 CIDR of the site's VPC, /16 to /24."),
  egress: z.enum(['none', 'nat']).default('none').describe('Internet egress for nodes: `none` (only VPC endpoints; the default) or `nat` (a NAT gateway in a public subnet, for nodes that must reach package mirrors or the internet).'),
  fabric: resourceName.optional().describe(
    'Name of a shared EFA fabric. Sites (buildings) that name the same fabric share one VPC (the first member\'s `cidr`), one node subnet and one cluster security group, so a job can span them; each keeps its own storage subnet, file system, buckets, keys, compute and monitoring. All members must be in the same Region and Availability Zone and have the same `egress`. Default: the site is its own fabric with its own VPC (docs/topology.md, "Shared fabrics").',
  ),
  pools: z.record(resourceName, poolSchema).refine((pools) => Object.keys(pools).length > 0, {
    message: 'at least one pool',
  }).describe('Capacity pools, keyed by pool name.'),
});

export type PoolConfig = z.output<typeof poolSchema>;
export type UltraServerPoolConfig = z.output<typeof ultraServerPool>;
export type CapacityBlockPoolConfig = z.output<typeof capacityBlockPool>;
export type OnDemandPoolConfig = z.output<typeof onDemandPool>;
export type SiteConfig = z.output<typeof siteSchema>;
