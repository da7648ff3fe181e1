import { z } from 'zod';

/** Retention periods CloudWatch Logs accepts, in days. */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

export const monitoringSchema = z.strictObject({
  /** Days to keep log groups (VPC flow logs, node logs, FSx logs). One of CloudWatch Logs' retention periods. */
  logRetentionDays: z
    .number()
    .int()
    .refine((d) => (LOG_RETENTION_DAYS as readonly number[]).includes(d), {
      message: `one of CloudWatch Logs' retention periods: ${LOG_RETENTION_DAYS.join(', ')}`,
    })
    .default(365),
});

export type MonitoringConfig = z.output<typeof monitoringSchema>;
