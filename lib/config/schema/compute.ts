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
});

export type ComputeConfig = z.output<typeof computeSchema>;
