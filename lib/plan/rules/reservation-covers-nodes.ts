import { TRN2_ULTRASERVER } from '../../catalog/ultraserver';
import { CapacityKind } from '../../config/schema/site';
import { poolNodes, poolReservedNodes } from '../capacity';
import { Rule, RuleLevel, pools } from './rule';

export const reservationCoversNodes: Rule = {
  code: 'RAIN-E104',
  level: RuleLevel.ERROR,
  name: 'reservation-covers-nodes',
  explanation:
    'Nodes launch only into their reservation (capacity-reservations-only, or a Capacity Block); a pool with more nodes than its reservation leaves the surplus failing to launch for ever (ParallelCluster: CapacityReservationSizeValidator).',
  check: (config) =>
    pools(config)
      .filter((p) => poolNodes(p.pool) > poolReservedNodes(p.pool))
      .map((p) => {
        const us = p.pool.kind === CapacityKind.ULTRASERVER_CAPACITY_BLOCK;
        const per = TRN2_ULTRASERVER.instancesPerUltraServer;
        return {
          path: `${p.path}.${us ? 'reservedUltraServers' : 'reservedNodes'}`,
          given: us
            ? `${poolReservedNodes(p.pool) / per} reserved UltraServers for ${poolNodes(p.pool) / per}`
            : `${poolReservedNodes(p.pool)} reserved nodes for ${poolNodes(p.pool)}`,
          allowed: us
            ? `at least ${poolNodes(p.pool) / per} UltraServers, or fewer UltraServers in the pool`
            : `at least ${poolNodes(p.pool)}, or fewer nodes in the pool`,
        };
      }),
};
