import { EFA_CAPACITY_STEP_GIB, THROUGHPUT_TIERS, ThroughputTier, isThroughputTier, isValidEfaCapacity, resolveEfa } from '../storage';
import { Rule, RuleLevel } from './rule';

export const storageEfaCapacity: Rule = {
  code: 'RAIN-E302',
  level: RuleLevel.ERROR,
  name: 'storage-efa-capacity',
  explanation:
    'An EFA-enabled file system grows in steps of 38,400 GiB @125, 19,200 @250, 9,600 @500 and 4,800 @1000 MB/s/TiB (REFERENCE.md §6, FSX-INCREASE); the first step is treated as the minimum, since the minimum creation capacity is undocumented.',
  check: (config) => {
    const gib = config.storage.storageCapacityGiB;
    if (gib === undefined) {
      return [];
    }
    const tier = config.storage.throughputMBpsPerTiB;
    const efaSites = Object.entries(config.sites)
      .filter(([, site]) => resolveEfa(config.storage, site))
      .map(([name]) => name);
    if (efaSites.length === 0) {
      return [];
    }
    let tiers: ThroughputTier[];
    if (tier === undefined) {
      tiers = [...THROUGHPUT_TIERS];
    } else if (isThroughputTier(tier)) {
      tiers = [tier];
    } else {
      return []; // RAIN-E303 reports the tier
    }
    if (tiers.some((t) => isValidEfaCapacity(gib, t))) {
      return [];
    }
    // With no tier given, the finest step (4,800 GiB @1000) is the one that can fit.
    const t = tiers[tiers.length - 1];
    const step = EFA_CAPACITY_STEP_GIB[t];
    const below = Math.floor(gib / step) * step;
    const above = below + step;
    return [
      {
        path: 'storage.storageCapacityGiB',
        given: `${gib} with EFA on (sites: ${efaSites.join(', ')})`,
        allowed: `a multiple of ${step} GiB at ${t} MB/s/TiB; nearest valid: ${below >= step ? `${below} below, ` : ''}${above} above (or set storage.efa: false)`,
      },
    ];
  },
};
