import { ClusterPlan, PoolPlan, StackPlan, Totals } from '../plan/types';
import { SchedulerChange, diffScheduler, renderSchedulerDiff, schedulerSummary } from './scheduler-diff';
import { describeNodeImage, planNodeImage } from '../plan/compute';
import { ReservationWatch, SiteMonitoringPlan } from '../plan/monitoring';
import { Finding } from '../plan/rules/rule';
import { fsxCapacity, gbps, gibWithTib, mbps, num, plural, signed } from './format';
import { CAPACITY_KIND_LABELS } from './report';
import { EnergyEstimate } from '../plan/energy';
import { BlockChange, diffBlocks, diffEnergy, renderTopologyDiffSections, topologySummary } from './topology-sections';

/**
 * Configuration fields that reach nodes only through the launch template (a new version at
 * deployment). An Auto Scaling group does not replace running instances when its launch template
 * changes (https://docs.aws.amazon.com/autoscaling/ec2/userguide/asg-instance-refresh.html), so a
 * lower IMDS hop limit, say, protects only nodes launched afterwards.
 */
export const NODE_LAUNCH_FIELDS: readonly string[] = ['compute.imdsHopLimit', 'compute.rootVolumeGiB', 'compute.dlami'];

/** One figure that changed, e.g. chips 64 -> 160. */
export interface QuantityChange {
  /** Key in Totals (or a derived name such as `sites`). */
  readonly key: string;
  readonly label: string;
  readonly before: number;
  readonly after: number;
  readonly delta: number;
}

export interface FieldChange {
  /** Dotted path, e.g. `sites.ohio.pools.train.ultraServers`. */
  readonly path: string;
  /** Rendered values; absent on the side where the field does not exist. */
  readonly before?: string;
  readonly after?: string;
}

export interface PoolChange {
  /** `site/pool` */
  readonly pool: string;
  readonly change: 'added' | 'removed' | 'changed';
  /** One-line description of the pool (after the change; before it for removals). */
  readonly description: string;
  /** For `changed`: the planned attributes that differ. */
  readonly fields: readonly FieldChange[];
}

/** What a change means in people's terms, computed from the two plans only. */
export interface TopologyDiff {
  readonly before: string;
  readonly after: string;
  /** Headline, e.g. `+1 UltraServer, +4 nodes, +64 chips`; empty when the topology is unchanged. */
  readonly summary: readonly string[];
  readonly quantities: readonly QuantityChange[];
  readonly sites: { readonly added: readonly string[]; readonly removed: readonly string[] };
  readonly pools: readonly PoolChange[];
  readonly stacks: { readonly added: readonly StackPlan[]; readonly removed: readonly StackPlan[] };
  readonly findings: { readonly added: readonly Finding[]; readonly removed: readonly Finding[] };
  /** File systems of sites present on both sides whose planned settings differ. */
  readonly storage: readonly { readonly site: string; readonly fields: readonly FieldChange[] }[];
  /** Alarms added or removed, as `site/AlarmId`. */
  readonly alarms: { readonly added: readonly string[]; readonly removed: readonly string[] };
  /** Sites on both sides whose reservation watch (which Capacity Reservations they watch) changes. */
  readonly reservationWatches: readonly { readonly site: string; readonly before: string; readonly after: string }[];
  /** Every configuration field whose value differs (defaults filled in). */
  readonly config: readonly FieldChange[];
  /**
   * Regions whose node image changes (a new AMI, parameter version, or pinning). Running nodes keep
   * their image; nodes launched afterwards boot the new one until the groups are refreshed
   * (docs/operations.md, "Replacing nodes").
   */
  readonly images: readonly { readonly region: string; readonly before: string; readonly after: string }[];
  /** Changes that would make the deployment fail (not lose data), e.g. an FSx file system asked to shrink. */
  readonly warnings: readonly string[];
  /**
   * Sites on both sides whose EFA fabric changes: another fabric, or the same shared fabric with other
   * members (`sites.<site>.fabric`). `storageMoves`: the site's storage subnet changes (another VPC, or
   * another place among the members), so CloudFormation replaces its file system with a new, empty one;
   * the old one is retained, not moved.
   */
  readonly fabrics?: readonly FabricChange[];
  /**
   * Chips and EFA bandwidth of each EFA fabric whose figures change, when either side has more than
   * one fabric: the cluster's EFA total is then a sum over separate networks (docs/topology.md section 3).
   */
  readonly fabricTotals?: readonly FabricTotalsChange[];
  /** UltraServers bound to another Capacity Block (./topology-sections.ts). */
  readonly blocks?: readonly BlockChange[];
  /** Power, energy and water on both sides, when the estimate changes. */
  readonly energy?: { readonly before: EnergyEstimate; readonly after: EnergyEstimate };
  /** EKS clusters added, removed, replaced or changed (members, access, version; ./scheduler-diff.ts). */
  readonly scheduler?: readonly SchedulerChange[];
}

export interface FabricTotalsChange {
  readonly fabric: string;
  /** Absent when the fabric exists on one side only. */
  readonly before?: { readonly chips: number; readonly efaGbps: number };
  readonly after?: { readonly chips: number; readonly efaGbps: number };
}

/** Per-fabric chips and EFA bandwidth that differ, when either plan has several fabrics. */
function diffFabricTotals(before: ClusterPlan, after: ClusterPlan): FabricTotalsChange[] {
  if (before.fabrics.length <= 1 && after.fabrics.length <= 1) {
    return [];
  }
  const figures = (p: ClusterPlan) => new Map(p.fabrics.map((f) => [f.id, { chips: f.totals.chips, efaGbps: f.totals.efaGbps }]));
  const [b, a] = [figures(before), figures(after)];
  const ids = [...a.keys(), ...[...b.keys()].filter((id) => !a.has(id))];
  return ids
    .filter((id) => JSON.stringify(b.get(id)) !== JSON.stringify(a.get(id)))
    .map((fabric) => ({ fabric, ...(b.has(fabric) ? { before: b.get(fabric) } : {}), ...(a.has(fabric) ? { after: a.get(fabric) } : {}) }));
}

export interface FabricChange {
  readonly site: string;
  /** e.g. `fabric-campus (ohio, ohio-b; network of ohio)` */
  readonly before: string;
  readonly after: string;
  readonly storageMoves: boolean;
}

/** The fabric of a site, its members and the site whose network holds it, in words. */
function describeFabric(plan: ClusterPlan, site: string): { text: string; storage: string } {
  const s = plan.sites.find((x) => x.name === site)!;
  const f = plan.fabrics.find((x) => x.id === s.fabric)!;
  return {
    text: `${f.id} (${f.sites.join(', ')}; network of ${f.networkSite}, VPC ${s.network.cidr})`,
    // The storage subnet: which network holds it and where among the members (lib/constructs/network.ts).
    storage: `${f.networkSite}/${s.network.cidr}/${f.sites.indexOf(site)}`,
  };
}

function diffFabrics(before: ClusterPlan, after: ClusterPlan): FabricChange[] {
  return after.sites.flatMap((site) => {
    if (!before.sites.some((s) => s.name === site.name)) {
      return [];
    }
    const [b, a] = [describeFabric(before, site.name), describeFabric(after, site.name)];
    return a.text === b.text ? [] : [{ site: site.name, before: b.text, after: a.text, storageMoves: a.storage !== b.storage }];
  });
}

/** Totals worth a line, with how to print a value and the noun for the headline. */
const QUANTITIES: readonly { key: keyof Totals; label: string; render: (v: number) => string; noun?: [string, string] }[] = [
  { key: 'ultraServers', label: 'Trn2 UltraServers', render: num, noun: ['UltraServer', 'UltraServers'] },
  { key: 'nodes', label: 'Nodes', render: num, noun: ['node', 'nodes'] },
  { key: 'chips', label: 'Trainium chips', render: num, noun: ['chip', 'chips'] },
  { key: 'neuronCores', label: 'NeuronCores', render: num },
  { key: 'hbmGiB', label: 'HBM', render: gibWithTib },
  { key: 'denseFp8Pflops', label: 'Dense FP8', render: (v) => `${num(v)} PFLOPS` },
  { key: 'denseBf16Pflops', label: 'Dense BF16', render: (v) => `${num(v)} PFLOPS` },
  { key: 'efaInterfaces', label: 'EFA interfaces', render: num, noun: ['EFA interface', 'EFA interfaces'] },
  { key: 'efaGbps', label: 'EFA-node network bandwidth', render: gbps },
  { key: 'vcpus', label: 'vCPUs', render: num },
  { key: 'memoryGiB', label: 'Host memory', render: gibWithTib },
  { key: 'nvmeGB', label: 'Local NVMe', render: (v) => `${num(v)} GB` },
];

/** Compares two plans in people's terms. `beforeLabel`/`afterLabel` name the two sides. */
export function diffTopology(before: ClusterPlan, after: ClusterPlan, beforeLabel: string, afterLabel: string): TopologyDiff {
  const quantities: QuantityChange[] = [];
  const summary: string[] = [];
  const siteCount = { before: before.sites.length, after: after.sites.length };
  if (siteCount.before !== siteCount.after) {
    const delta = siteCount.after - siteCount.before;
    quantities.push({ key: 'sites', label: 'Sites', before: siteCount.before, after: siteCount.after, delta });
    summary.push(`${signed(delta)} ${plural(delta, 'site')}`);
  }
  for (const q of QUANTITIES) {
    const b = before.totals[q.key];
    const a = after.totals[q.key];
    if (b !== a) {
      const delta = Math.round((a - b) * 10_000) / 10_000;
      quantities.push({ key: q.key, label: q.label, before: b, after: a, delta });
      if (q.noun) {
        summary.push(`${signed(delta)} ${Math.abs(delta) === 1 ? q.noun[0] : q.noun[1]}`);
      }
    }
  }

  const siteNames = (p: ClusterPlan) => p.sites.map((s) => s.name);
  const sites = {
    added: siteNames(after).filter((n) => !siteNames(before).includes(n)),
    removed: siteNames(before).filter((n) => !siteNames(after).includes(n)),
  };

  const pools = diffPools(before, after);
  const poolDelta = pools.filter((p) => p.change === 'added').length - pools.filter((p) => p.change === 'removed').length;
  if (poolDelta !== 0) {
    summary.push(`${signed(poolDelta)} ${plural(poolDelta, 'pool')}`);
  }

  const stackIds = (p: ClusterPlan) => new Set(p.stacks.map((s) => s.id));
  const stacks = {
    added: after.stacks.filter((s) => !stackIds(before).has(s.id)),
    removed: before.stacks.filter((s) => !stackIds(after).has(s.id)),
  };
  if (stacks.added.length > 0) {
    summary.push(`+${stacks.added.length} ${plural(stacks.added.length, 'stack')}`);
  }
  if (stacks.removed.length > 0) {
    summary.push(`-${stacks.removed.length} ${plural(stacks.removed.length, 'stack')}`);
  }

  const storage: { site: string; fields: FieldChange[] }[] = [];
  const warnings: string[] = [];
  for (const site of after.sites) {
    const old = before.sites.find((s) => s.name === site.name);
    if (old === undefined) {
      continue;
    }
    const fields: FieldChange[] = [];
    const field = (name: string, x: string, y: string) => {
      if (x !== y) {
        fields.push({ path: name, before: x, after: y });
      }
    };
    const [o, n] = [old.storage, site.storage];
    field('capacity', fsxCapacity(o.capacityGiB), fsxCapacity(n.capacityGiB));
    field('tier', `${num(o.throughputMBpsPerTiB)} MB/s/TiB`, `${num(n.throughputMBpsPerTiB)} MB/s/TiB`);
    field('throughput', mbps(o.aggregateThroughputMBps), mbps(n.aggregateThroughputMBps));
    field('efa', o.efaEnabled ? 'enabled' : 'disabled', n.efaEnabled ? 'enabled' : 'disabled');
    field('metadata', o.metadata.mode === 'AUTOMATIC' ? 'AUTOMATIC' : `${o.metadata.iops} IOPS`, n.metadata.mode === 'AUTOMATIC' ? 'AUTOMATIC' : `${n.metadata.iops} IOPS`);
    field('backups', `${o.automaticBackupRetentionDays} days`, `${n.automaticBackupRetentionDays} days`);
    if (fields.length > 0) {
      storage.push({ site: site.name, fields });
      const cap = fields.find((f) => f.path === 'capacity');
      if (cap) {
        summary.push(`FSx ${site.name} ${num(o.capacityGiB / 1000)} → ${num(n.capacityGiB / 1000)} TiB`);
      }
      // FSx for Lustre storage capacity can only be increased (FSX-INCREASE): a smaller planned
      // capacity makes the storage stack's update fail and roll back.
      if (n.capacityGiB < o.capacityGiB) {
        warnings.push(
          `FSx ${site.name} would shrink from ${fsxCapacity(o.capacityGiB)} to ${fsxCapacity(n.capacityGiB)}: FSx for Lustre can only grow, so the storage stack update would fail. Pin storage.storageCapacityGiB: ${o.capacityGiB} to keep the deployed size.`,
        );
      }
      const efa = fields.find((f) => f.path === 'efa');
      if (efa) {
        summary.push(`FSx ${site.name} EFA ${efa.after}`);
      }
    }
  }

  const alarmIds = (p: ClusterPlan) => p.monitoring.sites.flatMap((m) => m.alarms.map((a) => `${m.site}/${a.id}`));
  const alarms = {
    added: alarmIds(after).filter((a) => !alarmIds(before).includes(a)),
    removed: alarmIds(before).filter((a) => !alarmIds(after).includes(a)),
  };
  if (alarms.added.length > 0) {
    summary.push(`+${alarms.added.length} ${plural(alarms.added.length, 'alarm')}`);
  }
  if (alarms.removed.length > 0) {
    summary.push(`-${alarms.removed.length} ${plural(alarms.removed.length, 'alarm')}`);
  }

  const reservationWatches = after.monitoring.sites.flatMap((m) => {
    const was = before.monitoring.sites.find((b) => b.site === m.site);
    const [b, a] = was === undefined ? [] : [describeWatch(was), describeWatch(m)];
    return b === undefined || a === undefined || a === b ? [] : [{ site: m.site, before: b, after: a }];
  });

  // Node image per Region of the sites on both sides (a Region only on one side is a site change).
  const regions = [...new Set(after.sites.map((s) => s.region))].filter((r) => before.sites.some((s) => s.region === r));
  const images = regions.flatMap((region) => {
    const [b, a] = [describeNodeImage(planNodeImage(before.config.compute, region)), describeNodeImage(planNodeImage(after.config.compute, region))];
    return a === b ? [] : [{ region, before: b, after: a }];
  });
  if (images.length > 0) {
    summary.push(`node image changes in ${images.map((i) => i.region).join(', ')}`);
  }

  const key = (f: Finding) => `${f.code} ${f.path} ${f.given} ${f.acknowledgedBecause ?? ''}`;
  const beforeFindings = new Set(before.findings.map(key));
  const afterFindings = new Set(after.findings.map(key));
  const findings = {
    added: after.findings.filter((f) => !beforeFindings.has(key(f))),
    removed: before.findings.filter((f) => !afterFindings.has(key(f))),
  };

  const fabrics = diffFabrics(before, after);
  if (fabrics.length > 0) {
    summary.push(`EFA fabric of ${fabrics.map((f) => f.site).join(', ')} changes`);
  }
  const fabricTotals = diffFabricTotals(before, after);
  const blocks = diffBlocks(before, after);
  const energy = diffEnergy(before, after);
  summary.push(...topologySummary(blocks, energy));
  const scheduler = diffScheduler(before, after);
  summary.push(...schedulerSummary(scheduler));

  return {
    before: beforeLabel,
    after: afterLabel,
    summary,
    quantities,
    sites,
    pools,
    stacks,
    findings,
    storage,
    alarms,
    reservationWatches,
    images,
    config: diffValues(before.config, after.config, ''),
    warnings,
    ...(fabrics.length > 0 ? { fabrics } : {}),
    ...(fabricTotals.length > 0 ? { fabricTotals } : {}),
    blocks,
    energy,
    ...(scheduler.length > 0 ? { scheduler } : {}),
  };
}

/** Which reservations a site watches, in a few words. */
function describeWatch(m: SiteMonitoringPlan): string {
  switch (m.reservationWatch) {
    case ReservationWatch.LISTED:
      return 'its own reservations';
    case ReservationWatch.REGION:
      return `every reservation of ${m.region} tagged with the cluster`;
    case ReservationWatch.COVERED:
      return `none (${m.regionWatcher} watches ${m.region})`;
  }
}

function describePool(pool: PoolPlan): string {
  const count =
    pool.ultraServerCount > 0
      ? `${num(pool.ultraServerCount)} ${plural(pool.ultraServerCount, 'UltraServer')} (${num(pool.nodeCount)} x ${pool.instanceType})`
      : `${num(pool.nodeCount)} x ${pool.instanceType}`;
  return `${count}, ${num(pool.totals.chips)} chips, ${CAPACITY_KIND_LABELS[pool.kind]}, ${pool.efaInterfaces} EFA per node${pool.placementGroup ? ', cluster placement group' : ''}`;
}

function diffPools(before: ClusterPlan, after: ClusterPlan): PoolChange[] {
  const index = (p: ClusterPlan) => {
    const m = new Map<string, PoolPlan>();
    for (const site of p.sites) {
      for (const pool of site.pools) {
        m.set(`${site.name}/${pool.name}`, pool);
      }
    }
    return m;
  };
  const b = index(before);
  const a = index(after);
  const out: PoolChange[] = [];
  for (const [name, pool] of a) {
    const old = b.get(name);
    if (old === undefined) {
      out.push({ pool: name, change: 'added', description: describePool(pool), fields: [] });
      continue;
    }
    const fields: FieldChange[] = [];
    const compare = (field: string, x: unknown, y: unknown) => {
      if (JSON.stringify(x) !== JSON.stringify(y)) {
        fields.push({ path: field, before: render(x), after: render(y) });
      }
    };
    compare('capacity', CAPACITY_KIND_LABELS[old.kind], CAPACITY_KIND_LABELS[pool.kind]);
    compare('instanceType', old.instanceType, pool.instanceType);
    compare('ultraServers', old.ultraServerCount, pool.ultraServerCount);
    compare('nodes', old.nodeCount, pool.nodeCount);
    compare('reservedNodes', old.capacity.reservedNodes, pool.capacity.reservedNodes);
    compare('efaInterfacesPerNode', old.efaInterfaces, pool.efaInterfaces);
    compare('placementGroup', old.placementGroup, pool.placementGroup);
    compare('computeStacks', shardCount(old), shardCount(pool));
    if (fields.length > 0) {
      out.push({ pool: name, change: 'changed', description: describePool(pool), fields });
    }
  }
  for (const [name, pool] of b) {
    if (!a.has(name)) {
      out.push({ pool: name, change: 'removed', description: describePool(pool), fields: [] });
    }
  }
  return out;
}

function shardCount(pool: PoolPlan): number {
  return new Set(pool.nodeGroups.map((g) => g.shard)).size;
}

function render(value: unknown): string {
  if (typeof value === 'string') {
    return value;
  }
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 100 ? `${text.slice(0, 97)}...` : text;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Field-by-field differences of two configurations; a key present on one side only is one change. */
function diffValues(a: unknown, b: unknown, at: string): FieldChange[] {
  if (isObject(a) && isObject(b)) {
    const keys = [...Object.keys(a), ...Object.keys(b).filter((k) => !(k in a))];
    return keys.flatMap((k) => {
      const p = at === '' ? k : `${at}.${k}`;
      if (!(k in b) || b[k] === undefined) {
        return a[k] === undefined ? [] : [{ path: p, before: render(a[k]) }];
      }
      if (!(k in a) || a[k] === undefined) {
        return [{ path: p, after: render(b[k]) }];
      }
      return diffValues(a[k], b[k], p);
    });
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [{ path: at, before: render(a), after: render(b) }];
}

/** The topology diff as text for a terminal or a pull request comment. */
export function renderTopologyDiff(d: TopologyDiff): string {
  const out: string[] = [];
  out.push(`Topology: ${d.before} → ${d.after}`);
  out.push('');
  out.push(d.summary.length > 0 ? `Summary: ${d.summary.join(', ')}` : 'Summary: no change to sites, pools, capacity or stacks');
  if (d.quantities.length > 0) {
    out.push('');
    out.push('Capacity:');
    const labels = Math.max(...d.quantities.map((q) => q.label.length));
    for (const q of d.quantities) {
      const spec = QUANTITIES.find((x) => x.key === q.key);
      const show = spec ? spec.render : num;
      out.push(`  ${q.label.padEnd(labels)}  ${show(q.before)} → ${show(q.after)} (${signed(q.delta)})`);
    }
  }
  if ((d.fabricTotals ?? []).length > 0) {
    out.push('');
    out.push('Per EFA fabric (the totals above add up separate fabrics, not one network):');
    const side = (v?: { chips: number; efaGbps: number }) => (v === undefined ? '(none)' : `${num(v.chips)} chips, ${gbps(v.efaGbps)}`);
    for (const f of d.fabricTotals ?? []) {
      const mark = f.before === undefined ? '+' : f.after === undefined ? '-' : '~';
      out.push(`  ${mark} ${f.fabric}: ${side(f.before)} → ${side(f.after)}`);
    }
  }
  if (d.sites.added.length + d.sites.removed.length > 0) {
    out.push('');
    out.push('Sites:');
    d.sites.added.forEach((s) => out.push(`  + ${s}`));
    d.sites.removed.forEach((s) => out.push(`  - ${s}`));
  }
  if (d.pools.length > 0) {
    out.push('');
    out.push('Pools:');
    for (const p of d.pools) {
      const mark = p.change === 'added' ? '+' : p.change === 'removed' ? '-' : '~';
      out.push(`  ${mark} ${p.pool}: ${p.description}`);
      for (const f of p.fields) {
        out.push(`      ${f.path}: ${f.before} → ${f.after}`);
      }
    }
  }
  if (d.storage.length > 0) {
    out.push('');
    out.push('Storage (FSx for Lustre):');
    for (const s of d.storage) {
      for (const f of s.fields) {
        out.push(`  ~ ${s.site} ${f.path}: ${f.before} → ${f.after}`);
      }
    }
  }
  if ((d.fabrics ?? []).length > 0) {
    out.push('');
    out.push('EFA fabrics (sites.<site>.fabric):');
    for (const f of d.fabrics ?? []) {
      out.push(`  ~ ${f.site}: ${f.before} → ${f.after}`);
      if (f.storageMoves) {
        out.push(`      its storage subnet moves, so its file system is replaced by a new, empty one (the old one is retained, not moved): copy data through S3 first`);
      }
    }
  }
  out.push(...renderSchedulerDiff(d.scheduler ?? []));
  out.push(...renderTopologyDiffSections(d.blocks ?? [], d.energy));
  if (d.warnings.length > 0) {
    out.push('');
    out.push(`!!! THE DEPLOYMENT WOULD FAIL (${d.warnings.length}) !!!`);
    d.warnings.forEach((w) => out.push(`  - ${w}`));
  }
  if (d.images.length > 0) {
    out.push('');
    out.push('Node image (running nodes keep theirs until their groups are refreshed; see docs/operations.md):');
    d.images.forEach((i) => out.push(`  ~ ${i.region}: ${i.before} → ${i.after}`));
  }
  const launchSettings = d.config.filter((f) => NODE_LAUNCH_FIELDS.includes(f.path));
  if (launchSettings.length > 0) {
    out.push('');
    out.push('Node launch settings (a new launch template version: running nodes keep the old settings until their groups are refreshed; see docs/operations.md):');
    launchSettings.forEach((f) => out.push(`  ~ ${f.path}: ${f.before ?? '(default)'} → ${f.after ?? '(default)'}`));
  }
  if (d.alarms.added.length + d.alarms.removed.length > 0) {
    out.push('');
    out.push('Alarms:');
    d.alarms.added.forEach((a) => out.push(`  + ${a}`));
    d.alarms.removed.forEach((a) => out.push(`  - ${a}`));
  }
  if (d.reservationWatches.length > 0) {
    out.push('');
    out.push('Capacity Reservations watched:');
    d.reservationWatches.forEach((w) => out.push(`  ~ ${w.site}: ${w.before} → ${w.after}`));
  }
  if (d.stacks.added.length + d.stacks.removed.length > 0) {
    out.push('');
    out.push('Stacks:');
    d.stacks.added.forEach((s) => out.push(`  + ${s.id} (${s.kind})`));
    d.stacks.removed.forEach((s) => out.push(`  - ${s.id} (${s.kind})${s.terminationProtection ? ' [termination-protected, stateful]' : ''}`));
  }
  if (d.findings.added.length + d.findings.removed.length > 0) {
    out.push('');
    out.push('Findings:');
    const line = (f: Finding) =>
      `${f.level} ${f.code} ${f.path}: got ${f.given}${f.acknowledgedBecause !== undefined ? ' (acknowledged)' : ''}`;
    d.findings.added.forEach((f) => out.push(`  + ${line(f)}`));
    d.findings.removed.forEach((f) => out.push(`  - ${line(f)}`));
  }
  out.push('');
  if (d.config.length === 0) {
    out.push('Configuration: identical');
  } else {
    out.push('Configuration fields:');
    for (const f of d.config) {
      if (f.before === undefined) {
        out.push(`  + ${f.path}: ${f.after}`);
      } else if (f.after === undefined) {
        out.push(`  - ${f.path}: ${f.before}`);
      } else {
        out.push(`  ~ ${f.path}: ${f.before} → ${f.after}`);
      }
    }
  }
  return out.join('\n');
}
