import { planStorage } from '../storage';
import { Rule, RuleLevel } from './rule';

export const storageMissesTarget: Rule = {
  code: 'RAIN-W301',
  level: RuleLevel.WARNING,
  name: 'storage-misses-target',
  explanation:
    'A configured capacity or tier that cannot meet the sizing targets (chips x storage.sizing.throughputPerChipMBps, and the checkpoint written within storage.sizing.checkpoint.maxWriteSeconds) leaves the chips waiting on storage. No peer relates storage to compute size (PEERS §4.5).',
  check: (config) => {
    if (config.storage.storageCapacityGiB === undefined && config.storage.throughputMBpsPerTiB === undefined) {
      return [];
    }
    return Object.entries(config.sites).flatMap(([name, site]) => {
      const plan = planStorage(config.storage, site);
      if (plan.meetsTargets) {
        return [];
      }
      return [
        {
          path: config.storage.storageCapacityGiB !== undefined ? 'storage.storageCapacityGiB' : 'storage.throughputMBpsPerTiB',
          given: `${plan.capacityGiB} GiB at ${plan.throughputMBpsPerTiB} MB/s/TiB = ${plan.aggregateThroughputMBps} MB/s for site ${name} (${plan.chips} chips; a ${plan.checkpointGB} GB checkpoint takes ${plan.checkpointWriteSeconds} s)`,
          allowed: `at least ${Math.max(plan.targetThroughputMBps, plan.targetCheckpointMBps)} MB/s (${plan.targetThroughputMBps} for the chips, ${plan.targetCheckpointMBps} for the checkpoint); omit the field to let the plan size it`,
        },
      ];
    });
  },
};
