import { z } from 'zod';
import { resourceName } from './common';
import { computeSchema } from './compute';
import { monitoringSchema } from './monitoring';
import { siteSchema } from './site';
import { storageSchema } from './storage';

export * from './common';
export * from './compute';
export * from './monitoring';
export * from './site';
export * from './storage';

/** A written acknowledgement of a warning-level rule finding. */
export const acknowledgementSchema = z.strictObject({
  /** The rule code, e.g. `RAIN-W202`. Errors cannot be acknowledged. */
  rule: z.string().regex(/^RAIN-[WI]\d{3}$/, { message: 'a warning or info rule code such as "RAIN-W202"' }),
  /** The field path the finding names, e.g. `sites.ohio.pools.dev`; a prefix acknowledges everything below it. */
  path: z.string().min(1),
  /** Why it is acceptable here; shown in the topology report. */
  reason: z.string().min(20, { message: 'a reason of at least 20 characters' }),
});

/** The whole cluster configuration: the single source of truth for types, validation and the JSON Schema. */
export const clusterConfigSchema = z.strictObject({
  /** Cluster name; prefixes every stack name. */
  name: resourceName,
  /** Sites (buildings), keyed by site name. Each has one VPC in one Availability Zone. */
  sites: z.record(resourceName, siteSchema).refine((sites) => Object.keys(sites).length > 0, {
    message: 'at least one site',
  }),
  compute: computeSchema.default(() => computeSchema.parse({})),
  storage: storageSchema.default(() => storageSchema.parse({})),
  monitoring: monitoringSchema.default(() => monitoringSchema.parse({})),
  /** Acknowledged warnings, each with a reason. */
  acknowledgements: z.array(acknowledgementSchema).default([]),
});

/** A validated configuration with every default filled in. */
export type ClusterConfig = z.output<typeof clusterConfigSchema>;
/** What a person may write: every defaulted field optional. */
export type ClusterConfigInput = z.input<typeof clusterConfigSchema>;
