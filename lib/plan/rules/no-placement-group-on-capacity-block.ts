import { isCapacityBlock } from '../capacity';
import { Rule, RuleLevel, pools } from './rule';

export const noPlacementGroupOnCapacityBlock: Rule = {
  code: 'RAIN-W202',
  level: RuleLevel.WARNING,
  name: 'no-placement-group-on-capacity-block',
  explanation:
    'Capacity Blocks are delivered already co-located in an UltraCluster (EC2-CB-USING); adding a cluster placement group can only cause insufficient-capacity errors (ParallelCluster: PlacementGroupCapacityTypeValidator).',
  check: (config) =>
    pools(config)
      .filter((p) => isCapacityBlock(p.pool.kind) && p.pool.placementGroup === true)
      .map((p) => ({
        path: `${p.path}.placementGroup`,
        given: 'true',
        allowed: 'false (the default) for Capacity Block pools',
      })),
};
