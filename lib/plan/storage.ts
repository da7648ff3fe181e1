import { InstanceShape, instanceShape } from '../catalog/instance-types';
import { SiteConfig, StorageConfig } from '../config/schema';
import { poolEfaInterfaces, poolNodes } from './capacity';

/**
 * Sizing of a site's FSx for Lustre file system. Pure: constructs and rules only read the result.
 *
 * Facts (../shared/REFERENCE.md §6 unless noted):
 * - PERSISTENT_2 SSD tiers: 125, 250, 500, 1000 MB/s/TiB.
 * - Capacity: 1,200 GiB, 2,400 GiB, then multiples of 2,400 GiB, for every tier.
 * - EFA-enabled file systems grow in steps of 38,400 GiB @125, 19,200 @250, 9,600 @500, 4,800 @1000
 *   (FSX-INCREASE). The minimum *creation* capacity with EFA is not documented (REFERENCE "Uncertain");
 *   this plan treats the first step as the minimum. Note that every step is worth 4,800 MB/s.
 * - Throughput = capacity (TiB, as FSx counts it: 2,400 GiB = 2.4 TiB) x tier. AWS's own example:
 *   "For a 2.4-TiB file system, provisioning 50 MB/s/TiB ... yields 120 MB/s"
 *   (CreateFileSystemLustreConfiguration.PerUnitStorageThroughput,
 *   https://docs.aws.amazon.com/fsx/latest/APIReference/API_CreateFileSystemLustreConfiguration.html).
 * - Metadata IOPS (SSD): 1,500, 3,000, 6,000, 12,000, then multiples of 12,000 up to 192,000 (API-MDC).
 * - EFA clients: "Nitro v4 (or higher) EC2 instances that support EFA, excluding the trn2 instance
 *   family" (https://docs.aws.amazon.com/fsx/latest/LustreGuide/efa-file-systems.html and
 *   configure-efa-clients.html). An EFA-enabled file system still serves other clients over ENA.
 *
 * Cost: FSx bills storage capacity per GB-month at a rate set by the tier
 * (https://aws.amazon.com/fsx/lustre/pricing/). The rates are not recorded here (the pricing page
 * could not be read offline, and we do not invent numbers), so the plan uses a price-free order:
 * least capacity first, then the lowest tier that still meets the targets. For equal capacity that
 * is exactly the cheapest (a lower tier has a lower rate); across capacities it is the cheapest as
 * long as doubling the tier less than doubles the rate. Set both fields to override.
 */

export const THROUGHPUT_TIERS = [125, 250, 500, 1000] as const;
export type ThroughputTier = (typeof THROUGHPUT_TIERS)[number];

/** EFA-enabled capacity step per tier, GiB (FSX-INCREASE). Treated as the minimum too (see above). */
export const EFA_CAPACITY_STEP_GIB: Readonly<Record<ThroughputTier, number>> = {
  125: 38_400,
  250: 19_200,
  500: 9_600,
  1000: 4_800,
};

export const CAPACITY_FIRST_STEPS_GIB = [1_200, 2_400] as const;
export const CAPACITY_INCREMENT_GIB = 2_400;

export const METADATA_IOPS_FIRST_STEPS = [1_500, 3_000, 6_000, 12_000] as const;
export const METADATA_IOPS_INCREMENT = 12_000;
export const METADATA_IOPS_MAX = 192_000;

/** Where nodes mount the file system. */
export const LUSTRE_MOUNT_POINT = '/fsx';

/**
 * What the file system logs to CloudWatch Logs: warnings and errors of its data repository tasks
 * and associations (CFN-SPEC `LustreLogCreateConfiguration.Level`: DISABLED, WARN_ONLY, ERROR_ONLY,
 * WARN_ERROR). Both, because a failed export of a checkpoint is an error and a skipped file a warning.
 */
export const LUSTRE_LOG_LEVEL = 'WARN_ERROR';

/** S3 events a data repository association follows (REFERENCE §6). */
export type DataRepositoryEvent = 'NEW' | 'CHANGED' | 'DELETED';
const ALL_DATA_REPOSITORY_EVENTS: readonly DataRepositoryEvent[] = ['NEW', 'CHANGED', 'DELETED'];

/** One data repository association: a Lustre directory linked to one of the site's buckets. */
export interface DataRepositoryPlan {
  /** Construct ID, literal and stable. */
  readonly id: 'DatasetsAssociation' | 'CheckpointsAssociation';
  readonly bucket: 'datasets' | 'checkpoints';
  /** Directory of the file system the bucket appears under. */
  readonly fileSystemPath: string;
  /** S3 changes imported into the file system. */
  readonly importEvents: readonly DataRepositoryEvent[];
  /** File system changes exported to the bucket; none for a read-only dataset. */
  readonly exportEvents: readonly DataRepositoryEvent[];
}

/**
 * Datasets come in from S3 and are never written back; checkpoints go both ways, so a checkpoint
 * written on Lustre lands in S3 (versioned, retained) and one restored in S3 appears on Lustre.
 * A deletion on the file system is exported only when `storage.exportCheckpointDeletions` says so:
 * otherwise `rm -rf /fsx/checkpoints` stays on Lustre and S3 keeps every checkpoint (FSx exports
 * only the event types the association's AutoExportPolicy lists,
 * https://docs.aws.amazon.com/fsx/latest/LustreGuide/autoexport-data-repo-dra.html).
 */
export function dataRepositories(exportCheckpointDeletions: boolean): readonly DataRepositoryPlan[] {
  return [
    { id: 'DatasetsAssociation', bucket: 'datasets', fileSystemPath: '/datasets', importEvents: ALL_DATA_REPOSITORY_EVENTS, exportEvents: [] },
    {
      id: 'CheckpointsAssociation',
      bucket: 'checkpoints',
      fileSystemPath: '/checkpoints',
      importEvents: ALL_DATA_REPOSITORY_EVENTS,
      exportEvents: exportCheckpointDeletions ? ALL_DATA_REPOSITORY_EVENTS : ['NEW', 'CHANGED'],
    },
  ];
}

/** The default associations (deletions not exported). */
export const DATA_REPOSITORIES: readonly DataRepositoryPlan[] = dataRepositories(false);

export type MetadataPlan = { readonly mode: 'AUTOMATIC' } | { readonly mode: 'USER_PROVISIONED'; readonly iops: number };

/** What the plan decided about one site's file system (and what it was asked to meet). */
export interface StoragePlan {
  readonly deploymentType: 'PERSISTENT_2';
  readonly storageType: 'SSD';
  readonly fileSystemTypeVersion: '2.15';
  readonly dataCompressionType: 'LZ4';
  readonly capacityGiB: number;
  readonly throughputMBpsPerTiB: number;
  /** capacity (TiB) x tier. */
  readonly aggregateThroughputMBps: number;
  /** aggregate / chips at the site. */
  readonly perChipMBps: number;
  readonly chips: number;
  /** Size of one full training checkpoint, GB (10^9 bytes). */
  readonly checkpointGB: number;
  /** Checkpoint size / aggregate throughput. */
  readonly checkpointWriteSeconds: number;
  /** chips x throughputPerChipMBps. */
  readonly targetThroughputMBps: number;
  /** checkpoint / maxWriteSeconds. */
  readonly targetCheckpointMBps: number;
  /** Whether the chosen (or configured) size meets both targets. */
  readonly meetsTargets: boolean;
  /** Which of capacity and tier came from the configuration rather than the plan. */
  readonly configured: { readonly capacity: boolean; readonly tier: boolean };
  readonly efaEnabled: boolean;
  readonly metadata: MetadataPlan;
  readonly automaticBackupRetentionDays: number;
  readonly weeklyMaintenanceStartTime: string;
  readonly checkpointNoncurrentVersionExpiryDays: number;
  readonly mountPoint: string;
  readonly logLevel: typeof LUSTRE_LOG_LEVEL;
  readonly dataRepositories: readonly DataRepositoryPlan[];
}

export function isThroughputTier(n: number): n is ThroughputTier {
  return (THROUGHPUT_TIERS as readonly number[]).includes(n);
}

/** Whether `gib` is 1,200, 2,400 or a multiple of 2,400. */
export function isValidCapacity(gib: number): boolean {
  return Number.isInteger(gib) && gib > 0 && (gib === CAPACITY_FIRST_STEPS_GIB[0] || gib % CAPACITY_INCREMENT_GIB === 0);
}

/** The valid capacities nearest to `gib`, below (if any) and above (strictly, when `gib` is valid). */
export function nearestCapacities(gib: number): { below?: number; above: number } {
  const below = gib >= CAPACITY_INCREMENT_GIB ? Math.floor(gib / CAPACITY_INCREMENT_GIB) * CAPACITY_INCREMENT_GIB
    : gib >= CAPACITY_FIRST_STEPS_GIB[0] ? CAPACITY_FIRST_STEPS_GIB[0] : undefined;
  return { below: below === gib ? undefined : below, above: smallestCapacityAtLeast(gib + 1) };
}

/** The smallest valid (non-EFA) capacity >= `gib`. */
export function smallestCapacityAtLeast(gib: number): number {
  if (gib <= CAPACITY_FIRST_STEPS_GIB[0]) {
    return CAPACITY_FIRST_STEPS_GIB[0];
  }
  return Math.ceil(gib / CAPACITY_INCREMENT_GIB) * CAPACITY_INCREMENT_GIB;
}

/** The smallest EFA-valid capacity >= `gib` for a tier (one step at least). */
export function smallestEfaCapacityAtLeast(gib: number, tier: ThroughputTier): number {
  const step = EFA_CAPACITY_STEP_GIB[tier];
  return Math.max(step, Math.ceil(gib / step) * step);
}

/** Whether `gib` is a whole number of EFA steps for the tier. */
export function isValidEfaCapacity(gib: number, tier: ThroughputTier): boolean {
  const step = EFA_CAPACITY_STEP_GIB[tier];
  return gib >= step && gib % step === 0;
}

export function isValidMetadataIops(iops: number): boolean {
  if ((METADATA_IOPS_FIRST_STEPS as readonly number[]).includes(iops)) {
    return true;
  }
  return Number.isInteger(iops) && iops > 0 && iops <= METADATA_IOPS_MAX && iops % METADATA_IOPS_INCREMENT === 0;
}

/** The valid metadata IOPS nearest to `iops`, below and above (either absent at the ends). */
export function nearestMetadataIops(iops: number): { below?: number; above?: number } {
  const all: number[] = [...METADATA_IOPS_FIRST_STEPS];
  for (let v = 2 * METADATA_IOPS_INCREMENT; v <= METADATA_IOPS_MAX; v += METADATA_IOPS_INCREMENT) {
    all.push(v);
  }
  return { below: [...all].reverse().find((v) => v < iops), above: all.find((v) => v > iops) };
}

/** MB/s a file system of this size and tier provides (FSx counts 1,000 GiB as 1 TiB; see above). */
export function throughputMBps(capacityGiB: number, tier: number): number {
  return (capacityGiB * tier) / 1000;
}

/** Whether an instance type can use Lustre over EFA (see the EFA-client fact above). */
export function isFsxEfaClient(shape: InstanceShape): boolean {
  return shape.efaDevices > 0 && !shape.name.startsWith('trn2');
}

/** Pools at the site whose nodes can reach an EFA-enabled file system over EFA. */
export function fsxEfaClientPools(site: SiteConfig): string[] {
  return Object.entries(site.pools)
    .filter(([, pool]) => poolEfaInterfaces(pool) > 0 && isFsxEfaClient(instanceShape(pool.instanceType)))
    .map(([name]) => name);
}

/** Whether the site's file system is EFA-enabled. */
export function resolveEfa(storage: StorageConfig, site: SiteConfig): boolean {
  return storage.efa === 'auto' ? fsxEfaClientPools(site).length > 0 : storage.efa;
}

export function siteChips(site: SiteConfig): number {
  return Object.values(site.pools).reduce((sum, pool) => sum + poolNodes(pool) * instanceShape(pool.instanceType).chips, 0);
}

/** Bytes of one full checkpoint. */
export function checkpointBytes(storage: StorageConfig): number {
  const c = storage.sizing.checkpoint;
  return c.modelParametersBillions * 1e9 * c.bytesPerParameter;
}

interface Candidate {
  readonly capacityGiB: number;
  readonly tier: number;
}

/**
 * Sizes one site's file system: the configured capacity and tier where given, else the least
 * capacity (then the lowest tier) that meets aggregate throughput = chips x per-chip target, the
 * checkpoint write time, and holds one checkpoint. When the configured values make the targets
 * unreachable, the plan keeps them (or the fastest tier they allow) and says `meetsTargets: false`.
 */
export function planStorage(storage: StorageConfig, site: SiteConfig): StoragePlan {
  const chips = siteChips(site);
  const efa = resolveEfa(storage, site);
  const bytes = checkpointBytes(storage);
  const checkpointMB = bytes / 1e6;
  const targetThroughputMBps = chips * storage.sizing.throughputPerChipMBps;
  const targetCheckpointMBps = checkpointMB / storage.sizing.checkpoint.maxWriteSeconds;
  const requiredMBps = Math.max(targetThroughputMBps, targetCheckpointMBps);
  // The file system must at least hold the checkpoint it is sized to absorb.
  const minCapacityGiB = bytes / 2 ** 30;
  const meets = (c: Candidate) => throughputMBps(c.capacityGiB, c.tier) >= requiredMBps && c.capacityGiB >= minCapacityGiB;

  const tiers: number[] = storage.throughputMBpsPerTiB !== undefined ? [storage.throughputMBpsPerTiB] : [...THROUGHPUT_TIERS];
  let candidates: Candidate[];
  if (storage.storageCapacityGiB !== undefined) {
    const capacityGiB = storage.storageCapacityGiB;
    candidates = tiers.map((tier) => ({ capacityGiB, tier }));
    if (efa && storage.throughputMBpsPerTiB === undefined) {
      const fitting = candidates.filter((c) => isValidEfaCapacity(c.capacityGiB, c.tier as ThroughputTier));
      candidates = fitting.length > 0 ? fitting : candidates;
    }
  } else {
    candidates = tiers.map((tier) => {
      const needed = Math.max(minCapacityGiB, (requiredMBps * 1000) / tier);
      const capacityGiB =
        efa && isThroughputTier(tier) ? smallestEfaCapacityAtLeast(needed, tier) : smallestCapacityAtLeast(needed);
      return { capacityGiB, tier };
    });
  }
  const meeting = candidates.filter(meets).sort((a, b) => a.capacityGiB - b.capacityGiB || a.tier - b.tier);
  // None meets: keep the configured values, at the fastest tier they allow.
  const chosen = meeting[0] ?? [...candidates].sort((a, b) => b.tier - a.tier)[0];

  const aggregate = throughputMBps(chosen.capacityGiB, chosen.tier);
  return {
    deploymentType: 'PERSISTENT_2',
    storageType: 'SSD',
    fileSystemTypeVersion: '2.15',
    dataCompressionType: 'LZ4',
    capacityGiB: chosen.capacityGiB,
    throughputMBpsPerTiB: chosen.tier,
    aggregateThroughputMBps: aggregate,
    perChipMBps: round1(aggregate / chips),
    chips,
    checkpointGB: round1(bytes / 1e9),
    checkpointWriteSeconds: round1(checkpointMB / aggregate),
    targetThroughputMBps: round1(targetThroughputMBps),
    targetCheckpointMBps: round1(targetCheckpointMBps),
    meetsTargets: meets(chosen),
    configured: { capacity: storage.storageCapacityGiB !== undefined, tier: storage.throughputMBpsPerTiB !== undefined },
    efaEnabled: efa,
    metadata: storage.metadataIops === undefined ? { mode: 'AUTOMATIC' } : { mode: 'USER_PROVISIONED', iops: storage.metadataIops },
    automaticBackupRetentionDays: storage.automaticBackupRetentionDays,
    weeklyMaintenanceStartTime: storage.weeklyMaintenanceStartTime,
    checkpointNoncurrentVersionExpiryDays: storage.checkpointNoncurrentVersionExpiryDays,
    mountPoint: LUSTRE_MOUNT_POINT,
    logLevel: LUSTRE_LOG_LEVEL,
    dataRepositories: dataRepositories(storage.exportCheckpointDeletions),
  };
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
