import { z } from 'zod';

/**
 * The largest StorageCapacity the FSx API can carry: a 32-bit integer (INT4 in the SDK model,
 * https://docs.aws.amazon.com/sdk-for-sap-abap/v1/api/latest/fsx/model/_AWS1_FSXSTORAGECAPACITY.html),
 * rounded down to the 2,400 GiB step. Account quotas are lower and adjustable; they are not checked.
 */
export const FSX_MAX_STORAGE_GIB = Math.floor(2_147_483_647 / 2_400) * 2_400;

/**
 * The site file system (FSx for Lustre, PERSISTENT_2) and its S3 buckets.
 *
 * Facts are from ../shared/REFERENCE.md §6 (CFN-SPEC, FSX-*, API-MDC); every default below is
 * either sourced or marked as a policy choice. The plan (lib/plan/storage.ts) sizes the file
 * system per site; the rules RAIN-E301..E304 / W301..W302 check what is written here.
 */

/** Week-day, hour and minute in UTC, as FSx writes it: `d:HH:MM`, d = 1 (Monday) .. 7 (Sunday). */
export const WEEKLY_TIME_PATTERN = /^[1-7]:([01]\d|2[0-3]):[0-5]\d$/;

const checkpointSchema = z.strictObject({
  /**
   * Model size, in billions of parameters.
   * @default 70 — policy: a 70B-parameter model, a common large open model size, so the checkpoint
   * target means something on every preset. Set it to your model.
   */
  modelParametersBillions: z.number().positive().default(70).describe('Model size in billions of parameters, for the checkpoint target. Default 70 is a policy choice: a common large model; set it to yours.'),
  /**
   * Bytes a full training checkpoint holds per parameter.
   * @default 16 — mixed-precision Adam keeps 2 (fp16/bf16 weights) + 2 (gradients) + 12 (fp32 master
   * weights, momentum, variance) = 16 bytes per parameter (Rajbhandari et al., "ZeRO", §3.1,
   * https://arxiv.org/abs/1910.02054). A checkpoint that skips gradients needs 14; 16 is the
   * conservative upper bound.
   */
  bytesPerParameter: z.number().positive().default(16).describe('Bytes a full training checkpoint holds per parameter. Default 16: mixed-precision Adam (2 weights + 2 gradients + 12 fp32 master weights and moments; ZeRO, arXiv:1910.02054).'),
  /**
   * The longest a full checkpoint may take to write to the file system, seconds.
   * @default 300 — policy: five minutes of stalled training per checkpoint.
   */
  maxWriteSeconds: z.number().positive().default(300).describe('Longest a full checkpoint may take to write, seconds. Default 300 is a policy choice: five minutes of stalled training.'),
});

const sizingSchema = z.strictObject({
  /**
   * Aggregate file-system throughput to provision per Trainium chip at the site, MB/s.
   * @default 100 — policy: 1,600 MB/s per 16-chip node (about 12.8 Gbit/s, 0.4% of a trn2.48xlarge's
   * 3,200 Gbit/s), enough to stream training data without competing with collectives.
   */
  throughputPerChipMBps: z.number().positive().default(100).describe('Aggregate file-system throughput per Trainium chip at the site, MB/s. Default 100 is a policy choice: 1,600 MB/s per 16-chip node.'),
  /** The checkpoint the file system must absorb in time. */
  checkpoint: checkpointSchema.default(() => checkpointSchema.parse({})).describe('The checkpoint the file system must hold and absorb in time.'),
});

export const storageSchema = z.strictObject({
  /**
   * File-system storage capacity, GiB: 1,200, 2,400 or a multiple of 2,400 (REFERENCE §6); with EFA,
   * a multiple of the tier's EFA step (38,400 @125, 19,200 @250, 9,600 @500, 4,800 @1000).
   * @default chosen by the plan: the least capacity that meets the sizing targets.
   */
  storageCapacityGiB: z.number().int().positive().max(FSX_MAX_STORAGE_GIB).optional().describe('File-system capacity, GiB: 1,200, 2,400 or a multiple of 2,400; with EFA a multiple of the tier step (38,400 @125, 19,200 @250, 9,600 @500, 4,800 @1000). Default: the least capacity meeting the sizing targets. Pin it after the first deploy: FSx only grows.'),
  /**
   * Throughput tier, MB/s per TiB: 125, 250, 500 or 1000 for PERSISTENT_2 SSD (REFERENCE §6, FSX-THRU).
   * Checked by rule RAIN-E303 rather than here, so the message carries a rule code.
   * @default chosen by the plan together with the capacity.
   */
  throughputMBpsPerTiB: z.number().int().positive().optional().describe('Throughput tier, MB/s per TiB: 125, 250, 500 or 1000 (rule RAIN-E303). Default: chosen by the plan with the capacity.'),
  /**
   * Lustre over EFA (`LustreConfiguration.EfaEnabled`; must be set at creation, REFERENCE §6).
   * `auto` enables it when the site has nodes that can be FSx EFA clients: EFA-capable nodes outside
   * the trn2 family, which FSx excludes as EFA clients (FSx "Working with EFA-enabled file systems",
   * https://docs.aws.amazon.com/fsx/latest/LustreGuide/efa-file-systems.html).
   * @default 'auto'
   */
  efa: z.union([z.literal('auto'), z.boolean()]).default('auto').describe('Lustre over EFA (set at creation only). auto: on when the site has EFA nodes FSx accepts as EFA clients, which excludes the trn2 family (FSx EFA docs).'),
  /**
   * Metadata IOPS (`MetadataConfiguration.Iops`): 1,500, 3,000, 6,000, 12,000, then multiples of
   * 12,000 up to 192,000 (API-MDC). Given => `USER_PROVISIONED` mode.
   * @default absent => `AUTOMATIC` mode (SSD only, API-MDC), which FSx scales with capacity.
   */
  metadataIops: z.number().int().positive().optional().describe('Metadata IOPS: 1,500, 3,000, 6,000, 12,000, then multiples of 12,000 up to 192,000 (USER_PROVISIONED mode). Default: AUTOMATIC mode, scaled with capacity.'),
  /** What the plan sizes the file system for. */
  sizing: sizingSchema.default(() => sizingSchema.parse({})).describe('The targets the plan sizes the file system for.'),
  /**
   * Days FSx keeps automatic daily backups, 0 (off) to 90 (REFERENCE §6).
   * @default 7 — policy: a week of restore points for the one copy of work not yet exported to S3.
   */
  automaticBackupRetentionDays: z.number().int().min(0).max(90).default(7).describe('Days FSx keeps daily automatic backups, 0 (off) to 90. Default 7 is a policy choice: a week of restore points.'),
  /**
   * Weekly maintenance window start, `d:HH:MM` UTC (REFERENCE §6).
   * @default '7:03:00' — policy: Sunday 03:00 UTC, a low-traffic slot; move it to your quiet hour.
   */
  weeklyMaintenanceStartTime: z
    .string()
    .regex(WEEKLY_TIME_PATTERN, { message: 'd:HH:MM in UTC, d = 1 (Monday) to 7 (Sunday), e.g. "7:03:00"' })
    .default('7:03:00')
    .describe('Weekly maintenance window start, d:HH:MM UTC (1 = Monday). Default Sunday 03:00 UTC is a policy choice.'),
  /**
   * Days an overwritten or deleted checkpoint object version stays in the checkpoints bucket.
   * @default 30 — policy: a month to notice and roll back a bad checkpoint, bounded storage cost.
   */
  /**
   * Whether deleting a checkpoint on the file system deletes it in S3 too (the checkpoints data
   * repository association exports `DELETED` events). Off, an `rm -rf /fsx/checkpoints` stays on the
   * file system and S3 keeps every checkpoint.
   * @default false
   */
  exportCheckpointDeletions: z.boolean().default(false).describe('Whether deleting a checkpoint on the file system also deletes it in S3 (the association exports DELETED). Default false: S3 keeps checkpoints deleted on /fsx; prune them in S3 on purpose.'),
  /**
   * A second Region the checkpoints bucket is replicated to, with its own bucket, key and role there.
   * @default none — no replica.
   */
  checkpointReplicaRegion: z
    .string()
    .regex(/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/, { message: 'an AWS Region name such as "us-west-2"' })
    .optional()
    .describe('AWS Region to replicate every site\'s checkpoints bucket to (its own bucket, key and replication role). Default: no replica.'),
  checkpointNoncurrentVersionExpiryDays: z.number().int().min(1).default(30).describe('Days an overwritten or deleted checkpoint version stays in the checkpoints bucket. Default 30 is a policy choice: a month to roll back.'),
});

export type StorageConfig = z.output<typeof storageSchema>;
