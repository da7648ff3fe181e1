import { instanceShape } from '../../catalog/instance-types';
import { CapacityKind } from '../../config/schema/site';
import { Rule, RuleLevel, pools } from './rule';

export const odcrInPlacementGroup: Rule = {
  code: 'RAIN-W203',
  level: RuleLevel.WARNING,
  name: 'odcr-in-placement-group',
  explanation:
    'On-Demand Capacity Reservations for EFA instances belong inside a cluster placement group (PlacementGroupArn), so that reserved nodes sit on the same low-latency network spine (EC2-PG-LIMITS).',
  check: (config) =>
    pools(config)
      .filter(
        (p) =>
          p.pool.kind === CapacityKind.ON_DEMAND_CAPACITY_RESERVATION &&
          p.pool.placementGroup === false &&
          instanceShape(p.pool.instanceType).efaDevices > 0,
      )
      .map((p) => ({
        path: `${p.path}.placementGroup`,
        given: 'false',
        allowed: 'true (the default) for On-Demand Capacity Reservations of EFA instances',
      })),
};
