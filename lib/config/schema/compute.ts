import { z } from 'zod';

/**
 * Neuron DLAMI families published as public SSM parameters (REFERENCE.md §4, NEURON-DLAMI);
 * each is read as `<prefix>/latest/image_id` at deploy time, never looked up at synth.
 */
export const NEURON_DLAMI_PREFIXES = [
  'base/ubuntu-24.04',
  'base/amazon-linux-2023',
  'multi-framework/ubuntu-24.04',
  'jax-0.10/ubuntu-24.04',
  'jax-0.10/amazon-linux-2023',
] as const;

export const computeSchema = z.strictObject({
  dlami: z.enum(NEURON_DLAMI_PREFIXES).default('base/ubuntu-24.04').describe('Neuron DLAMI the nodes boot, as the part of its SSM parameter after `/aws/service/neuron/dlami/`.'),
  // 512 GiB: the Neuron guidance for a root volume of at least 512 GB that PEERS.md records (the
  // hpc-recipes trn1 template allows 500); 16,384 GiB is the gp3 volume maximum (EBS volume types).
  rootVolumeGiB: z.number().int().min(8).max(16384).default(512).describe('Encrypted gp3 root volume per node, GiB. Default 512, the Neuron guidance for the DLAMI, its caches and containers.'),
  /**
   * IMDSv2 response hop limit (`MetadataOptions.HttpPutResponseHopLimit`). 1: only processes on the
   * node itself (and containers on the host network) get a token, so a container on a bridge network
   * cannot take the node role. 2: bridged containers can too, which AWS recommends "in a container
   * environment" (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-IMDS-new-instances.html).
   * @default 1 — a policy choice: the boot and the SSM and CloudWatch agents run on the host; a
   * container that needs AWS credentials gets its own (or runs on the host network) rather than
   * inheriting the node role.
   */
  imdsHopLimit: z.union([z.literal(1), z.literal(2)]).default(1).describe('IMDSv2 hop limit, 1 or 2. 1 (default): only the node and host-network containers reach the instance metadata, so a bridged container cannot take the node role. 2: bridged containers can too (AWS recommends 2 for containers); choose it only if jobs need the node role from a bridged container.'),
});

export type ComputeConfig = z.output<typeof computeSchema>;
