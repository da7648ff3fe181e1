import { CapacityKind } from '../config/schema/site';
import { SiteMonitoringPlan } from '../plan/monitoring';
import { ClusterPlan, PoolPlan, SitePlan } from '../plan/types';
import { fsxCapacity, gbps, markdownTable, mbps, num, plural } from './format';
import { CAPACITY_KIND_LABELS } from './report';

/**
 * A pool with at most this many UltraServers draws each one; a bigger pool draws one box with the
 * count, so the diagram stays readable at Rainier scale.
 */
export const MAX_DRAWN_ULTRASERVERS = 4;

/**
 * A Mermaid flowchart of the plan: sites (VPC, AZ) holding pools, pools holding UltraServers or
 * node groups and their capacity, the EFA fabric each site's nodes share, the VPC endpoints, the
 * site's FSx for Lustre file system and its monitoring.
 * Node IDs are positional (s0, s0p1, ...), never built from names, so any name renders.
 */
export function renderMermaid(plan: ClusterPlan): string {
  const lines: string[] = ['flowchart TB'];
  plan.sites.forEach((site, si) => lines.push(...siteLines(site, `s${si}`, plan.monitoring.sites.find((m) => m.site === site.name))));
  return lines.join('\n');
}

function siteLines(site: SitePlan, id: string, monitoring: SiteMonitoringPlan | undefined): string[] {
  const out: string[] = [];
  const ind = '  ';
  out.push(`${ind}subgraph ${id}["Site ${site.name}: ${site.availabilityZone}, VPC ${site.network.cidr}"]`);
  out.push(`${ind}${ind}direction TB`);
  site.pools.forEach((pool, pi) => out.push(...poolLines(site, pool, `${id}p${pi}`, ind + ind)));
  const efaNodes = site.pools.filter((p) => p.efaInterfaces > 0);
  if (efaNodes.length > 0) {
    out.push(
      `${ind}${ind}${id}efa{{"EFA fabric: ${num(site.totals.efaInterfaces)} interfaces, ${gbps(site.totals.efaGbps)}<br/>cluster security group: all traffic to and from itself"}}`,
    );
  }
  const endpoints = site.network.interfaceEndpoints.join(', ');
  const egress = site.network.natGateway ? 'NAT gateway egress' : 'no internet egress';
  out.push(`${ind}${ind}${id}net["VPC endpoints: ${endpoints}<br/>S3 gateway endpoint; ${egress}"]`);
  const st = site.storage;
  out.push(
    `${ind}${ind}${id}fsx[("FSx for Lustre ${st.deploymentType}, ${fsxCapacity(st.capacityGiB)}<br/>${num(st.throughputMBpsPerTiB)} MB/s/TiB = ${mbps(st.aggregateThroughputMBps)}, EFA ${st.efaEnabled ? 'on' : 'off'}<br/>mounted at ${st.mountPoint}")]`,
  );
  if (monitoring !== undefined) {
    const alarms = monitoring.alarms.length;
    const pages = monitoring.dashboards.length;
    out.push(`${ind}${ind}${id}mon["Monitoring: ${alarms} ${plural(alarms, 'alarm')} to an SNS topic<br/>${pages} dashboard ${plural(pages, 'page')}, capacity events"]`);
  }
  out.push(`${ind}end`);
  site.pools.forEach((pool, pi) => {
    if (pool.efaInterfaces > 0) {
      out.push(`${ind}${id}p${pi} ---|EFA| ${id}efa`);
    }
    out.push(`${ind}${id}p${pi} ---|Lustre| ${id}fsx`);
  });
  return out;
}

function poolLines(site: SitePlan, pool: PoolPlan, id: string, ind: string): string[] {
  const out: string[] = [];
  const placement = pool.placementGroup ? ', cluster placement group' : '';
  out.push(`${ind}subgraph ${id}["Pool ${pool.name}: ${CAPACITY_KIND_LABELS[pool.kind]}${placement}"]`);
  out.push(`${ind}  direction LR`);
  const efa = pool.efaInterfaces > 0 ? `${pool.efaInterfaces} EFA` : 'no EFA';
  const targets: string[] = [];
  if (pool.kind === CapacityKind.ULTRASERVER_CAPACITY_BLOCK) {
    const per = pool.nodeCount / Math.max(pool.ultraServerCount, 1);
    const each = `${per} x ${pool.instanceType}, ${num(per * pool.shape.chips)} chips, NeuronLink`;
    if (pool.ultraServerCount <= MAX_DRAWN_ULTRASERVERS) {
      pool.nodeGroups.forEach((group, gi) => {
        out.push(`${ind}  ${id}u${gi}["UltraServer ${group.name}<br/>${each}<br/>${efa} per node"]`);
      });
      targets.push(...pool.nodeGroups.map((_, gi) => `${id}u${gi}`));
    } else {
      const first = pool.nodeGroups[0].name;
      const last = pool.nodeGroups[pool.nodeGroups.length - 1].name;
      out.push(
        `${ind}  ${id}u["${num(pool.ultraServerCount)} x Trn2 UltraServer<br/>${first} .. ${last}<br/>each ${each}<br/>${efa} per node"]`,
      );
      targets.push(`${id}u`);
    }
  } else {
    out.push(
      `${ind}  ${id}n["${num(pool.nodeCount)} x ${pool.instanceType}<br/>${num(pool.totals.chips)} ${plural(pool.totals.chips, 'chip')}, ${efa} per node"]`,
    );
    targets.push(`${id}n`);
  }
  out.push(`${ind}  ${id}cap[("${capacityLabel(site, pool)}")]`);
  for (const target of targets) {
    out.push(`${ind}  ${id}cap -.->|launch template| ${target}`);
  }
  out.push(`${ind}end`);
  return out;
}

function capacityLabel(site: SitePlan, pool: PoolPlan): string {
  const c = pool.capacity;
  switch (c.kind) {
    case CapacityKind.ULTRASERVER_CAPACITY_BLOCK:
      return `Capacity Blocks: ${num(c.reservedUltraServers)} ${c.ultraServerType} ${plural(c.reservedUltraServers, 'UltraServer')}<br/>each its own block`;
    case CapacityKind.CAPACITY_BLOCK:
      return `Capacity Block, ${num(c.reservedNodes)} ${plural(c.reservedNodes, 'instance')}`;
    case CapacityKind.ON_DEMAND_CAPACITY_RESERVATION:
      return `ODCR, ${num(c.reservedNodes)} ${plural(c.reservedNodes, 'instance')} in ${site.availabilityZone}`;
  }
}

/** docs/architecture.md: the diagram, the totals and the stack layout of one preset. */
export function renderArchitectureDoc(plan: ClusterPlan, presetName: string): string {
  const t = plan.totals;
  const lines = [
    '# Architecture',
    '',
    `<!-- Generated by \`npm run diagram\` from the plan of the \`${presetName}\` preset. Do not edit by hand: a test fails when this file is out of date. -->`,
    '',
    `The \`${presetName}\` preset as planned: ${num(t.ultraServers)} Trn2 ${plural(t.ultraServers, 'UltraServer')}, ${num(t.nodes)} ${plural(t.nodes, 'node')}, ${num(t.chips)} Trainium chips, ${num(t.efaInterfaces)} EFA interfaces in ${num(plan.sites.length)} ${plural(plan.sites.length, 'site')}.`,
    '',
    '```mermaid',
    renderMermaid(plan),
    '```',
    '',
    '## Stacks',
    '',
    markdownTable(
      ['Stack', 'Kind', 'Holds', 'Termination protection'],
      plan.stacks.map((s) => [
        s.id,
        s.kind,
        s.nodeGroups ? `${s.pool}: ${s.nodeGroups.length} node ${plural(s.nodeGroups.length, 'group')}` : '-',
        s.terminationProtection ? 'yes' : 'no',
      ]),
    ),
    '',
  ];
  return lines.join('\n');
}
