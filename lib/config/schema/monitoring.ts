import { z } from 'zod';

/** Retention periods CloudWatch Logs accepts, in days. */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

const percent = z.number().min(0).max(100);

/**
 * Alarm thresholds. Every default is a policy choice of this project (no AWS source prescribes
 * them); the reason for each is given with it so a reviewer can disagree with it knowingly.
 */
export const alarmThresholdsSchema = z.strictObject({
  reservedCapacityIdlePercent: percent
    .default(10)
    .describe(
      'Alarm when more than this share of a reservation\'s instances stand idle (AWS/EC2CapacityReservations InstanceUtilization below 100 minus this). ' +
        'Default 10: reserved Trainium capacity is paid for whether used or not, and 10% of a 64-instance block is already six idle trn2 servers; lower values alarm during normal node replacement.',
    ),
  neuronCoreUtilizationLowPercent: percent
    .default(20)
    .describe(
      'Alarm when the average NeuronCore utilisation of a pool stays below this while its nodes run. ' +
        'Default 20: a healthy training job keeps the cores far busier; an average this low for the whole evaluation window means a stalled job, a data-loading bottleneck or idle nodes holding capacity.',
    ),
  fsxFreeCapacityLowPercent: percent
    .default(10)
    .describe(
      'Alarm when the shared FSx for Lustre file system has less than this share of its capacity free. ' +
        'Default 10: leaves room for at least one more checkpoint of a large model while capacity is added in the increments REFERENCE.md §6 lists.',
    ),
  fsxThroughputSaturatedPercent: percent
    .default(90)
    .describe(
      'Alarm when the file system\'s network or disk throughput utilisation (AWS/FSx, percent) stays above this. ' +
        'Default 90: sustained saturation means checkpoints and data loading are throttled and the cores wait on storage.',
    ),
  evaluationPeriods: z
    .number()
    .int()
    .min(1)
    .max(288)
    .default(3)
    .describe(
      'Consecutive 5-minute periods a condition (idle reservation, low utilisation, low free capacity, saturated throughput) must hold before its alarm fires. ' +
        'Default 3 (15 minutes): long enough to ride out a job restart or checkpoint burst, short enough that idle reserved capacity is noticed within the hour. ' +
        'Error alarms (uncorrected ECC, status checks) ignore it and fire on the first bad period.',
    ),
});

export const monitoringSchema = z.strictObject({
  logRetentionDays: z
    .number()
    .int()
    .refine((d) => (LOG_RETENTION_DAYS as readonly number[]).includes(d), {
      message: `one of CloudWatch Logs' retention periods: ${LOG_RETENTION_DAYS.join(', ')}`,
    })
    .default(365)
    .describe(`Days to keep log groups (VPC flow logs, node logs, FSx logs): one of CloudWatch Logs' retention periods, ${LOG_RETENTION_DAYS.join(', ')}. Default 365: a year of node history for post-mortems, a policy choice.`),
  alarms: alarmThresholdsSchema.default(() => alarmThresholdsSchema.parse({})).describe('Alarm thresholds.'),
  emailSubscriptions: z
    .array(z.email({ message: 'an e-mail address such as "oncall@example.com"' }))
    .max(100)
    .refine((list) => new Set(list.map((a) => a.toLowerCase())).size === list.length, { message: 'each e-mail address once' })
    .default([])
    .describe(
      'E-mail addresses subscribed to every site\'s alarm topic. Each must confirm the subscription. Default: none, and then each site\'s monitoring stack takes a required `AlarmEmail` parameter (see `alarmSubscribers`). At most 100, a policy limit that keeps the list reviewable.',
    ),
  /**
   * Who receives the alarms when `emailSubscriptions` is empty.
   * - `parameter`: each site's monitoring stack takes a required `AlarmEmail` stack parameter (an
   *   e-mail address, no default) and subscribes it to the alarm topic, so no site deploys with
   *   alarms that reach no one.
   * - `external`: nothing is subscribed by this app; a pager or chat integration is subscribed to
   *   the topics outside it. Rule RAIN-W701 warns until acknowledged with the integration named.
   * @default 'parameter'
   */
  alarmSubscribers: z
    .enum(['parameter', 'external'])
    .default('parameter')
    .describe(
      'Who receives the alarms when `emailSubscriptions` is empty. `parameter` (default): each site\'s monitoring stack takes a required `AlarmEmail` parameter (an e-mail address, no default) subscribed to its alarm topic; SNS e-mails it a confirmation link and delivers nothing until it is confirmed. `external`: this app subscribes no one, because a pager or chat integration is subscribed to the topics outside it; rule RAIN-W701 warns until acknowledged with the integration named. Ignored when `emailSubscriptions` lists an address.',
    ),
});

export type AlarmThresholdsConfig = z.output<typeof alarmThresholdsSchema>;
export type MonitoringConfig = z.output<typeof monitoringSchema>;
