import { isValidCapacity, nearestCapacities } from '../storage';
import { Rule, RuleLevel } from './rule';

export const storageCapacitySteps: Rule = {
  code: 'RAIN-E301',
  level: RuleLevel.ERROR,
  name: 'storage-capacity-steps',
  explanation:
    'PERSISTENT_2 storage capacity is 1,200 GiB, 2,400 GiB or a multiple of 2,400 GiB (REFERENCE.md §6, CFN-SPEC); FSx rejects anything else at deploy time (PEERS pain point 9).',
  check: (config) => {
    const gib = config.storage.storageCapacityGiB;
    if (gib === undefined || isValidCapacity(gib)) {
      return [];
    }
    const { below, above } = nearestCapacities(gib);
    return [
      {
        path: 'storage.storageCapacityGiB',
        given: `${gib}`,
        allowed: `1200, 2400 or a multiple of 2400 GiB; nearest valid: ${below === undefined ? '' : `${below} below, `}${above} above`,
      },
    ];
  },
};
