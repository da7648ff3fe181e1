import { isCapacityBlock, CAPACITY_BLOCK_ACCOUNT_LIMIT, poolReservedNodes } from '../capacity';
import { Rule, RuleLevel, pools } from './rule';

export const capacityBlockAccountLimit: Rule = {
  code: 'RAIN-W107',
  level: RuleLevel.WARNING,
  name: 'capacity-block-account-limit',
  explanation:
    'EC2 allows at most 256 instances across an account\'s Capacity Blocks (EC2-CB). Beyond that the blocks cannot be bought without a capacity agreement or more accounts.',
  check: (config) => {
    const total = pools(config)
      .filter((p) => isCapacityBlock(p.pool.kind))
      .reduce((sum, p) => sum + poolReservedNodes(p.pool), 0);
    if (total <= CAPACITY_BLOCK_ACCOUNT_LIMIT) {
      return [];
    }
    return [
      {
        path: 'sites',
        given: `${total} instances on Capacity Blocks`,
        allowed: `at most ${CAPACITY_BLOCK_ACCOUNT_LIMIT} across an account's blocks; split across accounts or acknowledge an agreement with AWS`,
      },
    ];
  },
};
