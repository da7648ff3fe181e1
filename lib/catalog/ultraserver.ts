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
