import { CapacityKind } from '../../config/schema/site';
import { CAPACITY_BLOCK_SIZES, poolReservedNodes } from '../capacity';
import { Rule, RuleLevel, pools } from './rule';

export const capacityBlockSize: Rule = {
  code: 'RAIN-E105',
  level: RuleLevel.ERROR,
  name: 'capacity-block-size',
  explanation: 'An instance Capacity Block holds 1, 2, 4, 8, 16, 32 or 64 instances (EC2-CB); no other size can be bought.',
  check: (config) =>
    pools(config)
      .filter((p) => p.pool.kind === CapacityKind.CAPACITY_BLOCK && !CAPACITY_BLOCK_SIZES.includes(poolReservedNodes(p.pool)))
      .map((p) => {
        const reserved = poolReservedNodes(p.pool);
        const up = CAPACITY_BLOCK_SIZES.find((s) => s > reserved);
        return {
          path: `${p.path}.${p.pool.kind === CapacityKind.CAPACITY_BLOCK && p.pool.reservedNodes !== undefined ? 'reservedNodes' : 'nodes'}`,
          given: `a block of ${reserved} instances`,
          allowed: `one of ${CAPACITY_BLOCK_SIZES.join(', ')}${up !== undefined ? ` (set reservedNodes: ${up} to keep ${reserved} nodes)` : ''}`,
        };
      }),
};
