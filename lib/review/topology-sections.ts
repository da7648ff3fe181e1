import { TRN2_NEURONLINK, TRN2_ULTRASERVER } from '../catalog/ultraserver';
import { instanceShape } from '../catalog/instance-types';
import { EnergyEstimate, EnergyPlan } from '../plan/energy';
import { BlockBinding, ClusterPlan, NodeGroupPlan, PoolPlan, SitePlan, StackKind, Totals } from '../plan/types';
import { gbps, markdownTable, num } from './format';

/**
 * The report's topology sections (issue #12): EFA fabrics with per-fabric figures, the two-level
 * NeuronLink/EFA network, the Capacity Block behind each UltraServer, and the power, energy and
 * water estimate. Kept apart from report.ts so the report's other sections stay as they were.
 */

export interface ReportFabric {
  readonly id: string;
  readonly region: string;
  readonly availabilityZone: string;
  readonly sites: readonly string[];
  readonly networkSite: string;
  readonly why: string;
  readonly totals: Totals;
  /**
   * Chips of each Trainium generation in the fabric. A job runs on one generation: neuronx-cc
   * compiles it for one target, trn1 or trn2 (`--target`, Neuron compiler CLI reference:
   * https://awsdocs-neuron.readthedocs-hosted.com/en/latest/compiler/neuronx-cc/api-reference-guide/index.html).
   */
  readonly chipsByGeneration: Readonly<Record<string, number>>;
  readonly energy: EnergyEstimate;
}

export interface ReportNetworkLevel {
  readonly level: string;
  readonly scope: string;
  readonly topology: string;
  readonly perChipGBps?: number;
  readonly perServerGbps?: number;
  readonly source: string;
}

/** The block behind one UltraServer: a listed ID, or `<stack>:<parameter>[<index>]` filled at deploy time. */
export interface ReportBlock {
  readonly ultraServer: string;
  readonly block: string;
}

export interface ReportTopology {
  readonly fabrics: readonly ReportFabric[];
  readonly network: readonly ReportNetworkLevel[];
  /** Per UltraServer pool path, the block of each UltraServer in order. */
  readonly blocks: Readonly<Record<string, readonly ReportBlock[]>>;
  readonly energy: EnergyPlan;
}

export function blockLabel(binding: BlockBinding | undefined, stackId: string): string {
  if (binding === undefined) {
    return '-';
  }
  return binding.kind === 'listed' ? binding.reservationId : `${stackId}:${binding.parameter}[${binding.index}]`;
}

function groupBlocks(plan: ClusterPlan, site: SitePlan, pool: PoolPlan): ReportBlock[] {
  const stackOf = (g: NodeGroupPlan) =>
    plan.stacks.find((s) => s.kind === StackKind.COMPUTE && s.site === site.name && s.pool === pool.name && s.shard === g.shard)?.id ?? '?';
  return pool.nodeGroups.filter((g) => g.block !== undefined).map((g) => ({ ultraServer: g.name, block: blockLabel(g.block, stackOf(g)) }));
}

function chipsByGeneration(plan: ClusterPlan, sites: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const pool of plan.sites.filter((s) => sites.includes(s.name)).flatMap((s) => s.pools)) {
    if (pool.totals.chips > 0) {
      out[pool.shape.generation] = (out[pool.shape.generation] ?? 0) + pool.totals.chips;
    }
  }
  return out;
}

export function buildTopology(plan: ClusterPlan): ReportTopology {
  const energyOf = new Map(plan.energy.fabrics.map((f) => [f.fabric, f.estimate]));
  const fabrics = plan.fabrics.map((f) => ({
    id: f.id,
    region: f.region,
    availabilityZone: f.availabilityZone,
    sites: f.sites,
    networkSite: f.networkSite,
    why: f.why,
    totals: f.totals,
    chipsByGeneration: chipsByGeneration(plan, f.sites),
    energy: energyOf.get(f.id)!,
  }));
  const pools = plan.sites.flatMap((s) => s.pools);
  const trn2 = pools.some((p) => p.shape.chips === TRN2_NEURONLINK.inServer.chips && p.instanceType.startsWith('trn2'));
  const ultra = pools.some((p) => p.ultraServerCount > 0);
  const network: ReportNetworkLevel[] = [];
  if (trn2) {
    network.push({ level: TRN2_NEURONLINK.generation, ...levelOf(TRN2_NEURONLINK.inServer), source: TRN2_NEURONLINK.source });
  }
  if (ultra) {
    network.push({ level: TRN2_NEURONLINK.generation, ...levelOf(TRN2_NEURONLINK.acrossServers), source: TRN2_NEURONLINK.source });
  }
  const efaTypes = [...new Set(pools.filter((p) => p.efaInterfaces > 0).map((p) => p.instanceType))];
  for (const type of efaTypes) {
    network.push({
      level: 'EFA',
      scope: `between ${type} servers of one fabric${type === TRN2_ULTRASERVER.instance.name ? ', so between UltraServers' : ''}`,
      topology: 'Elastic Fabric Adapter (SRD) on the EC2 UltraCluster network, within one fabric (one node subnet)',
      perServerGbps: instanceShape(type).networkGbps,
      source: 'EC2 accelerated-computing instance specifications (EC2-AC); EFA stays within one subnet (lib/plan/fabric.ts)',
    });
  }
  const blocks: Record<string, ReportBlock[]> = {};
  for (const site of plan.sites) {
    for (const pool of site.pools) {
      const b = groupBlocks(plan, site, pool);
      if (b.length > 0) {
        blocks[pool.path] = b;
      }
    }
  }
  return { fabrics, network, blocks, energy: plan.energy };
}

function levelOf(l: { scope: string; topology: string; perChipGBps: number }) {
  return { scope: l.scope, topology: l.topology, perChipGBps: l.perChipGBps };
}

/** Largest number of UltraServer rows printed per pool; the JSON report always lists every one. */
export const MAX_BLOCK_ROWS = 8;

function kw(value: number): string {
  return value >= 1000 ? `${num(value / 1000, 2)} MW` : `${num(value, 1)} kW`;
}

/** Energy in MWh, shown in kWh below 1 MWh so a small cluster's day is not rounded to 0 (or 0.2 for 0.22). */
function mwh(value: number): string {
  return value >= 1 ? `${num(value, 1)} MWh` : `${num(value * 1000, 1)} kWh`;
}

/** Energy in GWh, shown in MWh below 1 GWh. */
function gwh(value: number): string {
  return value >= 1 ? `${num(value, 2)} GWh` : `${num(value * 1000, 1)} MWh`;
}

function liters(value: number): string {
  return value >= 1000 ? `${num(value / 1000, 1)} m³` : `${num(value, 0)} L`;
}

/** The energy row values, shared with the topology diff. */
export function energyRows(e: EnergyEstimate): string[][] {
  return [
    ['IT power', kw(e.itKW)],
    ['Facility power (PUE)', kw(e.facilityKW)],
    ['Energy per day', mwh(e.energyPerDayMWh)],
    ['Energy per year', gwh(e.energyPerYearGWh)],
    ['Water per day at the AWS WUE', liters(e.waterPerDayLiters)],
    ['Water per day at the industry WUE', liters(e.industryWaterPerDayLiters)],
  ];
}

export function renderTopologySections(t: ReportTopology): string[] {
  const out: string[] = [];
  out.push('## EFA fabrics');
  out.push('');
  out.push(
    'Nodes exchange EFA traffic only within one fabric: one node subnet, hence one VPC and one Availability Zone, with a security group that allows all traffic to and from itself (docs/topology.md). A site is its own fabric unless sites in one zone name a shared one (`sites.<site>.fabric`). Figures are per fabric; a job that spans fabrics has no EFA between its parts.',
  );
  out.push('');
  out.push(
    markdownTable(
      ['Fabric', 'Sites', 'Zone', 'UltraServers', 'Nodes', 'Chips', 'Dense FP8', 'EFA bandwidth', 'Why'],
      t.fabrics.map((f) => [
        f.id,
        f.sites.join(', '),
        f.availabilityZone,
        num(f.totals.ultraServers),
        num(f.totals.nodes),
        num(f.totals.chips),
        `${num(f.totals.denseFp8Pflops)} PFLOPS`,
        gbps(f.totals.efaGbps),
        f.why,
      ]),
      ['l', 'l', 'l', 'r', 'r', 'r', 'r', 'r', 'l'],
    ),
  );
  out.push('');
  // A job runs on one Trainium generation, so a fabric that mixes trn1 and trn2 holds no job of all its chips.
  const mixed = t.fabrics.filter((f) => Object.keys(f.chipsByGeneration).length > 1);
  if (t.fabrics.length > 1 || mixed.length > 0) {
    const largest = Math.max(0, ...t.fabrics.flatMap((f) => Object.values(f.chipsByGeneration)));
    const fabrics = t.fabrics.length === 1 ? '1 fabric' : `${num(t.fabrics.length)} fabrics`;
    out.push(
      mixed.length === 0
        ? `${fabrics}: the largest job one EFA network can hold has ${num(largest)} chips.`
        : `${fabrics}: the largest job one EFA network can hold has ${num(largest)} chips of one Trainium generation; ` +
            `${mixed.map((f) => `${f.id} mixes ${Object.entries(f.chipsByGeneration).map(([g, n]) => `${num(n)} ${g}`).join(' and ')} chips`).join('; ')}, ` +
            'and a job is compiled for one target (neuronx-cc --target trn1 or trn2), so its chips are not one job\'s.',
    );
    out.push('');
  }

  if (t.network.length > 0) {
    out.push('## Network: NeuronLink and EFA');
    out.push('');
    out.push(
      markdownTable(
        ['Level', 'Scope', 'Topology', 'Bandwidth'],
        t.network.map((n) => [
          n.level,
          n.scope,
          n.topology,
          n.perChipGBps !== undefined ? `${num(n.perChipGBps)} GB/s per chip` : `${gbps(n.perServerGbps ?? 0)} per server`,
        ]),
        ['l', 'l', 'l', 'r'],
      ),
    );
    out.push('');
    out.push(`Sources: ${[...new Set(t.network.map((n) => n.source))].join('; ')}.`);
    out.push('');
  }

  const pools = Object.entries(t.blocks);
  if (pools.length > 0) {
    out.push('## UltraServer Capacity Blocks');
    out.push('');
    out.push(
      `Each UltraServer (${TRN2_ULTRASERVER.instancesPerUltraServer} nodes) is one Auto Scaling group bound to its own UltraServer Capacity Block, so EC2 cannot place its nodes on two UltraServers. A block given as \`stack:Parameter[i]\` is element i of that stack's deploy-time list parameter.`,
    );
    out.push('');
    const rows: string[][] = [];
    for (const [path, blocks] of pools) {
      const shown = blocks.length <= MAX_BLOCK_ROWS ? blocks : [...blocks.slice(0, MAX_BLOCK_ROWS - 1), blocks[blocks.length - 1]];
      shown.forEach((b, i) => {
        if (blocks.length > MAX_BLOCK_ROWS && i === MAX_BLOCK_ROWS - 1) {
          rows.push([path, `.. ${num(blocks.length - MAX_BLOCK_ROWS)} more ..`, '']);
        }
        rows.push([path, b.ultraServer, b.block]);
      });
    }
    out.push(markdownTable(['Pool', 'UltraServer', 'Capacity Block'], rows));
    out.push('');
  }

  out.push('## Power, energy and water');
  out.push('');
  const e = t.energy;
  out.push(
    markdownTable(
      ['Quantity', 'Cluster', ...(t.fabrics.length > 1 ? ['Largest fabric'] : [])],
      energyRows(e.total).map((row, i) => {
        if (t.fabrics.length <= 1) {
          return row;
        }
        const largest = [...e.fabrics].sort((a, b) => b.estimate.chips - a.estimate.chips)[0];
        return [...row, energyRows(largest.estimate)[i][1]];
      }),
      ['l', 'r', 'r'],
    ),
  );
  out.push('');
  if (e.campus !== undefined) {
    out.push(
      `Against the campus: ${kw(e.total.facilityKW)} is ${num(e.campus.facilityShare * 100, 1)}% of ${num(e.campus.campusGW)} GW at full build (seed article, REFERENCE.md §12).`,
    );
    out.push('');
  }
  out.push('Inputs (assumptions are labelled; all are `energy.*` in the configuration):');
  out.push('');
  for (const i of e.inputs) {
    out.push(`- ${i.name}: ${num(i.value, 3)}${i.unit === '' ? '' : ` ${i.unit}`}${i.assumption ? ' (**assumption**)' : ''}: ${i.source}`);
  }
  out.push('');
  return out;
}

/** An UltraServer present on both sides whose Capacity Block changes: its nodes move to another block. */
export interface BlockChange {
  readonly ultraServer: string;
  readonly before: string;
  readonly after: string;
}

/** UltraServers bound to another block after the change (a named change in the topology diff). */
export function diffBlocks(before: ClusterPlan, after: ClusterPlan): BlockChange[] {
  const index = (p: ClusterPlan) => new Map(Object.values(buildTopology(p).blocks).flat().map((b) => [b.ultraServer, b.block]));
  const b = index(before);
  const out: BlockChange[] = [];
  for (const [ultraServer, block] of index(after)) {
    const was = b.get(ultraServer);
    if (was !== undefined && was !== block) {
      out.push({ ultraServer, before: was, after: block });
    }
  }
  return out;
}

/** The estimate on both sides, when any figure of it changes. */
export function diffEnergy(before: ClusterPlan, after: ClusterPlan): { before: EnergyEstimate; after: EnergyEstimate } | undefined {
  const [b, a] = [before.energy.total, after.energy.total];
  return JSON.stringify(b) === JSON.stringify(a) ? undefined : { before: b, after: a };
}

/** Headline words for the diff's summary line. */
export function topologySummary(blocks: readonly BlockChange[], energy: ReturnType<typeof diffEnergy>): string[] {
  const out: string[] = [];
  if (blocks.length > 0) {
    out.push(`${num(blocks.length)} ${blocks.length === 1 ? 'UltraServer' : 'UltraServers'} on another Capacity Block`);
  }
  if (energy !== undefined) {
    out.push(`facility power ${kw(energy.before.facilityKW)} → ${kw(energy.after.facilityKW)}`);
  }
  return out;
}

/** The diff's block and power/water sections, as text lines. */
export function renderTopologyDiffSections(blocks: readonly BlockChange[], energy: ReturnType<typeof diffEnergy>): string[] {
  const out: string[] = [];
  if (blocks.length > 0) {
    out.push('');
    // The group's CapacityReservationSpecification is updated in place ("No interruption"); running
    // instances are not replaced by a group update, only by an instance refresh or a scale-in
    // (https://docs.aws.amazon.com/autoscaling/ec2/userguide/asg-instance-refresh.html).
    out.push(
      'UltraServer Capacity Blocks (each group is updated in place: its running nodes stay on the old block, and only nodes launched afterwards use the new one,',
      'so a node replaced while the old block still runs lands on another UltraServer; to move all four together, set the group\'s minimum and desired capacity to 0, then back to 4):',
    );
    const shown = blocks.length <= MAX_BLOCK_ROWS ? blocks : blocks.slice(0, MAX_BLOCK_ROWS);
    shown.forEach((c) => out.push(`  ~ ${c.ultraServer}: ${c.before} → ${c.after}`));
    if (shown.length < blocks.length) {
      out.push(`  ... and ${num(blocks.length - shown.length)} more`);
    }
  }
  if (energy !== undefined) {
    out.push('');
    out.push('Power, energy and water (estimate; see the report for its inputs):');
    const before = energyRows(energy.before);
    const after = energyRows(energy.after);
    const width = Math.max(...before.map((r) => r[0].length));
    before.forEach(([label, value], i) => {
      if (value !== after[i][1]) {
        out.push(`  ${label.padEnd(width)}  ${value} → ${after[i][1]}`);
      }
    });
  }
  return out;
}
