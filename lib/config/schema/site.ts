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

const instanceType = z.enum(INSTANCE_TYPE_NAMES);

/** Fields every pool has. */
const poolCommon = {
  instanceType,
  /**
   * EFA interfaces per node. Default: one per EFA-capable network card of the instance type.
   */
  efaInterfaces: z.number().int().min(0).optional(),
  /**
   * Whether the pool's nodes launch into a cluster placement group.
   * Default: true for On-Demand Capacity Reservations, false for Capacity Blocks (already co-located).
   */
  placementGroup: z.boolean().optional(),
};

const ultraServerPool = z.strictObject({
  kind: z.literal(CapacityKind.ULTRASERVER_CAPACITY_BLOCK),
  ...poolCommon,
  /** Number of UltraServers (4 nodes each). Give this or `nodes`. */
  ultraServers: positiveInt.optional(),
  /** Number of nodes; must be whole UltraServers (a multiple of 4). Give this or `ultraServers`. */
  nodes: positiveInt.optional(),
  /** UltraServers covered by the purchased blocks. Default: `ultraServers`. */
  reservedUltraServers: positiveInt.optional(),
  /** IDs of the purchased UltraServer Capacity Blocks. Default: taken from a CloudFormation parameter at deploy time. */
  reservationIds: z.array(reservationId).min(1).optional(),
});

const capacityBlockPool = z.strictObject({
  kind: z.literal(CapacityKind.CAPACITY_BLOCK),
  ...poolCommon,
  nodes: positiveInt,
  /** Instances in the purchased block (1, 2, 4, 8, 16, 32 or 64). Default: `nodes`. */
  reservedNodes: positiveInt.optional(),
  /** ID of the purchased Capacity Block. Default: taken from a CloudFormation parameter at deploy time. */
  reservationId: reservationId.optional(),
});

const onDemandPool = z.strictObject({
  kind: z.literal(CapacityKind.ON_DEMAND_CAPACITY_RESERVATION),
  ...poolCommon,
  nodes: positiveInt,
  /** Instances to reserve (spares included). Default: `nodes`. */
  reservedNodes: positiveInt.optional(),
  /** When the reservation ends (ISO 8601, UTC). Default: it never ends (`EndDateType: unlimited`). */
  endDate: z.iso.datetime().optional(),
});

export const poolSchema = z.discriminatedUnion('kind', [ultraServerPool, capacityBlockPool, onDemandPool]);

export const siteSchema = z.strictObject({
  /** AWS Region of the site, e.g. `us-east-2`. */
  region: z.string().regex(/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/, { message: 'an AWS Region name such as "us-east-2"' }),
  /** The one Availability Zone of the site (EFA does not cross AZs), e.g. `us-east-2a`. */
  availabilityZone: z.string().regex(/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d[a-z]$/, {
    message: 'an Availability Zone name such as "us-east-2a"',
  }),
  /** IPv4 CIDR of the site's VPC, /16 to /24. */
  cidr: z.string().regex(/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(1[6-9]|2[0-4])$/, {
    message: 'an IPv4 CIDR block from /16 to /24, such as "10.0.0.0/16"',
  }),
  /**
   * Internet egress for nodes: `none` (only VPC endpoints; the default) or `nat` (a NAT gateway in a
   * public subnet, for nodes that must reach package mirrors or the internet).
   */
  egress: z.enum(['none', 'nat']).default('none'),
  /** Capacity pools, keyed by pool name. */
  pools: z.record(resourceName, poolSchema).refine((pools) => Object.keys(pools).length > 0, {
    message: 'at least one pool',
  }),
});

export type PoolConfig = z.output<typeof poolSchema>;
export type UltraServerPoolConfig = z.output<typeof ultraServerPool>;
export type CapacityBlockPoolConfig = z.output<typeof capacityBlockPool>;
export type OnDemandPoolConfig = z.output<typeof onDemandPool>;
export type SiteConfig = z.output<typeof siteSchema>;
