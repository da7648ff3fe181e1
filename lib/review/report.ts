import * as fs from 'fs';
import * as path from 'path';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { DEFAULT_PRESET } from '../config/presets';
import { CapacityKind } from '../config/schema/site';
import { Finding, RuleLevel } from '../plan/rules/rule';
import { deployParametersOf } from '../plan/deploy-parameters';
import { SiteMonitoringPlan } from '../plan/monitoring';
import { StoragePlan } from '../plan/storage';
import { ClusterPlan, PoolPlan, SitePlan, StackKind, StackPlan, Totals } from '../plan/types';
import { CFN_RESOURCE_LIMIT, CFN_TEMPLATE_BYTES_LIMIT, StackStats, stackStats } from './assembly';
import { ReportScheduler, buildScheduler, renderSchedulerSection } from './scheduler-section';
import { ReportTopology, buildTopology, renderTopologySections } from './topology-sections';
import { bytes, fsxCapacity, gbps, gibWithTib, markdownTable, mbps, num, percentOf, plural, stableJson } from './format';

/**
 * Version of the JSON report's shape (`schemaVersion`). Bump it when a field is renamed or removed or
 * changes meaning; adding an optional field does not bump it.
 *
 * - 1: cluster, source, synthesised, totals, storageTotals, sites[] (network, pools[], storage,
 *   monitoring), overviewDashboards, findings[], stacks[], limits; optional `topology` (EFA fabrics,
 *   NeuronLink/EFA levels, the block behind each UltraServer, power/energy/water; issue #12);
 *   optional `scheduler` (the EKS clusters, their members, access, version and node labels; issue #17).
 */
export const REPORT_SCHEMA_VERSION = 1;

/** File names the app writes into the cloud assembly directory on every synthesis. */
export const REPORT_MARKDOWN_FILE = 'topology.md';
export const REPORT_JSON_FILE = 'topology.json';

/** Human names of the capacity kinds. */
export const CAPACITY_KIND_LABELS: Readonly<Record<CapacityKind, string>> = {
  [CapacityKind.ULTRASERVER_CAPACITY_BLOCK]: 'UltraServer Capacity Block',
  [CapacityKind.CAPACITY_BLOCK]: 'Capacity Block',
  [CapacityKind.ON_DEMAND_CAPACITY_RESERVATION]: 'On-Demand Capacity Reservation',
};

/**
 * The machine-readable topology report (`topology.json`). Every field is derived from the plan,
 * except `stacks[].resources` and `stacks[].templateBytes`, which come from a synthesised assembly
 * and are absent when the report was made from the plan alone. Keys are sorted in the JSON output.
 */
export interface TopologyReport {
  readonly schemaVersion: typeof REPORT_SCHEMA_VERSION;
  readonly cluster: string;
  /** Where the configuration came from, e.g. `preset rainier-mini`; absent when unknown. */
  readonly source?: string;
  /** Whether per-stack resource counts and template sizes are present. */
  readonly synthesised: boolean;
  readonly totals: Totals;
  /** File systems summed over sites. */
  readonly storageTotals: { readonly fileSystems: number; readonly capacityGiB: number; readonly throughputMBps: number };
  /** Alarms and dashboards summed over sites (overview dashboards included). */
  readonly monitoringTotals: { readonly alarms: number; readonly dashboards: number; readonly widgets: number };
  readonly sites: readonly ReportSite[];
  /** The cluster overview dashboard pages (in the overview site's monitoring stack). */
  readonly overviewDashboards: readonly ReportDashboard[];
  /** Warnings and infos from the rules, with acknowledgements. */
  readonly findings: readonly ReportFinding[];
  readonly stacks: readonly ReportStack[];
  /** CloudFormation quotas the stacks are measured against. */
  readonly limits: { readonly resourcesPerStack: number; readonly templateBytes: number };
  /** EFA fabrics, the NeuronLink/EFA network, the block behind each UltraServer, power and water (./topology-sections.ts). */
  readonly topology?: ReportTopology;
  /** The scheduler layer (`orchestrator: eks`, ./scheduler-section.ts); absent for `orchestrator: none`. */
  readonly scheduler?: ReportScheduler;
}

export interface ReportSite {
  readonly name: string;
  readonly region: string;
  readonly availabilityZone: string;
  readonly cidr: string;
  readonly nodeSubnetMask: number;
  readonly natGateway: boolean;
  readonly interfaceEndpoints: readonly string[];
  readonly pools: readonly ReportPool[];
  readonly totals: Totals;
  readonly storage: ReportStorage;
  readonly monitoring: ReportMonitoring;
}

/** The site's FSx for Lustre file system as planned. */
export interface ReportStorage {
  readonly deploymentType: string;
  readonly fileSystemTypeVersion: string;
  readonly capacityGiB: number;
  readonly throughputMBpsPerTiB: number;
  readonly aggregateThroughputMBps: number;
  readonly perChipMBps: number;
  readonly efaEnabled: boolean;
  /** `AUTOMATIC`, or the provisioned IOPS. */
  readonly metadata: string;
  readonly checkpointGB: number;
  readonly checkpointWriteSeconds: number;
  readonly meetsTargets: boolean;
  readonly automaticBackupRetentionDays: number;
  readonly mountPoint: string;
}

export interface ReportAlarm {
  readonly id: string;
  readonly summary: string;
  readonly comparison: string;
  readonly threshold: number;
  readonly pool?: string;
  /** A deploy-time value the alarm needs (it is left out when the value is missing). */
  readonly requires?: string;
}

export interface ReportDashboard {
  readonly name: string;
  readonly widgets: number;
}

export interface ReportMonitoring {
  readonly alarms: readonly ReportAlarm[];
  readonly dashboards: readonly ReportDashboard[];
  /**
   * Which Capacity Reservations the site's idle alarm, reservation widgets and capacity events
   * watch: `listed` (its own), `region` (every reservation of its Region) or `covered` (none; the
   * `watcher` site watches the Region).
   */
  readonly reservations?: { readonly watch: 'listed' | 'region' | 'covered'; readonly watcher?: string };
}

export interface ReportPool {
  readonly name: string;
  /** `sites.<site>.pools.<pool>` */
  readonly path: string;
  readonly kind: CapacityKind;
  readonly instanceType: string;
  readonly ultraServers: number;
  readonly nodes: number;
  /** Nodes the reservation or blocks hold (spares included). */
  readonly reservedNodes: number;
  readonly efaInterfacesPerNode: number;
  readonly placementGroup: boolean;
  /** Compute stacks holding the pool, in shard order. */
  readonly stacks: readonly string[];
  readonly totals: Totals;
}

export interface ReportFinding {
  readonly code: string;
  readonly level: RuleLevel;
  readonly path: string;
  readonly given: string;
  readonly allowed: string;
  readonly acknowledged: boolean;
  readonly reason?: string;
}

export interface ReportStack {
  readonly id: string;
  readonly kind: StackKind | 'other';
  readonly site?: string;
  readonly region?: string;
  readonly pool?: string;
  readonly shard?: number;
  readonly nodeGroups?: number;
  readonly terminationProtection?: boolean;
  /** Required CloudFormation parameters the deployer passes (lib/plan/deploy-parameters.ts). */
  readonly deployParameters?: readonly string[];
  /** In the plan's stack layout. */
  readonly planned: boolean;
  /** Present in the synthesised assembly (always false for a plan-only report). */
  readonly rendered: boolean;
  readonly resources?: number;
  readonly templateBytes?: number;
}

export interface ReportOptions {
  /** Where the configuration came from, shown in the heading. */
  readonly source?: string;
  /** Per-stack figures from a synthesised assembly (`stackStats(app.synth())`). */
  readonly stacks?: readonly StackStats[];
}

/** Describes a configuration source for the report heading, e.g. `preset ultraserver`. */
export function describeSource(source: { preset?: string; configPath?: string }): string {
  if (source.preset === undefined && source.configPath === undefined) {
    return `preset ${DEFAULT_PRESET} (the default)`;
  }
  const parts: string[] = [];
  if (source.preset !== undefined) {
    parts.push(`preset ${source.preset}`);
  }
  if (source.configPath !== undefined) {
    parts.push(`config ${source.configPath}`);
  }
  return parts.join(', ');
}

/** Builds the report model from a plan and, optionally, the synthesised stacks. */
export function buildReport(plan: ClusterPlan, options: ReportOptions = {}): TopologyReport {
  const stats = new Map((options.stacks ?? []).map((s) => [s.id, s]));
  const planned = new Set(plan.stacks.map((s) => s.id));
  const stacks: ReportStack[] = plan.stacks.map((s) => ({ ...reportStack(s, stats.get(s.id)), deployParameters: deployParametersOf(plan, s) }));
  // Stacks the app rendered that the plan does not list (should not happen; shown rather than hidden).
  for (const s of options.stacks ?? []) {
    if (!planned.has(s.id)) {
      stacks.push({ id: s.id, kind: 'other', planned: false, rendered: true, resources: s.resources, templateBytes: s.templateBytes });
    }
  }
  const sites = plan.sites.map((site) => reportSite(site, plan.stacks, plan.monitoring.sites.find((m) => m.site === site.name)));
  const overviewDashboards = plan.monitoring.overview.map((d) => ({ name: d.name, widgets: d.widgets.length }));
  const dashboards = [...sites.flatMap((s) => s.monitoring.dashboards), ...overviewDashboards];
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    cluster: plan.name,
    source: options.source,
    synthesised: options.stacks !== undefined,
    totals: plan.totals,
    storageTotals: {
      fileSystems: sites.length,
      capacityGiB: sites.reduce((sum, s) => sum + s.storage.capacityGiB, 0),
      throughputMBps: sites.reduce((sum, s) => sum + s.storage.aggregateThroughputMBps, 0),
    },
    monitoringTotals: {
      alarms: sites.reduce((sum, s) => sum + s.monitoring.alarms.length, 0),
      dashboards: dashboards.length,
      widgets: dashboards.reduce((sum, d) => sum + d.widgets, 0),
    },
    sites,
    overviewDashboards,
    findings: plan.findings.map(reportFinding),
    stacks,
    limits: { resourcesPerStack: CFN_RESOURCE_LIMIT, templateBytes: CFN_TEMPLATE_BYTES_LIMIT },
    topology: buildTopology(plan),
    ...(plan.orchestrator !== undefined ? { scheduler: buildScheduler(plan) } : {}),
  };
}

function reportStorage(s: StoragePlan): ReportStorage {
  return {
    deploymentType: s.deploymentType,
    fileSystemTypeVersion: s.fileSystemTypeVersion,
    capacityGiB: s.capacityGiB,
    throughputMBpsPerTiB: s.throughputMBpsPerTiB,
    aggregateThroughputMBps: s.aggregateThroughputMBps,
    perChipMBps: s.perChipMBps,
    efaEnabled: s.efaEnabled,
    metadata: s.metadata.mode === 'AUTOMATIC' ? 'AUTOMATIC' : `${s.metadata.iops} IOPS`,
    checkpointGB: s.checkpointGB,
    checkpointWriteSeconds: s.checkpointWriteSeconds,
    meetsTargets: s.meetsTargets,
    automaticBackupRetentionDays: s.automaticBackupRetentionDays,
    mountPoint: s.mountPoint,
  };
}

function reportMonitoring(m: SiteMonitoringPlan | undefined): ReportMonitoring {
  return {
    alarms: (m?.alarms ?? []).map((a) => ({
      id: a.id,
      summary: a.summary,
      comparison: a.comparison,
      threshold: a.threshold,
      pool: a.pool,
      requires: a.requires,
    })),
    dashboards: (m?.dashboards ?? []).map((d) => ({ name: d.name, widgets: d.widgets.length })),
    reservations: m === undefined ? undefined : { watch: m.reservationWatch, watcher: m.regionWatcher },
  };
}

function reportSite(site: SitePlan, stacks: readonly StackPlan[], monitoring: SiteMonitoringPlan | undefined): ReportSite {
  return {
    name: site.name,
    region: site.region,
    availabilityZone: site.availabilityZone,
    cidr: site.network.cidr,
    nodeSubnetMask: site.network.nodeSubnetMask,
    natGateway: site.network.natGateway,
    interfaceEndpoints: site.network.interfaceEndpoints,
    pools: site.pools.map((pool) => reportPool(site, pool, stacks)),
    totals: site.totals,
    storage: reportStorage(site.storage),
    monitoring: reportMonitoring(monitoring),
  };
}

function reportPool(site: SitePlan, pool: PoolPlan, stacks: readonly StackPlan[]): ReportPool {
  return {
    name: pool.name,
    path: pool.path,
    kind: pool.kind,
    instanceType: pool.instanceType,
    ultraServers: pool.ultraServerCount,
    nodes: pool.nodeCount,
    reservedNodes: pool.capacity.reservedNodes,
    efaInterfacesPerNode: pool.efaInterfaces,
    placementGroup: pool.placementGroup,
    stacks: stacks.filter((s) => s.kind === StackKind.COMPUTE && s.site === site.name && s.pool === pool.name).map((s) => s.id),
    totals: pool.totals,
  };
}

function reportFinding(f: Finding): ReportFinding {
  return {
    code: f.code,
    level: f.level,
    path: f.path,
    given: f.given,
    allowed: f.allowed,
    acknowledged: f.acknowledgedBecause !== undefined,
    reason: f.acknowledgedBecause,
  };
}

function reportStack(s: StackPlan, stats: StackStats | undefined): ReportStack {
  return {
    id: s.id,
    kind: s.kind,
    site: s.site,
    region: s.region,
    pool: s.pool,
    shard: s.shard,
    nodeGroups: s.nodeGroups?.length,
    terminationProtection: s.terminationProtection,
    planned: true,
    rendered: stats !== undefined,
    resources: stats?.resources,
    templateBytes: stats?.templateBytes,
  };
}

/** The JSON report: sorted keys, two-space indent, trailing newline. */
export function renderReportJson(report: TopologyReport): string {
  return `${stableJson(report)}\n`;
}

/** The totals table rows, label then value; shared with the diagram and the diff. */
export function totalsRows(t: Totals, sites?: number): string[][] {
  const rows: string[][] = [];
  if (sites !== undefined) {
    rows.push(['Sites', num(sites)]);
  }
  rows.push(
    ['Trn2 UltraServers', num(t.ultraServers)],
    ['Nodes', num(t.nodes)],
    ['Trainium chips', num(t.chips)],
    ['NeuronCores', num(t.neuronCores)],
    ['HBM', gibWithTib(t.hbmGiB)],
    ['Dense FP8', `${num(t.denseFp8Pflops)} PFLOPS`],
    ['Dense BF16', `${num(t.denseBf16Pflops)} PFLOPS`],
    ['EFA interfaces', num(t.efaInterfaces)],
    ['EFA-node network bandwidth', gbps(t.efaGbps)],
    ['vCPUs', num(t.vcpus)],
    ['Host memory', gibWithTib(t.memoryGiB)],
    ['Local NVMe', `${num(t.nvmeGB)} GB`],
  );
  return rows;
}

/** The Markdown report for people. */
export function renderReportMarkdown(report: TopologyReport): string {
  const out: string[] = [];
  out.push(`# Topology of cluster \`${report.cluster}\``);
  out.push('');
  const from = report.source ? `Configuration: ${report.source}. ` : '';
  out.push(
    `${from}Generated from the cluster plan${report.synthesised ? ' and the synthesised templates' : ' only (no synthesis: stacks show no resource counts)'}; report schema version ${report.schemaVersion}.`,
  );
  out.push('');

  out.push('## Totals');
  out.push('');
  out.push(markdownTable(['Quantity', 'Total'], totalsRows(report.totals, report.sites.length), ['l', 'r']));
  out.push('');
  if ((report.topology?.fabrics.length ?? 0) > 1) {
    out.push(`EFA figures above are sums over ${report.topology!.fabrics.length} separate EFA fabrics, not one network; see "EFA fabrics".`, '');
  }

  out.push('## Sites');
  out.push('');
  out.push(
    markdownTable(
      ['Site', 'Region', 'Availability Zone', 'VPC', 'Node subnet', 'Egress', 'UltraServers', 'Nodes', 'Chips'],
      report.sites.map((s) => [
        s.name,
        s.region,
        s.availabilityZone,
        s.cidr,
        `/${s.nodeSubnetMask}`,
        s.natGateway ? 'NAT gateway' : 'VPC endpoints only',
        num(s.totals.ultraServers),
        num(s.totals.nodes),
        num(s.totals.chips),
      ]),
      ['l', 'l', 'l', 'l', 'l', 'l', 'r', 'r', 'r'],
    ),
  );
  out.push('');

  out.push('## Pools');
  out.push('');
  const pools = report.sites.flatMap((s) => s.pools.map((p) => ({ site: s, pool: p })));
  out.push(
    markdownTable(
      ['Pool', 'Capacity', 'Instance type', 'UltraServers', 'Nodes (reserved)', 'Chips', 'EFA per node', 'Placement group', 'Stacks'],
      pools.map(({ site, pool }) => [
        `${site.name}/${pool.name}`,
        CAPACITY_KIND_LABELS[pool.kind],
        pool.instanceType,
        pool.ultraServers > 0 ? num(pool.ultraServers) : '-',
        `${num(pool.nodes)} (${num(pool.reservedNodes)})`,
        num(pool.totals.chips),
        num(pool.efaInterfacesPerNode),
        pool.placementGroup ? 'cluster' : 'none',
        pool.stacks.length > 3 ? `${pool.stacks[0]} .. ${pool.stacks[pool.stacks.length - 1]} (${pool.stacks.length})` : pool.stacks.join(', '),
      ]),
      ['l', 'l', 'l', 'r', 'r', 'r', 'r', 'l', 'l'],
    ),
  );
  out.push('');

  if (report.topology !== undefined) {
    out.push(...renderTopologySections(report.topology));
  }
  if (report.scheduler !== undefined) {
    out.push(...renderSchedulerSection(report.scheduler));
  }

  out.push('## Storage');
  out.push('');
  out.push(
    `${num(report.storageTotals.fileSystems)} FSx for Lustre ${plural(report.storageTotals.fileSystems, 'file system')}: ${fsxCapacity(report.storageTotals.capacityGiB)}, ${mbps(report.storageTotals.throughputMBps)} aggregate.`,
  );
  out.push('');
  out.push(
    markdownTable(
      ['Site', 'File system', 'Capacity', 'Tier', 'Throughput', 'Per chip', 'EFA', 'Metadata', 'Checkpoint write', 'Backups'],
      report.sites.map((site) => {
        const st = site.storage;
        return [
          site.name,
          `${st.deploymentType}, Lustre ${st.fileSystemTypeVersion}, ${st.mountPoint}`,
          fsxCapacity(st.capacityGiB),
          `${num(st.throughputMBpsPerTiB)} MB/s/TiB`,
          mbps(st.aggregateThroughputMBps),
          `${num(st.perChipMBps, 1)} MB/s`,
          st.efaEnabled ? 'yes' : 'no',
          st.metadata,
          `${num(st.checkpointGB)} GB in ${num(st.checkpointWriteSeconds, 0)} s${st.meetsTargets ? '' : ' (misses the targets)'}`,
          `${st.automaticBackupRetentionDays} days`,
        ];
      }),
      ['l', 'l', 'r', 'r', 'r', 'r', 'l', 'l', 'r', 'r'],
    ),
  );
  out.push('');

  out.push('## Monitoring');
  out.push('');
  out.push(
    `${num(report.monitoringTotals.alarms)} ${plural(report.monitoringTotals.alarms, 'alarm')}; ${num(report.monitoringTotals.dashboards)} dashboard ${plural(report.monitoringTotals.dashboards, 'page')} with ${num(report.monitoringTotals.widgets)} widgets (overview: ${report.overviewDashboards.map((d) => d.name).join(', ') || 'none'}).`,
  );
  out.push('');
  const watches = reservationWatchLines(report);
  if (watches.length > 0) {
    out.push('Capacity Reservations watched (idle alarm, reservation widgets, capacity events):', '', ...watches, '');
  }
  const alarms = report.sites.flatMap((site) => site.monitoring.alarms.map((a) => ({ site: site.name, a })));
  if (alarms.length > 0) {
    out.push(
      markdownTable(
        ['Site', 'Alarm', 'Watches', 'Fires when', 'Pool'],
        alarms.map(({ site, a }) => [
          site,
          a.id,
          a.summary,
          `${a.comparison === 'GreaterThanThreshold' ? '>' : '<'} ${num(a.threshold)}`,
          a.pool ?? '-',
        ]),
        ['l', 'l', 'l', 'r', 'l'],
      ),
    );
    out.push('');
  }

  out.push('## Findings');
  out.push('');
  if (report.findings.length === 0) {
    out.push('No warnings or infos.');
  } else {
    for (const f of report.findings) {
      const level = f.level === RuleLevel.WARNING ? 'Warning' : f.level === RuleLevel.INFO ? 'Info' : 'Error';
      const ack = f.acknowledged ? ` Acknowledged: ${f.reason}` : f.level === RuleLevel.WARNING ? ' **Not acknowledged.**' : '';
      out.push(`- ${level} \`${f.code}\` \`${f.path}\`: got ${f.given}; ${f.allowed}.${ack}`);
    }
  }
  out.push('');

  out.push('## Deploy-time parameters');
  out.push('');
  out.push(
    'Required stack parameters, no default: pass each as `--parameters STACK:NAME=VALUE` at the first deployment; later deployments keep the previous value unless a new one is passed (docs/operations.md, "Deploy-time parameters").',
  );
  out.push('');
  const withParameters = report.stacks.filter((s) => (s.deployParameters ?? []).length > 0);
  out.push(
    withParameters.length === 0
      ? 'None.'
      : markdownTable(
          ['Stack', 'Parameters'],
          withParameters.map((s) => [s.id, (s.deployParameters ?? []).map((p) => `\`${p}\``).join(', ')]),
          ['l', 'l'],
        ),
  );
  out.push('');

  out.push('## Stacks');
  out.push('');
  out.push(
    `CloudFormation allows ${num(report.limits.resourcesPerStack)} resources and a 1 MB template (counted here as ${num(report.limits.templateBytes)} bytes) per stack.`,
  );
  out.push('');
  out.push(
    markdownTable(
      ['Stack', 'Kind', 'Node groups', 'Termination protection', `Resources (of ${report.limits.resourcesPerStack})`, 'Template (of 1 MB)'],
      report.stacks.map((s) => [
        s.id,
        s.kind,
        s.nodeGroups === undefined ? '-' : num(s.nodeGroups),
        s.terminationProtection === undefined ? '-' : s.terminationProtection ? 'yes' : 'no',
        !report.synthesised ? '-' : s.resources === undefined ? 'not rendered' : `${num(s.resources)} (${percentOf(s.resources, report.limits.resourcesPerStack)})`,
        !report.synthesised ? '-' : s.templateBytes === undefined ? 'not rendered' : `${bytes(s.templateBytes)} (${percentOf(s.templateBytes, report.limits.templateBytes)})`,
      ]),
      ['l', 'l', 'r', 'l', 'r', 'r'],
    ),
  );
  const over = report.stacks.filter(
    (s) => (s.resources ?? 0) > report.limits.resourcesPerStack || (s.templateBytes ?? 0) > report.limits.templateBytes,
  );
  if (over.length > 0) {
    out.push('');
    out.push(`**Over a CloudFormation limit:** ${over.map((s) => s.id).join(', ')}.`);
  }
  out.push('');
  return out.join('\n');
}

/**
 * Writes `topology.md` and `topology.json` into a cloud assembly directory, with the stack figures
 * read from that assembly. Called by `bin/rainier.ts` after every synthesis.
 */
export function writeReportFiles(plan: ClusterPlan, assembly: cxapi.CloudAssembly, source?: string): TopologyReport {
  const report = buildReport(plan, { source, stacks: stackStats(assembly) });
  fs.writeFileSync(path.join(assembly.directory, REPORT_MARKDOWN_FILE), renderReportMarkdown(report));
  fs.writeFileSync(path.join(assembly.directory, REPORT_JSON_FILE), renderReportJson(report));
  return report;
}

/** One line per watching site; the sites a Region-wide watch covers are named on its line. */
function reservationWatchLines(report: TopologyReport): string[] {
  const covered = new Map<string, string[]>();
  for (const site of report.sites) {
    const r = site.monitoring.reservations;
    if (r?.watch === 'covered' && r.watcher !== undefined) {
      covered.set(r.watcher, [...(covered.get(r.watcher) ?? []), site.name]);
    }
  }
  const lines: string[] = [];
  for (const site of report.sites) {
    const r = site.monitoring.reservations;
    if (r?.watch === 'listed') {
      lines.push(`- ${site.name}: its own (the IDs in the configuration and the On-Demand reservations its stacks create)`);
    } else if (r?.watch === 'region') {
      const others = covered.get(site.name) ?? [];
      const named = others.length <= 3 ? others.join(', ') : `${others.slice(0, 3).join(', ')} and ${others.length - 3} more`;
      const also = others.length === 0 ? '' : `, for ${named} too`;
      lines.push(`- ${site.name}: every Capacity Reservation of ${site.region} tagged rainier:cluster=${report.cluster}, because some Capacity Block IDs there are deploy-time parameters${also}`);
    }
  }
  return lines;
}
