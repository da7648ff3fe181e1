import { TRN2_ULTRASERVER } from '../../catalog/ultraserver';
import { CapacityKind } from '../../config/schema/site';
import { poolReservedNodes } from '../capacity';
import { RawFinding, Rule, RuleLevel, pools } from './rule';

/**
 * One UltraServer Capacity Block per UltraServer, listed in order (issue #12, docs/topology.md).
 * A block can hold several UltraServers (`DescribeCapacityBlockOfferings` takes `UltraserverCount`,
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeCapacityBlockOfferings.html),
 * and a launch that targets a block, or a resource group of blocks, may land in any UltraServer of
 * it (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/cb-group.html). Only a block that holds
 * exactly one UltraServer binds a group of four nodes to one NeuronLink domain.
 */
export const ultraServerBlockEach: Rule = {
  code: 'RAIN-E110',
  level: RuleLevel.ERROR,
  name: 'ultraserver-block-each',
  explanation:
    'Each UltraServer is bound to its own UltraServer Capacity Block (bought with UltraserverCount 1), so the listed reservationIds name one distinct block per reserved UltraServer, in UltraServer order; otherwise EC2 may place the four nodes of one group on different UltraServers.',
  check: (config) => {
    const out: RawFinding[] = [];
    for (const p of pools(config)) {
      if (p.pool.kind !== CapacityKind.ULTRASERVER_CAPACITY_BLOCK || p.pool.reservationIds === undefined) {
        continue;
      }
      const ids = p.pool.reservationIds;
      const reserved = poolReservedNodes(p.pool) / TRN2_ULTRASERVER.instancesPerUltraServer;
      // An ID listed twice (here or in another pool) is refused earlier, by the configuration checks
      // (lib/config/checks.ts), before any rule runs; this rule counts.
      if (ids.length !== reserved) {
        out.push({
          path: `${p.path}.reservationIds`,
          given: `${ids.length} ID(s) for ${reserved} reserved UltraServer(s)`,
          allowed: `exactly ${reserved}: one UltraServer Capacity Block (UltraserverCount 1) per UltraServer, in UltraServer order`,
        });
      }
    }
    return out;
  },
};
