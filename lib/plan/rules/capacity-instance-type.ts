import { CapacityKind } from '../../config/schema/site';
import { INSTANCE_TYPES_BY_CAPACITY } from '../capacity';
import { Rule, RuleLevel, pools } from './rule';

export const capacityInstanceType: Rule = {
  code: 'RAIN-E103',
  level: RuleLevel.ERROR,
  name: 'capacity-instance-type',
  explanation:
    'Each kind of reserved capacity is offered for some instance types only: instance Capacity Blocks for trn2.48xlarge and trn1.32xlarge (EC2-CB), On-Demand Capacity Reservations for standalone Trainium types; trn2u.48xlarge comes only inside an UltraServer.',
  check: (config) =>
    pools(config)
      // UltraServer pools have their own, more specific rule (RAIN-E101).
      .filter((p) => p.pool.kind !== CapacityKind.ULTRASERVER_CAPACITY_BLOCK)
      .filter((p) => !INSTANCE_TYPES_BY_CAPACITY[p.pool.kind].includes(p.pool.instanceType))
      .map((p) => ({
        path: `${p.path}.instanceType`,
        given: `"${p.pool.instanceType}" with kind "${p.pool.kind}"`,
        allowed: `kind "${p.pool.kind}" offers ${INSTANCE_TYPES_BY_CAPACITY[p.pool.kind].join(', ')}`,
      })),
};
