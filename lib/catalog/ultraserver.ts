import { INSTANCE_SHAPES, InstanceShape } from './instance-types';

/**
 * The Trn2 UltraServer (NEURON-TRN2): four trn2u.48xlarge servers whose 64 Trainium2 chips are
 * joined by NeuronLink-v3 (a 4x4 2D torus inside each server, a ring across the four).
 * Per UltraServer: 768 vCPU, 8,192 GiB host memory, 6,144 GiB HBM, 83.2 PF FP8 dense,
 * 42.8 PF BF16 dense: exactly four times the server, which the tests check.
 */
export interface UltraServerShape {
  /** The `UltraserverType` of the Capacity Block API (unconfirmed in the API docs: REFERENCE.md §2). */
  readonly ultraServerType: string;
  readonly instance: InstanceShape;
  readonly instancesPerUltraServer: number;
  readonly chips: number;
  readonly hbmGiB: number;
  readonly vcpus: number;
  readonly memoryGiB: number;
  readonly denseFp8Tflops: number;
  readonly denseBf16Tflops: number;
}

export const TRN2_ULTRASERVER: UltraServerShape = {
  ultraServerType: 'u-trn2x64',
  instance: INSTANCE_SHAPES['trn2u.48xlarge'],
  instancesPerUltraServer: 4,
  chips: 64,
  hbmGiB: 6144,
  vcpus: 768,
  memoryGiB: 8192,
  denseFp8Tflops: 83_200,
  denseBf16Tflops: 42_800,
};

/**
 * The two-level network of a Trn2 UltraServer cluster, as the Neuron architecture pages give it
 * (NEURON-TRN2: aws-neuron/aws-neuron-sdk about-neuron/arch/neuron-hardware/trn2-arch.rst;
 * REFERENCE.md §1):
 * - NeuronLink-v3 inside a server: the 16 Trainium2 chips in a 4x4 2D torus, 1,024 GB/s per chip;
 * - NeuronLink-v3 across the UltraServer's four servers: a ring joining the chips in the same
 *   position of each server, 256 GB/s per chip;
 * - EFAv3 between servers and UltraServers: 16 x 200 Gbit = 3,200 Gbps per server (EC2-AC; the
 *   catalogue's `networkGbps`), only inside one EFA fabric (lib/plan/fabric.ts).
 */
export interface NeuronLinkLevel {
  readonly scope: string;
  readonly topology: string;
  readonly chips: number;
  readonly perChipGBps: number;
}

export const TRN2_NEURONLINK = {
  generation: 'NeuronLink-v3',
  inServer: {
    scope: 'inside one Trn2 server (trn2.48xlarge, trn2u.48xlarge)',
    topology: '4x4 2D torus of the 16 Trainium2 chips',
    chips: 16,
    perChipGBps: 1024,
  } as NeuronLinkLevel,
  acrossServers: {
    scope: 'across the 4 servers of a Trn2 UltraServer',
    topology: 'ring joining the chips in the same torus position of each server',
    chips: 64,
    perChipGBps: 256,
  } as NeuronLinkLevel,
  source: 'Neuron documentation, Amazon EC2 Trn2 architecture (aws-neuron-sdk about-neuron/arch/neuron-hardware/trn2-arch.rst); REFERENCE.md §1',
} as const;
