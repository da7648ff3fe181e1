import { TRN2_ULTRASERVER } from '../../catalog/ultraserver';
import { CapacityKind } from '../../config/schema/site';
import { RawFinding, Rule, RuleLevel, pools } from './rule';

export const ultraServerWholeUnits: Rule = {
  code: 'RAIN-E102',
  level: RuleLevel.ERROR,
  name: 'ultraserver-whole-units',
  explanation:
    'UltraServer capacity is sold and scheduled in whole UltraServers of 4 nodes (64 chips); a pool sized in nodes must be a multiple of 4, and its size is given exactly once.',
  check: (config) => {
    const out: RawFinding[] = [];
    const per = TRN2_ULTRASERVER.instancesPerUltraServer;
    for (const p of pools(config)) {
      if (p.pool.kind !== CapacityKind.ULTRASERVER_CAPACITY_BLOCK) {
        continue;
      }
      const { ultraServers, nodes } = p.pool;
      if (ultraServers !== undefined && nodes !== undefined) {
        out.push({
          path: `${p.path}.nodes`,
          given: `both ultraServers: ${ultraServers} and nodes: ${nodes}`,
          allowed: 'give the size once: ultraServers (preferred) or nodes',
        });
      } else if (ultraServers === undefined && nodes === undefined) {
        out.push({ path: `${p.path}.ultraServers`, given: 'nothing', allowed: 'the number of UltraServers in the pool (or nodes, a multiple of 4)' });
      } else if (nodes !== undefined && nodes % per !== 0) {
        const lower = Math.floor(nodes / per) * per;
        const nearest = lower === 0 ? `${per}` : `${lower} or ${lower + per}`;
        out.push({
          path: `${p.path}.nodes`,
          given: `${nodes} nodes (${(nodes / per).toFixed(2)} UltraServers)`,
          allowed: `whole UltraServers of ${per} nodes: nearest valid ${nearest}, or set ultraServers instead`,
        });
      }
    }
    return out;
  },
};
