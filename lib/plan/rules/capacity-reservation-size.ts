import { CapacityKind } from '../../config/schema/site';
import { poolReservedNodes } from '../capacity';
import { Rule, RuleLevel, pools } from './rule';

/** `AWS::EC2::CapacityReservation.InstanceCount`: 1 to 1,000 (REFERENCE.md §3, CFN-SPEC). */
export const MAX_INSTANCES_PER_CAPACITY_RESERVATION = 1000;

export const capacityReservationSize: Rule = {
  code: 'RAIN-E106',
  level: RuleLevel.ERROR,
  name: 'capacity-reservation-size',
  explanation:
    'An On-Demand Capacity Reservation holds 1 to 1,000 instances (AWS::EC2::CapacityReservation InstanceCount, CFN-SPEC); a larger pool needs several pools.',
  check: (config) =>
    pools(config)
      .filter((p) => p.pool.kind === CapacityKind.ON_DEMAND_CAPACITY_RESERVATION && poolReservedNodes(p.pool) > MAX_INSTANCES_PER_CAPACITY_RESERVATION)
      .map((p) => ({
        path: `${p.path}.${p.pool.kind === CapacityKind.ON_DEMAND_CAPACITY_RESERVATION && p.pool.reservedNodes !== undefined ? 'reservedNodes' : 'nodes'}`,
        given: `a reservation of ${poolReservedNodes(p.pool)} instances`,
        allowed: `at most ${MAX_INSTANCES_PER_CAPACITY_RESERVATION} per reservation; split the pool into several pools`,
      })),
};
