import { InstanceTypeName, instanceShape } from '../catalog/instance-types';
import { TRN2_ULTRASERVER } from '../catalog/ultraserver';
import { PoolConfig } from '../config/schema';
import { CapacityKind } from '../config/schema/site';

/**
 * Which instance types each kind of capacity offers (REFERENCE.md §2 and DESIGN.md "Capacity, honestly modelled").
 * - UltraServer Capacity Blocks: trn2u.48xlarge, the UltraServer's server type.
 * - Instance Capacity Blocks: trn2.48xlarge and trn1.32xlarge (EC2-CB).
 * - On-Demand Capacity Reservations: every standalone Trainium type (trn2u is sold only as part of an UltraServer).
 */
export const INSTANCE_TYPES_BY_CAPACITY: Readonly<Record<CapacityKind, readonly InstanceTypeName[]>> = {
  [CapacityKind.ULTRASERVER_CAPACITY_BLOCK]: ['trn2u.48xlarge'],
  [CapacityKind.CAPACITY_BLOCK]: ['trn2.48xlarge', 'trn1.32xlarge'],
  [CapacityKind.ON_DEMAND_CAPACITY_RESERVATION]: ['trn2.48xlarge', 'trn2.3xlarge', 'trn1.32xlarge', 'trn1n.32xlarge'],
};

/** Instance counts a Capacity Block is sold in (EC2-CB): 1, 2, 4, 8, 16, 32 or 64. */
export const CAPACITY_BLOCK_SIZES: readonly number[] = [1, 2, 4, 8, 16, 32, 64];

/** Instances across all of an account's Capacity Blocks (EC2-CB). */
export const CAPACITY_BLOCK_ACCOUNT_LIMIT = 256;

/** Nodes a pool asks for, however its size was written. */
export function poolNodes(pool: PoolConfig): number {
  if (pool.kind === CapacityKind.ULTRASERVER_CAPACITY_BLOCK) {
    if (pool.ultraServers !== undefined) {
      return pool.ultraServers * TRN2_ULTRASERVER.instancesPerUltraServer;
    }
    return pool.nodes ?? 0;
  }
  return pool.nodes;
}

/** Instances the pool's reservation holds. */
export function poolReservedNodes(pool: PoolConfig): number {
  if (pool.kind === CapacityKind.ULTRASERVER_CAPACITY_BLOCK) {
    const reserved = pool.reservedUltraServers;
    return reserved === undefined ? poolNodes(pool) : reserved * TRN2_ULTRASERVER.instancesPerUltraServer;
  }
  return pool.reservedNodes ?? pool.nodes;
}

/** EFA interfaces per node: as configured, else one per EFA device of the instance type. */
export function poolEfaInterfaces(pool: PoolConfig): number {
  return pool.efaInterfaces ?? instanceShape(pool.instanceType).efaDevices;
}

/** Whether the pool launches into a cluster placement group. */
export function poolUsesPlacementGroup(pool: PoolConfig): boolean {
  if (pool.placementGroup !== undefined) {
    return pool.placementGroup;
  }
  return pool.kind === CapacityKind.ON_DEMAND_CAPACITY_RESERVATION;
}

export function isCapacityBlock(kind: CapacityKind): boolean {
  return kind === CapacityKind.CAPACITY_BLOCK || kind === CapacityKind.ULTRASERVER_CAPACITY_BLOCK;
}
