import * as fs from 'fs';
import * as path from 'path';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { DEFAULT_PRESET } from '../config/presets';
import { CapacityKind } from '../config/schema/site';
import { Finding, RuleLevel } from '../plan/rules/rule';
import { ClusterPlan, PoolPlan, SitePlan, StackKind, StackPlan, Totals } from '../plan/types';
import { CFN_RESOURCE_LIMIT, CFN_TEMPLATE_BYTES_LIMIT, StackStats, stackStats } from './assembly';
import { bytes, gbps, gibWithTib, markdownTable, num, percentOf, stableJson } from './format';

/**
 * Version of the JSON report's shape (`schemaVersion`). Bump it when a field is renamed or removed or
 * changes meaning; adding an optional field does not bump it.
 *
 * - 1: cluster, source, totals, sites[].pools[], findings[], stacks[], limits.
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
  readonly sites: readonly ReportSite[];
  /** Warnings and infos from the rules, with acknowledgements. */
  readonly findings: readonly ReportFinding[];
  readonly stacks: readonly ReportStack[];
  /** CloudFormation quotas the stacks are measured against. */
  readonly limits: { readonly resourcesPerStack: number; readonly templateBytes: number };
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
  const stacks: ReportStack[] = plan.stacks.map((s) => reportStack(s, stats.get(s.id)));
  // Stacks the app rendered that the plan does not list (should not happen; shown rather than hidden).
  for (const s of options.stacks ?? []) {
    if (!planned.has(s.id)) {
      stacks.push({ id: s.id, kind: 'other', planned: false, rendered: true, resources: s.resources, templateBytes: s.templateBytes });
    }
  }
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    cluster: plan.name,
    source: options.source,
    synthesised: options.stacks !== undefined,
    totals: plan.totals,
    sites: plan.sites.map((site) => reportSite(site, plan.stacks)),
    findings: plan.findings.map(reportFinding),
    stacks,
    limits: { resourcesPerStack: CFN_RESOURCE_LIMIT, templateBytes: CFN_TEMPLATE_BYTES_LIMIT },
  };
}

function reportSite(site: SitePlan, stacks: readonly StackPlan[]): ReportSite {
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
