import { resolveConfig } from '../lib/config/load';
import { TRN2_NEURONLINK } from '../lib/catalog/ultraserver';
import { planCluster } from '../lib/plan/build';
import { estimateEnergy } from '../lib/plan/energy';
import { buildReport, renderReportJson, renderReportMarkdown } from '../lib/review/report';
import { MAX_BLOCK_ROWS, buildTopology } from '../lib/review/topology-sections';
import { diffTopology, renderTopologyDiff } from '../lib/review/topology-diff';

const plan = (preset: string, overlay: Record<string, unknown> = {}) => planCluster(resolveConfig(preset, overlay));
const IDS = ['cr-00000000000000001', 'cr-00000000000000002'];

describe('EFA fabrics in the plan and the report', () => {
  test('one site is one fabric: its VPC, node subnet and zone', () => {
    const p = plan('rainier-mini');
    expect(p.fabrics).toEqual([
      expect.objectContaining({ id: 'fabric-ohio', sites: ['ohio'], networkSite: 'ohio', availabilityZone: 'us-east-2a', totals: p.sites[0].totals }),
    ]);
    expect(p.sites[0].fabric).toBe('fabric-ohio');
  });

  test('rainier-scale: 3 fabrics (one per zone) of 10 buildings and 166,400 chips, and no fabric carries the cluster-wide sum', () => {
    const p = plan('rainier-scale');
    expect(p.fabrics.map((f) => [f.id, f.availabilityZone, f.sites.length, f.networkSite])).toEqual([
      ['fabric-campus-a', 'us-east-2a', 10, 'building-01'],
      ['fabric-campus-b', 'us-east-2b', 10, 'building-02'],
      ['fabric-campus-c', 'us-east-2c', 10, 'building-03'],
    ]);
    expect(new Set(p.fabrics.map((f) => f.totals.chips))).toEqual(new Set([166_400]));
    expect(p.fabrics.every((f) => f.totals.efaGbps < p.totals.efaGbps)).toBe(true);
    const md = renderReportMarkdown(buildReport(p));
    expect(md).toContain('EFA figures above are sums over 3 separate EFA fabrics, not one network');
    expect(md).toContain('3 fabrics: the largest job one EFA network can hold has 166,400 chips.');
    expect(md).toMatch(/^\| fabric-campus-c \| building-03, building-06, .*building-30 \| us-east-2c \| 2,600 \| 10,400 \| 166,400 \|/m);
  });

  test('a single-site report does not call its totals a sum over fabrics', () => {
    expect(renderReportMarkdown(buildReport(plan('rainier-mini')))).not.toContain('separate EFA fabrics');
  });
});

describe('NeuronLink and EFA, the two-level network', () => {
  test('UltraServer pools show the in-server torus, the cross-server ring and EFA, with the Neuron figures', () => {
    const t = buildTopology(plan('ultraserver'));
    expect(t.network.map((n) => [n.level, n.perChipGBps ?? n.perServerGbps])).toEqual([
      ['NeuronLink-v3', 1024],
      ['NeuronLink-v3', 256],
      ['EFA', 3200],
    ]);
    expect(TRN2_NEURONLINK.source).toMatch(/trn2-arch/);
  });

  test('a trn2.48xlarge pool has the in-server torus but no UltraServer ring', () => {
    expect(buildTopology(plan('single-node')).network.map((n) => n.scope)).toEqual([
      TRN2_NEURONLINK.inServer.scope,
      'between trn2.48xlarge servers of one fabric',
    ]);
  });

  test('trn1 has no Trainium2 NeuronLink figures', () => {
    expect(buildTopology(plan('trn1-small')).network.map((n) => n.level)).toEqual(['EFA']);
  });
});

describe('the block behind each UltraServer', () => {
  test('parameter-fed: each UltraServer names its stack, parameter and element', () => {
    expect(buildTopology(plan('rainier-mini')).blocks['sites.ohio.pools.train']).toEqual([
      { ultraServer: 'ohio-train-u0000', block: 'rainier-ohio-train:ReservationIds[0]' },
      { ultraServer: 'ohio-train-u0001', block: 'rainier-ohio-train:ReservationIds[1]' },
    ]);
  });

  test('listed: each UltraServer names its ID', () => {
    const t = buildTopology(plan('rainier-mini', { sites: { ohio: { pools: { train: { reservationIds: IDS } } } } }));
    expect(t.blocks['sites.ohio.pools.train'].map((b) => b.block)).toEqual(IDS);
  });

  test(`Markdown prints at most ${MAX_BLOCK_ROWS} rows per pool; JSON lists every UltraServer`, () => {
    const report = buildReport(plan('rainier-scale'));
    const md = renderReportMarkdown(report);
    expect(md).toContain('| sites.building-01.pools.train | .. 252 more .. |  |');
    expect(md).toContain('| sites.building-01.pools.train | building-01-train-u0259 | rainier-building-01-train-01:ReservationIds[9] |');
    expect(JSON.parse(renderReportJson(report)).topology.blocks['sites.building-01.pools.train']).toHaveLength(260);
  });
});

describe('power, energy and water', () => {
  test('rainier-mini: 160 chips x 500 W (assumed) = 80 kW IT, x PUE 1.15 = 92 kW; water per day at 0.15 and 0.375 L/kWh', () => {
    expect(plan('rainier-mini').energy.total).toEqual({
      chips: 160,
      nodes: 10,
      itKW: 80,
      facilityKW: 92,
      energyPerDayMWh: 2.208,
      energyPerYearGWh: 0.806,
      waterPerDayLiters: 288,
      industryWaterPerDayLiters: 720,
    });
  });

  test('host power per node and PUE come from the configuration and are then labelled as set there', () => {
    const p = plan('rainier-mini', { energy: { hostWattsPerNode: 2000, pue: 1.3 } });
    expect(p.energy.total.itKW).toBe(100);
    expect(p.energy.total.facilityKW).toBe(130);
    expect(p.energy.inputs.find((i) => i.name === 'PUE')).toMatchObject({ value: 1.3, assumption: true, source: 'set in the configuration (energy.pue)' });
  });

  test.each([
    // 1 chip: 0.5 kW x 1.15 = 0.575 kW; x 24 h = 13.8 kWh a day (was printed "0 MWh"); x 8,760 h = 5,037 kWh a year (was "0.01 GWh").
    // The plan keeps energy to 0.001 MWh / 0.001 GWh, hence 14 kWh and 5 MWh.
    ['a trn2.3xlarge (1 chip)', { sites: { ohio: { pools: { dev: { instanceType: 'trn2.3xlarge' } } } } }, '| Energy per day | 14 kWh |', '| Energy per year | 5 MWh |'],
    // 16 chips: 9.2 kW; 220.8 kWh a day (was "0.2 MWh"); 80,592 kWh a year (was "0.08 GWh").
    ['a trn2.48xlarge (16 chips)', {}, '| Energy per day | 221 kWh |', '| Energy per year | 81 MWh |'],
  ])('%s: energy below 1 MWh a day or 1 GWh a year is shown in the next smaller unit, not rounded to nothing', (_name, overlay, day, year) => {
    const md = renderReportMarkdown(buildReport(plan('single-node', overlay)));
    expect(md).toContain(day);
    expect(md).toContain(year);
  });

  test('a cluster with trn1 chips is told the Trainium2 chip figure is applied to them too; a trn2-only one is not', () => {
    const chip = (preset: string) => plan(preset).energy.inputs.find((i) => i.name === 'Trainium chip power')!.source;
    expect(chip('trn1-small')).toContain('applied to this cluster\'s first-generation Trainium (trn1) chips too');
    expect(chip('rainier-mini')).not.toContain('trn1');
  });

  test('assumptions are labelled in the report', () => {
    const md = renderReportMarkdown(buildReport(plan('rainier-mini')));
    expect(md).toContain('- Trainium chip power: 500 W (**assumption**)');
    expect(md).toMatch(/^- PUE: 1\.15: AWS global PUE 2024/m);
  });

  test('rainier-scale is compared with the 2.2 GW campus', () => {
    const p = plan('rainier-scale');
    expect(p.energy.total.facilityKW).toBe(287_040);
    expect(p.energy.campus).toEqual({ campusGW: 2.2, facilityShare: 0.13 });
    expect(renderReportMarkdown(buildReport(p))).toContain('Against the campus: 287.04 MW is 13% of 2.2 GW at full build');
  });

  test('a fabric estimate is the estimate of its own chips and nodes', () => {
    const p = plan('rainier-scale');
    expect(p.energy.fabrics[0].estimate).toEqual(estimateEnergy(p.fabrics[0].totals, p.config.energy));
  });
});

describe('topology diff: blocks, power and water', () => {
  const listed = (ids: string[]) => plan('rainier-mini', { sites: { ohio: { pools: { train: { reservationIds: ids } } } } });

  test('a change of block behind an UltraServer is a named change', () => {
    const d = diffTopology(listed(IDS), listed([IDS[0], 'cr-0000000000000000f']), 'a', 'b');
    expect(d.blocks).toEqual([{ ultraServer: 'ohio-train-u0001', before: IDS[1], after: 'cr-0000000000000000f' }]);
    expect(d.summary).toContain('1 UltraServer on another Capacity Block');
    expect(renderTopologyDiff(d)).toContain(`  ~ ohio-train-u0001: ${IDS[1]} → cr-0000000000000000f`);
  });

  test('a change of IMDS hop limit is named as a launch setting that running nodes keep until refreshed', () => {
    const text = renderTopologyDiff(diffTopology(plan('rainier-mini'), plan('rainier-mini', { compute: { imdsHopLimit: 2 } }), 'a', 'b'));
    expect(text).toMatch(/^Node launch settings \(.*running nodes keep the old settings until their groups are refreshed/m);
    expect(text).toContain('  ~ compute.imdsHopLimit: 1 → 2');
  });

  test('a change of block says what CloudFormation does: running nodes stay on the old block, and how to move all four together', () => {
    const text = renderTopologyDiff(diffTopology(listed(IDS), listed([IDS[0], 'cr-0000000000000000f']), 'a', 'b'));
    expect(text).not.toContain('the UltraServer is replaced');
    expect(text).toMatch(/running nodes stay on the old block/);
    expect(text).toMatch(/another UltraServer/);
    expect(text).toMatch(/minimum and desired capacity to 0/);
  });

  test('moving from parameters to listed IDs names every UltraServer', () => {
    const d = diffTopology(plan('rainier-mini'), listed(IDS), 'a', 'b');
    expect(d.blocks?.map((b) => [b.ultraServer, b.before, b.after])).toEqual([
      ['ohio-train-u0000', 'rainier-ohio-train:ReservationIds[0]', IDS[0]],
      ['ohio-train-u0001', 'rainier-ohio-train:ReservationIds[1]', IDS[1]],
    ]);
  });

  test('the same blocks and size: no block change, no power change', () => {
    const d = diffTopology(listed(IDS), listed(IDS), 'a', 'b');
    expect(d.blocks).toEqual([]);
    expect(d.energy).toBeUndefined();
    expect(renderTopologyDiff(d)).not.toContain('Power, energy and water');
  });

  test('growing the pool shows the change in power and water', () => {
    const d = diffTopology(plan('ultraserver'), plan('rainier-mini'), 'a', 'b');
    expect(d.energy?.before.itKW).toBe(32);
    expect(d.energy?.after.itKW).toBe(80);
    const text = renderTopologyDiff(d);
    expect(text).toContain('Power, energy and water (estimate; see the report for its inputs):');
    expect(text).toMatch(/IT power\s+32 kW → 80 kW/);
    expect(text).toMatch(/Water per day at the AWS WUE\s+115 L → 288 L/);
  });
});
