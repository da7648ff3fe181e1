/**
 * The instance shapes this project can plan and render.
 *
 * Every figure carries its source. Keys refer to the Sources list of
 * ../shared/REFERENCE.md (NEURON-TRN1/TRN2, EC2-AC, EC2-EFA-MULTI, KARPENTER, HPC-EFA2);
 * the URLs are repeated here so the catalogue can be checked without that file.
 *
 * - NEURON-TRN2: https://awsdocs-neuron.readthedocs-hosted.com/en/latest/about-neuron/arch/neuron-hardware/trn2-arch.html
 * - NEURON-TRN1: https://awsdocs-neuron.readthedocs-hosted.com/en/latest/about-neuron/arch/neuron-hardware/trn1-arch.html
 * - EC2-AC:      https://docs.aws.amazon.com/ec2/latest/instancetypes/ac.html
 * - EC2-EFA-MULTI: https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/efa-acc-inst-types.html
 */

/** Names of the instance types in the catalogue (a closed set). */
export const INSTANCE_TYPE_NAMES = [
  'trn2.48xlarge',
  'trn2u.48xlarge',
  'trn2.3xlarge',
  'trn1.32xlarge',
  'trn1n.32xlarge',
] as const;

export type InstanceTypeName = (typeof INSTANCE_TYPE_NAMES)[number];

/** The Trainium generation of the chips in an instance. */
export enum TrainiumGeneration {
  TRAINIUM1 = 'Trainium',
  TRAINIUM2 = 'Trainium2',
}

/** `InterfaceType` of a launch-template network interface (CFN `LaunchTemplate.NetworkInterface`). */
export enum InterfaceType {
  /** ENA only: carries IP traffic; the primary interface must be one. */
  ENA = 'interface',
  /** EFA without an ENA device: no IP address; cannot be the primary interface. */
  EFA_ONLY = 'efa-only',
}

/** One network interface of a launch template. */
export interface NicSlot {
  readonly networkCardIndex: number;
  readonly deviceIndex: number;
  readonly interfaceType: InterfaceType;
}

export interface InstanceShape {
  readonly name: InstanceTypeName;
  readonly generation: TrainiumGeneration;
  readonly chips: number;
  /** Physical NeuronCores. */
  readonly neuronCores: number;
  /** Accelerator (HBM) memory, GiB. */
  readonly hbmGiB: number;
  readonly vcpus: number;
  readonly memoryGiB: number;
  readonly networkCards: number;
  readonly maxNetworkInterfaces: number;
  /** EFA devices the instance supports; 0 when it has no EFA. */
  readonly efaDevices: number;
  /** Aggregate network bandwidth, Gbit/s. */
  readonly networkGbps: number;
  readonly nvmeDrives: number;
  /** Size of one local NVMe drive, GB (decimal, as EC2 lists it). */
  readonly nvmeDriveGB: number;
  /** Dense FP8 TFLOPS per instance. */
  readonly denseFp8Tflops: number;
  /** Dense BF16 TFLOPS per instance. */
  readonly denseBf16Tflops: number;
  /** Whether Spot is offered (EC2-AC). */
  readonly spot: boolean;
  /** Where the numbers come from. */
  readonly sources: readonly string[];
}

const TRN2_SOURCES = [
  'NEURON-TRN2: chips, NeuronCore-v3 (8 per chip), 16 x 96 GiB HBM, 20.8 PF FP8 / 10.7 PF BF16 dense',
  'EC2-AC: 192 vCPU, 2,048 GiB, 16 network cards, 32 ENIs, 16 x 200 Gbit, 4 x 1,900 GB NVMe, Nitro v5',
  'KARPENTER: 16 EFA devices (vpc.amazonaws.com/efa)',
];

const TRN1_SOURCES = [
  'NEURON-TRN1: 16 Trainium chips, 2 NeuronCore-v2 per chip, 16 x 32 GiB HBM, 3,040 TFLOPS FP8/BF16',
  'EC2-AC: 128 vCPU, 512 GiB, 4 x 1,900 GB NVMe, Nitro v4',
  'NEURON-TRN1-MN and KARPENTER: trn1.32xlarge has 8 EFA devices, trn1n.32xlarge has 16',
];

const TRN2_48XLARGE: InstanceShape = {
  name: 'trn2.48xlarge',
  generation: TrainiumGeneration.TRAINIUM2,
  chips: 16,
  neuronCores: 128,
  hbmGiB: 1536,
  vcpus: 192,
  memoryGiB: 2048,
  networkCards: 16,
  maxNetworkInterfaces: 32,
  efaDevices: 16,
  networkGbps: 3200,
  nvmeDrives: 4,
  nvmeDriveGB: 1900,
  denseFp8Tflops: 20_800,
  denseBf16Tflops: 10_700,
  spot: true,
  sources: TRN2_SOURCES,
};

/** The instance catalogue, keyed by EC2 instance type name. */
export const INSTANCE_SHAPES: Readonly<Record<InstanceTypeName, InstanceShape>> = {
  'trn2.48xlarge': TRN2_48XLARGE,
  // The UltraServer's server: the same machine as trn2.48xlarge (EC2-AC gives it the same 16 cards,
  // NEURON-TRN2 the same EFAv3 bandwidth, so the same 16 EFA devices, though KARPENTER does not list
  // it), sold only inside a Trn2 UltraServer and not as Spot.
  'trn2u.48xlarge': {
    ...TRN2_48XLARGE,
    name: 'trn2u.48xlarge',
    spot: false,
    sources: [...TRN2_SOURCES, 'EC2-AC: trn2u.48xlarge is not offered as Spot'],
  },
  'trn2.3xlarge': {
    name: 'trn2.3xlarge',
    generation: TrainiumGeneration.TRAINIUM2,
    chips: 1,
    // One Trainium2 chip: 8 NeuronCore-v3 and 96 GiB HBM (NEURON-TRN2, per chip);
    // its compute is one sixteenth of trn2.48xlarge's.
    neuronCores: 8,
    hbmGiB: 96,
    vcpus: 12,
    memoryGiB: 128,
    networkCards: 1,
    // EC2-AC gives one network card; its ENI maximum is not in our sources. Only the primary
    // interface is ever rendered for it, so 1 is all this project relies on.
    maxNetworkInterfaces: 1,
    // EC2-AC lists no EFA for trn2.3xlarge; NEURON-TRN1-MN: "EFA is currently not available on the
    // smaller instance sizes". It is a single-chip development shape.
    efaDevices: 0,
    networkGbps: 200,
    nvmeDrives: 1,
    nvmeDriveGB: 470,
    denseFp8Tflops: 1_300,
    denseBf16Tflops: 668.75,
    spot: true,
    sources: ['EC2-AC: 1 chip, 12 vCPU, 128 GiB, 200 Gbit, 1 NIC, 1 x 470 GB NVMe', 'NEURON-TRN2: per-chip figures'],
  },
  'trn1.32xlarge': {
    name: 'trn1.32xlarge',
    generation: TrainiumGeneration.TRAINIUM1,
    chips: 16,
    neuronCores: 32,
    hbmGiB: 512,
    vcpus: 128,
    memoryGiB: 512,
    networkCards: 8,
    maxNetworkInterfaces: 40,
    efaDevices: 8,
    networkGbps: 800,
    nvmeDrives: 4,
    nvmeDriveGB: 1900,
    denseFp8Tflops: 3_040,
    denseBf16Tflops: 3_040,
    spot: true,
    sources: [...TRN1_SOURCES, 'EC2-AC: 8 network cards, 40 ENIs, 8 x 100 Gbit (HPC-EFA2: 800 Gbps EFA)'],
  },
  'trn1n.32xlarge': {
    name: 'trn1n.32xlarge',
    generation: TrainiumGeneration.TRAINIUM1,
    chips: 16,
    neuronCores: 32,
    hbmGiB: 512,
    vcpus: 128,
    memoryGiB: 512,
    networkCards: 16,
    maxNetworkInterfaces: 80,
    efaDevices: 16,
    networkGbps: 1600,
    nvmeDrives: 4,
    nvmeDriveGB: 1900,
    denseFp8Tflops: 3_040,
    denseBf16Tflops: 3_040,
    spot: true,
    sources: [...TRN1_SOURCES, 'EC2-AC: 16 network cards, 80 ENIs, 16 x 100 Gbit (1,600 Gbps)'],
  },
};

export function isInstanceTypeName(name: string): name is InstanceTypeName {
  return (INSTANCE_TYPE_NAMES as readonly string[]).includes(name);
}

export function instanceShape(name: InstanceTypeName): InstanceShape {
  return INSTANCE_SHAPES[name];
}

/**
 * The NIC layout AWS recommends for multi-card EFA instances (EC2-EFA-MULTI):
 * card 0 device 0 is an ENA `interface` (an EFA-only interface cannot be primary), card 0
 * device 1 is `efa-only`, and every other card carries one `efa-only` interface at device 0.
 * That gives one EFA device per network card and a single IP address per node.
 * An instance without EFA gets only its primary interface.
 */
export function nicLayout(shape: InstanceShape): NicSlot[] {
  const slots: NicSlot[] = [{ networkCardIndex: 0, deviceIndex: 0, interfaceType: InterfaceType.ENA }];
  if (shape.efaDevices === 0) {
    return slots;
  }
  slots.push({ networkCardIndex: 0, deviceIndex: 1, interfaceType: InterfaceType.EFA_ONLY });
  for (let card = 1; card < shape.networkCards; card++) {
    slots.push({ networkCardIndex: card, deviceIndex: 0, interfaceType: InterfaceType.EFA_ONLY });
  }
  return slots;
}
