import { INSTANCE_SHAPES, INSTANCE_TYPE_NAMES, InterfaceType, instanceShape, nicLayout } from '../lib/catalog/instance-types';
import { TRN2_ULTRASERVER } from '../lib/catalog/ultraserver';

describe('instance catalogue', () => {
  // Figures as REFERENCE.md §1 gives them (NEURON-TRN1/TRN2, EC2-AC, KARPENTER).
  test.each([
    ['trn2.48xlarge', 16, 128, 1536, 192, 2048, 16, 16, 3200, 20_800, 10_700],
    ['trn2u.48xlarge', 16, 128, 1536, 192, 2048, 16, 16, 3200, 20_800, 10_700],
    ['trn1.32xlarge', 16, 32, 512, 128, 512, 8, 8, 800, 3_040, 3_040],
    ['trn1n.32xlarge', 16, 32, 512, 128, 512, 16, 16, 1600, 3_040, 3_040],
    ['trn2.3xlarge', 1, 8, 96, 12, 128, 1, 0, 200, 1_300, 668.75],
  ] as const)('%s has the documented shape', (name, chips, cores, hbm, vcpus, mem, cards, efa, gbps, fp8, bf16) => {
    const s = instanceShape(name);
    expect([s.chips, s.neuronCores, s.hbmGiB, s.vcpus, s.memoryGiB, s.networkCards, s.efaDevices, s.networkGbps]).toEqual([
      chips,
      cores,
      hbm,
      vcpus,
      mem,
      cards,
      efa,
      gbps,
    ]);
    expect([s.denseFp8Tflops, s.denseBf16Tflops]).toEqual([fp8, bf16]);
  });

  test('every shape names its sources', () => {
    for (const name of INSTANCE_TYPE_NAMES) {
      expect(INSTANCE_SHAPES[name].sources.length).toBeGreaterThan(0);
    }
  });

  test('trn2u.48xlarge is not offered as Spot, trn2.48xlarge is', () => {
    expect(instanceShape('trn2u.48xlarge').spot).toBe(false);
    expect(instanceShape('trn2.48xlarge').spot).toBe(true);
  });
});

describe('NIC layout', () => {
  test('trn2.48xlarge: ENA primary on card 0, then one efa-only interface on every one of 16 cards', () => {
    const slots = nicLayout(instanceShape('trn2.48xlarge'));
    expect(slots[0]).toEqual({ networkCardIndex: 0, deviceIndex: 0, interfaceType: InterfaceType.ENA });
    expect(slots[1]).toEqual({ networkCardIndex: 0, deviceIndex: 1, interfaceType: InterfaceType.EFA_ONLY });
    const efa = slots.filter((s) => s.interfaceType === InterfaceType.EFA_ONLY);
    expect(efa).toHaveLength(16);
    expect(new Set(efa.map((s) => s.networkCardIndex)).size).toBe(16);
    expect(slots.slice(2).every((s) => s.deviceIndex === 0)).toBe(true);
  });

  test.each([
    ['trn1.32xlarge', 8],
    ['trn1n.32xlarge', 16],
    ['trn2u.48xlarge', 16],
  ] as const)('%s gets %i EFA interfaces, one per card', (name, n) => {
    const slots = nicLayout(instanceShape(name));
    expect(slots.filter((s) => s.interfaceType === InterfaceType.EFA_ONLY)).toHaveLength(n);
    expect(slots.length).toBeLessThanOrEqual(instanceShape(name).maxNetworkInterfaces);
  });

  test('an instance without EFA gets only its primary ENA interface', () => {
    expect(nicLayout(instanceShape('trn2.3xlarge'))).toEqual([{ networkCardIndex: 0, deviceIndex: 0, interfaceType: InterfaceType.ENA }]);
  });
});

describe('Trn2 UltraServer', () => {
  test('is four trn2u.48xlarge servers, and its figures are four times the server', () => {
    const s = TRN2_ULTRASERVER.instance;
    const n = TRN2_ULTRASERVER.instancesPerUltraServer;
    expect(s.name).toBe('trn2u.48xlarge');
    expect(n).toBe(4);
    expect(TRN2_ULTRASERVER.chips).toBe(64);
    expect(TRN2_ULTRASERVER.chips).toBe(n * s.chips);
    expect(TRN2_ULTRASERVER.hbmGiB).toBe(n * s.hbmGiB);
    expect(TRN2_ULTRASERVER.vcpus).toBe(n * s.vcpus);
    expect(TRN2_ULTRASERVER.memoryGiB).toBe(n * s.memoryGiB);
    expect(TRN2_ULTRASERVER.denseFp8Tflops).toBe(n * s.denseFp8Tflops);
    expect(TRN2_ULTRASERVER.denseBf16Tflops).toBe(n * s.denseBf16Tflops);
  });
});
