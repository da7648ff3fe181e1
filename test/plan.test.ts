import { resolveConfig } from '../lib/config/load';
import { PRESET_NAMES, PresetName } from '../lib/config/presets';
import { CapacityKind, MAX_NODES_PER_POOL } from '../lib/config/schema';
import { planNetwork } from '../lib/plan/network';
import { planCluster } from '../lib/plan/build';
import { NODE_GROUPS_PER_SHARD } from '../lib/plan/sharding';
import { StackKind } from '../lib/plan/types';

const plan = (preset: PresetName, overlay: Record<string, unknown> = {}) => planCluster(resolveConfig(preset, overlay));

describe('plan totals per preset', () => {
  // chips = nodes x 16 (trn2/trn2u/trn1) ; dense PF from the catalogue (20.8 / 10.7 PF per trn2 server, 3.04 per trn1).
  test.each([
    ['rainier-mini', { nodes: 10, ultraServers: 2, chips: 160, neuronCores: 1280, hbmGiB: 15_360, denseFp8Pflops: 208, denseBf16Pflops: 107, efaInterfaces: 160, efaGbps: 32_000, vcpus: 1920 }],
    ['ultraserver', { nodes: 4, ultraServers: 1, chips: 64, neuronCores: 512, hbmGiB: 6144, denseFp8Pflops: 83.2, denseBf16Pflops: 42.8, efaInterfaces: 64, efaGbps: 12_800, vcpus: 768 }],
    ['single-node', { nodes: 1, ultraServers: 0, chips: 16, neuronCores: 128, hbmGiB: 1536, denseFp8Pflops: 20.8, denseBf16Pflops: 10.7, efaInterfaces: 16, efaGbps: 3200, vcpus: 192 }],
    ['trn1-small', { nodes: 4, ultraServers: 0, chips: 64, neuronCores: 128, hbmGiB: 2048, denseFp8Pflops: 12.16, denseBf16Pflops: 12.16, efaInterfaces: 32, efaGbps: 3200, vcpus: 512 }],
    ['rainier-scale', { nodes: 31_200, ultraServers: 7800, chips: 499_200, neuronCores: 3_993_600, hbmGiB: 47_923_200, denseFp8Pflops: 648_960, denseBf16Pflops: 333_840, efaInterfaces: 499_200, efaGbps: 99_840_000, vcpus: 5_990_400 }],
  ] as const)('%s', (preset, expected) => {
    expect(plan(preset).totals).toMatchObject(expected);
  });

  test('an UltraServer has the UltraServer figures of NEURON-TRN2 (64 chips, 83.2 PF FP8, 42.8 PF BF16, 6,144 GiB HBM)', () => {
    const t = plan('ultraserver').totals;
    expect([t.chips, t.denseFp8Pflops, t.denseBf16Pflops, t.hbmGiB]).toEqual([64, 83.2, 42.8, 6144]);
  });

  test('site totals add up to the cluster totals', () => {
    const p = plan('rainier-scale');
    expect(p.sites.reduce((n, s) => n + s.totals.chips, 0)).toBe(p.totals.chips);
  });
});

describe('pools and nodes', () => {
  const mini = plan('rainier-mini');
  const [train, dev] = mini.sites[0].pools;

  test('an UltraServer pool has one node group of 4 per UltraServer, named after it', () => {
    expect(train.kind).toBe(CapacityKind.ULTRASERVER_CAPACITY_BLOCK);
    expect(train.nodeGroups.map((g) => [g.id, g.name, g.size])).toEqual([
      ['UltraServer0000', 'ohio-train-u0000', 4],
      ['UltraServer0001', 'ohio-train-u0001', 4],
    ]);
    expect(train.nodeGroups[1].nodes.map((n) => n.name)).toEqual([
      'ohio-train-u0001-n0',
      'ohio-train-u0001-n1',
      'ohio-train-u0001-n2',
      'ohio-train-u0001-n3',
    ]);
  });

  test('capacity: each UltraServer targets its own block, no placement group; the ODCR is targeted in one', () => {
    expect(train.capacity).toMatchObject({ target: 'block-per-ultraserver', marketType: 'capacity-block', reservedUltraServers: 2, ultraServerType: 'u-trn2x64' });
    expect(train.placementGroup).toBe(false);
    expect(dev.capacity).toMatchObject({ target: 'reservation', instanceMatchCriteria: 'targeted', preference: 'capacity-reservations-only', reservedNodes: 2 });
    expect(dev.placementGroup).toBe(true);
  });

  test('every trn2 node carries 16 EFA interfaces behind one ENA primary', () => {
    for (const pool of [train, dev]) {
      expect(pool.nics).toHaveLength(17);
      expect(pool.efaInterfaces).toBe(16);
    }
  });

  test('EFA bandwidth counts only the cards that carry an EFA interface', () => {
    const half = plan('single-node', {
      sites: { ohio: { pools: { dev: { efaInterfaces: 8 } } } },
      acknowledgements: [{ rule: 'RAIN-W205', path: 'sites.ohio.pools.dev', reason: 'Benchmarking half the cards on purpose.' }],
    });
    expect(half.totals.efaGbps).toBe(1600);
    expect(plan('single-node').totals.efaGbps).toBe(3200);
  });

  test('fewer EFA interfaces trim the layout from the end', () => {
    const p = plan('single-node', {
      sites: { ohio: { pools: { dev: { efaInterfaces: 8 } } } },
      acknowledgements: [{ rule: 'RAIN-W205', path: 'sites.ohio.pools.dev', reason: 'Benchmarking half the cards on purpose.' }],
    });
    expect(p.sites[0].pools[0].nics.map((n) => n.networkCardIndex)).toEqual([0, 0, 1, 2, 3, 4, 5, 6, 7]);
  });
});

describe('network plan', () => {
  test('the schema bound on pool size is the most nodes a /16 site can address', () => {
    const nodes = MAX_NODES_PER_POOL;
    const fits = (n: number) => {
      const site = { region: 'us-east-2', availabilityZone: 'us-east-2a', cidr: '10.0.0.0/16', egress: 'none' as const, pools: { p: { kind: CapacityKind.ON_DEMAND_CAPACITY_RESERVATION, instanceType: 'trn2.48xlarge' as const, nodes: n } } };
      const net = planNetwork(site);
      return net.subnetAddresses <= net.vpcAddresses;
    };
    expect(fits(nodes)).toBe(true);
    expect(fits(nodes + 1)).toBe(false);
  });

  test('the node subnet holds one address per node plus endpoints, never smaller than a /24', () => {
    expect(plan('single-node').sites[0].network.nodeSubnetMask).toBe(24);
    const site = plan('trn1-small').sites[0];
    expect(site.network.nodeSubnetMask).toBe(24);
    // rainier-scale: the 10 buildings of a zone share one node subnet (one fabric): 10,400 nodes + 11
    // endpoints need a /18 (16,379 usable; a /19 holds 8,187), and each building a /24 storage subnet.
    const scale = plan('rainier-scale').sites[0];
    expect(scale.totals.nodes).toBe(1040);
    expect(scale.network.nodeAddressesNeeded).toBe(10_411);
    expect(scale.network.nodeSubnetMask).toBe(18);
    expect(scale.network.subnetAddresses).toBe(16_384 + 10 * 256);
  });
});

describe('stack layout', () => {
  test('the default preset: network, storage, one compute stack per pool, monitoring', () => {
    expect(plan('rainier-mini').stacks.map((s) => [s.id, s.kind])).toEqual([
      ['rainier-ohio-network', StackKind.NETWORK],
      ['rainier-ohio-storage', StackKind.STORAGE],
      ['rainier-ohio-train', StackKind.COMPUTE],
      ['rainier-ohio-dev', StackKind.COMPUTE],
      ['rainier-ohio-monitoring', StackKind.MONITORING],
    ]);
  });

  test('only the storage stack is termination-protected', () => {
    for (const s of plan('rainier-mini').stacks) {
      expect(s.terminationProtection).toBe(s.kind === StackKind.STORAGE);
    }
  });

  test('growing a pool appends shards and never moves a node group between stacks', () => {
    const before = plan('ultraserver', { sites: { ohio: { pools: { train: { ultraServers: NODE_GROUPS_PER_SHARD + 10 } } } }, acknowledgements: [{ rule: 'RAIN-W107', path: 'sites', reason: 'Scale test of the shard layout, not a purchase.' }] });
    const after = plan('ultraserver', { sites: { ohio: { pools: { train: { ultraServers: 3 * NODE_GROUPS_PER_SHARD + 1 } } } }, acknowledgements: [{ rule: 'RAIN-W107', path: 'sites', reason: 'Scale test of the shard layout, not a purchase.' }] });
    const where = (p: typeof before) => new Map(p.stacks.flatMap((s) => (s.nodeGroups ?? []).map((g) => [g, s.id] as const)));
    const b = where(before);
    const a = where(after);
    for (const [group, stack] of b) {
      expect(a.get(group)).toBe(stack);
    }
    expect(after.stacks.filter((s) => s.kind === StackKind.COMPUTE).map((s) => s.id)).toEqual([
      'rainier-ohio-train',
      'rainier-ohio-train-01',
      'rainier-ohio-train-02',
      'rainier-ohio-train-03',
    ]);
  });

  test.each(PRESET_NAMES)('%s: no compute stack holds more node groups than a shard allows', (preset) => {
    for (const s of plan(preset).stacks) {
      expect((s.nodeGroups ?? []).length).toBeLessThanOrEqual(NODE_GROUPS_PER_SHARD);
    }
  });

  test('the plan is deterministic', () => {
    expect(JSON.stringify(plan('rainier-mini'))).toBe(JSON.stringify(plan('rainier-mini')));
  });
});
