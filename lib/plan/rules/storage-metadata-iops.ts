import { isValidMetadataIops, nearestMetadataIops } from '../storage';
import { Rule, RuleLevel } from './rule';

export const storageMetadataIops: Rule = {
  code: 'RAIN-E304',
  level: RuleLevel.ERROR,
  name: 'storage-metadata-iops',
  explanation:
    'User-provisioned metadata IOPS on SSD are 1,500, 3,000, 6,000, 12,000, then multiples of 12,000 up to 192,000 (REFERENCE.md §6, API-MDC). MetadataConfiguration is set only at creation.',
  check: (config) => {
    const iops = config.storage.metadataIops;
    if (iops === undefined || isValidMetadataIops(iops)) {
      return [];
    }
    const { below, above } = nearestMetadataIops(iops);
    const near = [below === undefined ? undefined : `${below} below`, above === undefined ? undefined : `${above} above`]
      .filter((s) => s !== undefined)
      .join(', ');
    return [
      {
        path: 'storage.metadataIops',
        given: `${iops}`,
        allowed: `1500, 3000, 6000, 12000, then multiples of 12000 up to 192000 (or omit it for AUTOMATIC mode); nearest valid: ${near}`,
      },
    ];
  },
};
