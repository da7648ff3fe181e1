import { THROUGHPUT_TIERS, isThroughputTier } from '../storage';
import { Rule, RuleLevel } from './rule';

export const storageThroughputTier: Rule = {
  code: 'RAIN-E303',
  level: RuleLevel.ERROR,
  name: 'storage-throughput-tier',
  explanation:
    'PERSISTENT_2 SSD throughput is 125, 250, 500 or 1000 MB/s/TiB (REFERENCE.md §6, FSX-THRU); bad pairs are otherwise caught only at apply (PEERS pain point 9).',
  check: (config) => {
    const tier = config.storage.throughputMBpsPerTiB;
    if (tier === undefined || isThroughputTier(tier)) {
      return [];
    }
    return [
      {
        path: 'storage.throughputMBpsPerTiB',
        given: `${tier}`,
        allowed: `one of ${THROUGHPUT_TIERS.join(', ')} MB/s/TiB (PERSISTENT_2 SSD)`,
      },
    ];
  },
};
