import { z } from 'zod';
import { KUBERNETES_VERSION } from '../../catalog/kubernetes';
import { resourceName } from './common';
import { computeSchema } from './compute';
import { energySchema } from './energy';
import { monitoringSchema } from './monitoring';
import { orchestratorSchema } from './orchestrator';
import { perimeterSchema } from './perimeter';
import { siteSchema } from './site';
import { storageSchema } from './storage';

export * from './common';
export * from './compute';
export * from './energy';
export * from './monitoring';
export * from './orchestrator';
export * from './perimeter';
export * from './site';
export * from './storage';

/** A written acknowledgement of a warning-level rule finding. */
export const acknowledgementSchema = z.strictObject({
  rule: z.string().regex(/^RAIN-[WI]\d{3}$/, { message: 'a warning or info rule code such as "RAIN-W202"' }).describe('The rule code, e.g. `RAIN-W202`. Errors cannot be acknowledged.'),
  path: z.string().min(1).describe('The field path the finding names, e.g. `sites.ohio.pools.dev`; a prefix acknowledges everything below it.'),
  reason: z.string().min(20, { message: 'a reason of at least 20 characters' }).describe('Why it is acceptable here; shown in the topology report.'),
});

/** The whole cluster configuration: the single source of truth for types, validation and the JSON Schema. */
export const clusterConfigSchema = z.strictObject({
  name: resourceName.describe('Cluster name; prefixes every stack name.'),
  sites: z.record(resourceName, siteSchema).refine((sites) => Object.keys(sites).length > 0, {
    message: 'at least one site',
  }).describe('Sites (buildings), keyed by site name. Each has one VPC in one Availability Zone.'),
  compute: computeSchema.default(() => computeSchema.parse({})).describe('Node settings shared by every pool: the Neuron DLAMI and the root volume.'),
  storage: storageSchema.default(() => storageSchema.parse({})).describe('The FSx for Lustre file system and S3 buckets of each site, and the targets they are sized for.'),
  monitoring: monitoringSchema.default(() => monitoringSchema.parse({})).describe('Alarm thresholds, notifications and log retention.'),
  energy: energySchema.default(() => energySchema.parse({})).describe('Inputs of the power, energy and water estimate in the report; assumptions are labelled.'),
  perimeter: perimeterSchema.default(() => perimeterSchema.parse({})).describe('The data perimeter: key administrators and break-glass roles, who may write datasets or use the buckets from outside the VPC, which checkpoints a pool may read (docs/security.md).'),
  orchestrator: orchestratorSchema.describe(
    'The scheduler on the nodes: `none` (the default), `eks` (one Amazon EKS cluster per EFA fabric, Kubernetes ' +
      `version ${KUBERNETES_VERSION}, admin role from a deploy-time parameter), or ` +
      '`{engine: eks, kubernetesVersion, controlPlaneZone, podAddressesPerNode, access}` (docs/scheduler.md).',
  ),
  acknowledgements: z.array(acknowledgementSchema).default([]).describe('Acknowledged warnings, each with a reason.'),
});

/** A validated configuration with every default filled in. */
export type ClusterConfig = z.output<typeof clusterConfigSchema>;
/** What a person may write: every defaulted field optional. */
export type ClusterConfigInput = z.input<typeof clusterConfigSchema>;
