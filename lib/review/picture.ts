import { CapacityKind } from '../config/schema/site';
import { SiteMonitoringPlan } from '../plan/monitoring';
import { FabricPlan } from '../plan/fabric';
import { EksClusterPlan, OrchestratorPlan } from '../plan/orchestrator';
import { ClusterPlan, PoolPlan, SitePlan } from '../plan/types';
import { fsxCapacity, gbps, mbps, num, plural } from './format';
import { CAPACITY_KIND_LABELS } from './report';

/**
 * The architecture picture: the plan drawn as a Graphviz graph (DOT), laid out and rendered to SVG
 * offline by Graphviz compiled to WebAssembly (@viz-js/viz, pinned in package.json; no browser, no
 * network). The hierarchy is Region -> Availability Zone (fabric) -> building -> pool -> UltraServer;
 * identical buildings and all the UltraServers of a pool are drawn once, with a count, so the picture
 * stays the same size from one node to Rainier scale. NeuronLink joins the nodes inside an
 * UltraServer; EFA joins UltraServers (and nodes) through the building's fabric; the file system,
 * endpoints and monitoring are joined to what they serve.
 */

/** One group of buildings the picture draws together under a Region. */
export interface FabricGroup {
  readonly region: string;
  readonly availabilityZone: string;
  readonly sites: readonly SitePlan[];
  /** Shared fabrics in this zone (`sites.<site>.fabric`), each drawn as one box spanning its buildings. */
  readonly sharedFabrics: readonly FabricPlan[];
}

/**
 * The groups the picture draws between Region and building: buildings grouped by (Region,
 * Availability Zone), since EFA traffic never leaves one AZ. A building is its own EFA fabric in
 * the plan (lib/plan/fabric.ts: one VPC and node subnet per building) unless it names a shared one:
 * a shared fabric is drawn as one box around its buildings (one VPC, node subnet and security group);
 * grouping by zone lets identical buildings of one zone collapse into one box.
 */
export function fabricGroups(plan: ClusterPlan): FabricGroup[] {
  const groups: { region: string; availabilityZone: string; sites: SitePlan[] }[] = [];
  for (const site of plan.sites) {
    let group = groups.find((g) => g.region === site.region && g.availabilityZone === site.availabilityZone);
    if (group === undefined) {
      group = { region: site.region, availabilityZone: site.availabilityZone, sites: [] };
      groups.push(group);
    }
    group.sites.push(site);
  }
  return groups.map((g) => ({
    ...g,
    sharedFabrics: plan.fabrics.filter((f) => f.sites.length > 1 && f.region === g.region && f.availabilityZone === g.availabilityZone),
  }));
}

/** Buildings that would be drawn identically, with their names; drawn once with a count. */
interface BuildingGroup {
  readonly sites: readonly SitePlan[];
  readonly monitoring: SiteMonitoringPlan | undefined;
}

function buildingSignature(site: SitePlan, monitoring: SiteMonitoringPlan | undefined): string {
  return JSON.stringify({
    pools: site.pools.map((p) => [p.name, p.kind, p.instanceType, p.nodeCount, p.ultraServerCount, p.placementGroup, p.efaInterfaces]),
    storage: [site.storage.capacityGiB, site.storage.throughputMBpsPerTiB, site.storage.efaEnabled, site.storage.dataRepositories.map((d) => d.bucket)],
    network: [site.network.interfaceEndpoints, site.network.natGateway],
    monitoring: [monitoring?.alarms.length, monitoring?.dashboards.length],
  });
}

function buildingGroups(plan: ClusterPlan, sites: readonly SitePlan[]): BuildingGroup[] {
  const bySignature = new Map<string, { sites: SitePlan[]; monitoring: SiteMonitoringPlan | undefined }>();
  for (const site of sites) {
    const monitoring = plan.monitoring.sites.find((m) => m.site === site.name);
    const key = buildingSignature(site, monitoring);
    const group = bySignature.get(key);
    if (group === undefined) {
      bySignature.set(key, { sites: [site], monitoring });
    } else {
      group.sites.push(site);
    }
  }
  return [...bySignature.values()];
}

/** Font and colours; sizes in points, chosen so the default picture reads at 900 px wide (a test checks). */
export const PICTURE_STYLE = {
  // One PostScript name Graphviz has metrics for (a list falls back to Times' narrower metrics);
  // its SVG output names sans-serif as the fallback family.
  font: 'Helvetica',
  titlePt: 18,
  clusterPt: 15,
  nodePt: 14,
  edgePt: 12,
} as const;

const COLOURS = {
  region: '#f2f2f2',
  zone: '#e3eef9',
  building: '#fdf6e3',
  pool: '#ffffff',
  ultraServer: '#e6f4ea',
  efa: '#fde2cf',
  storage: '#ede7f6',
  service: '#f5f5f5',
  scheduler: '#e8eaf6',
  line: '#555555',
} as const;

/** Escapes text for a double-quoted DOT string; `\n` becomes a centred line break. */
function q(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** A left-aligned multi-line DOT label (each line ends in `\l`), for cluster titles. */
function ql(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\l')}\\l"`;
}

/** UltraServer names: `a, b` or `first … last`. */
function range(list: readonly string[]): string {
  return list.length <= 2 ? list.join(', ') : `${list[0]} … ${list[list.length - 1]}`;
}

/** Building names, four to a line; past twelve, the first two and the last. */
function buildingNames(list: readonly string[]): string {
  if (list.length > 12) {
    return `${list[0]}, ${list[1]} … ${list[list.length - 1]}`;
  }
  const lines: string[] = [];
  for (let i = 0; i < list.length; i += 4) {
    lines.push(list.slice(i, i + 4).join(', '));
  }
  return lines.join('\n');
}

/** The plan as a Graphviz graph in DOT. IDs are positional (r0z1b2p0), never built from names. */
export function renderDot(plan: ClusterPlan, title: string): string {
  const s = PICTURE_STYLE;
  const out: string[] = [
    'graph rainier {',
    `  graph [fontname=${q(s.font)}, fontsize=${s.titlePt}, label=${q(title)}, labelloc=t, labeljust=c, rankdir=TB, newrank=true, compound=true, nodesep=0.2, ranksep=0.3, pad=0.15, bgcolor="white"];`,
    `  node [fontname=${q(s.font)}, fontsize=${s.nodePt}, shape=box, style="rounded,filled", fillcolor="#ffffff", color=${q(COLOURS.line)}, margin="0.22,0.06"];`,
    `  edge [fontname=${q(s.font)}, fontsize=${s.edgePt}, color=${q(COLOURS.line)}, fontcolor="#333333"];`,
  ];
  const regions = [...new Set(plan.sites.map((site) => site.region))];
  const stacked: Anchors[] = [];
  const fabrics = fabricGroups(plan);
  regions.forEach((region, ri) => {
    const rid = `r${ri}`;
    out.push(`  subgraph cluster_${rid} {`);
    out.push(`    graph [label=${ql(`Region ${region}`)}, labeljust=l, fontsize=${s.clusterPt}, style="rounded,filled", fillcolor=${q(COLOURS.region)}, color="#999999"];`);
    fabrics
      .filter((f) => f.region === region)
      .forEach((fabric, zi) => out.push(...zoneLines(plan, fabric, `${rid}z${zi}`, stacked)));
    out.push('  }');
  });
  // Buildings, zones and Regions stack top to bottom (invisible edges), so the picture keeps one
  // building's width at any scale.
  for (let i = 0; i + 1 < stacked.length; i++) {
    out.push(`  ${stacked[i].bottom} -- ${stacked[i + 1].top} [style=invis, minlen=2];`);
  }
  out.push('}');
  return `${out.join('\n')}\n`;
}

/** The top and bottom node of a drawn building. */
interface Anchors {
  readonly top: string;
  readonly bottom: string;
}

function zoneLines(plan: ClusterPlan, fabric: FabricGroup, id: string, stacked: Anchors[]): string[] {
  const s = PICTURE_STYLE;
  const count = fabric.sites.length;
  const out = [
    `    subgraph cluster_${id} {`,
    `      graph [label=${ql(`Availability Zone ${fabric.availabilityZone}: ${count} ${plural(count, 'building')}`)}, labeljust=l, fontsize=${s.clusterPt}, style="rounded,filled", fillcolor=${q(COLOURS.zone)}, color="#7fa7d4"];`,
  ];
  const shared = new Set(fabric.sharedFabrics.flatMap((f) => f.sites));
  buildingGroups(plan, fabric.sites.filter((site) => !shared.has(site.name))).forEach((group, bi) => {
    const eks = plan.orchestrator === undefined ? undefined : eksLabel(plan.orchestrator, group.sites.length === 1 ? plan.orchestrator.clusters.find((c) => c.site === group.sites[0].name) : undefined);
    out.push(...buildingLines(group, `${id}b${bi}`, undefined, eks));
    stacked.push({ top: `${id}b${bi}p0cap`, bottom: eks === undefined ? `${id}b${bi}fsx` : `${id}b${bi}eks` });
  });
  // A shared fabric: one box spanning its buildings, which share its VPC, node subnet and security group.
  fabric.sharedFabrics.forEach((f, fi) => {
    const net = plan.sites.find((site) => site.name === f.networkSite)!.network;
    // The fabric's one EKS cluster holds every member building's nodes: said in the fabric's title
    // (a box of its own would make the Rainier-scale picture taller than the test allows).
    const cluster = plan.orchestrator?.clusters.find((c) => c.fabric === f.id);
    const eks = plan.orchestrator === undefined || cluster === undefined ? '' : `\n${eksTitle(plan.orchestrator, cluster)}`;
    out.push(
      `    subgraph cluster_${id}f${fi} {`,
      `      graph [label=${ql(`Shared EFA fabric ${f.name ?? f.id}: ${f.sites.length} buildings, one VPC ${net.cidr}, one node subnet, one security group\n${num(f.totals.chips)} chips, ${gbps(f.totals.efaGbps)} EFA (a job can span these buildings)${eks}`)}, labeljust=l, fontsize=${s.clusterPt}, style="rounded,filled,bold", fillcolor=${q(COLOURS.efa)}, color="#d9822b", penwidth=2];`,
    );
    const members = plan.sites.filter((site) => f.sites.includes(site.name));
    buildingGroups(plan, members).forEach((group, bi) => {
      out.push(...buildingLines(group, `${id}f${fi}b${bi}`, f.name ?? f.id));
      stacked.push({ top: `${id}f${fi}b${bi}p0cap`, bottom: `${id}f${fi}b${bi}fsx` });
    });
    out.push('    }');
  });
  out.push('    }');
  return out;
}

/**
 * `sharedFabric`: the name of the shared fabric the buildings are in, whose VPC they use.
 * `eks`: the label of the building's own EKS cluster (a building that is its own fabric, with `orchestrator: eks`).
 */
function buildingLines(group: BuildingGroup, id: string, sharedFabric?: string, eks?: string): string[] {
  const s = PICTURE_STYLE;
  const site = group.sites[0];
  const n = group.sites.length;
  const where = sharedFabric === undefined ? undefined : `own storage subnet in fabric ${sharedFabric}'s VPC`;
  const label =
    n === 1
      ? `Building ${site.name}: ${where ?? `VPC ${site.network.cidr}`}`
      : `${n} identical buildings, each ${where ?? 'its own VPC'} (figures per building)\n${buildingNames(group.sites.map((x) => x.name))}`;
  const out = [
    `      subgraph cluster_${id} {`,
    `        graph [label=${ql(label)}, labeljust=l, fontsize=${s.clusterPt}, style="rounded,filled", fillcolor=${q(COLOURS.building)}, color="#c9b458"];`,
  ];
  site.pools.forEach((pool, pi) => out.push(...poolLines(site, pool, `${id}p${pi}`)));

  // Shared services of the building, below its pools.
  const efaPools = site.pools.filter((p) => p.efaInterfaces > 0);
  if (efaPools.length > 0) {
    out.push(
      `        ${id}efa [shape=box, penwidth=2, color="#d9822b", fillcolor=${q(COLOURS.efa)}, label=${q(`${sharedFabric === undefined ? 'EFA fabric' : `EFA: joins fabric ${sharedFabric}`}\n${num(site.totals.efaInterfaces)} interfaces, ${gbps(site.totals.efaGbps)}\n${sharedFabric === undefined ? 'security group open only to itself' : "the fabric's shared security group"}`)}];`,
    );
  }
  const st = site.storage;
  out.push(
    `        ${id}fsx [shape=cylinder, style=filled, fillcolor=${q(COLOURS.storage)}, label=${q(`FSx for Lustre ${st.deploymentType}\n${fsxCapacity(st.capacityGiB)}, ${mbps(st.aggregateThroughputMBps)}\nEFA ${st.efaEnabled ? 'on' : 'off'}, mounted at ${st.mountPoint}`)}];`,
  );
  if (st.dataRepositories.length > 0) {
    out.push(
      `        ${id}s3 [shape=folder, style=filled, fillcolor=${q(COLOURS.storage)}, label=${q(`S3 ${st.dataRepositories.map((d) => d.bucket).join(', ')}\n(retained, customer key)`)}];`,
    );
    out.push(`        ${id}fsx -- ${id}s3 [label="data repository"];`);
  }
  const net = site.network;
  out.push(
    `        ${id}net [fillcolor=${q(COLOURS.service)}, label=${q(`${sharedFabric === undefined ? 'VPC endpoints' : `Shared VPC endpoints`}\n${net.interfaceEndpoints.length} interface + S3 gateway\n${net.natGateway ? 'NAT gateway egress' : 'no internet egress'}\nSSM, no SSH`)}];`,
  );
  if (group.monitoring !== undefined) {
    const alarms = group.monitoring.alarms.length;
    const pages = group.monitoring.dashboards.length;
    out.push(
      `        ${id}mon [shape=note, style=filled, fillcolor=${q(COLOURS.service)}, label=${q(`Monitoring\n${alarms} ${plural(alarms, 'alarm')} to SNS\n${pages} dashboard ${plural(pages, 'page')}\ncapacity events`)}];`,
    );
  }
  if (eks !== undefined) {
    out.push(`        ${id}eks [shape=box, style="rounded,filled,bold", fillcolor=${q(COLOURS.scheduler)}, color="#3949ab", label=${q(eks)}];`);
  }
  // Two rows under the pools: the fabric and the endpoints, then storage and monitoring; the EKS
  // control plane, if any, in a third row below them (keeps the picture's width).
  const rowA = [efaPools.length > 0 ? `${id}efa` : '', `${id}net`].filter(Boolean);
  const rowB = [`${id}fsx`, st.dataRepositories.length > 0 ? `${id}s3` : '', group.monitoring ? `${id}mon` : ''].filter(Boolean);
  out.push(`        { rank=same; ${rowA.join('; ')}; }`);
  out.push(`        { rank=same; ${rowB.join('; ')}; }`);
  if (!(st.efaEnabled && efaPools.length > 0)) {
    out.push(`        ${rowA[0]} -- ${id}fsx [style=invis];`);
  }
  if (eks !== undefined) {
    out.push(`        ${id}fsx -- ${id}eks [style=invis];`);
  }
  out.push('      }');

  // Edges: each pool to the fabric (EFA), the file system (Lustre), the endpoints and monitoring.
  site.pools.forEach((pool, pi) => {
    const pid = `${id}p${pi}`;
    const anchor = `${pid}n0`;
    const tail = `ltail=cluster_${pid}`;
    if (pool.efaInterfaces > 0) {
      out.push(`      ${anchor} -- ${id}efa [${tail}, penwidth=2.5, color="#d9822b", label=${q(`EFA, ${pool.efaInterfaces} per node`)}];`);
    }
    out.push(`      ${anchor} -- ${id}fsx [${tail}, label="Lustre"];`);
    out.push(`      ${anchor} -- ${id}net [${tail}, style=dotted];`);
    // One edge from the first pool says the nodes join the cluster; one per pool would widen the picture.
    if (eks !== undefined && pi === 0) {
      out.push(`      ${anchor} -- ${id}eks [${tail}, style=dashed, color="#3949ab", constraint=false, label="nodes join"];`);
    }
    if (group.monitoring !== undefined) {
      out.push(`      ${anchor} -- ${id}mon [${tail}, style=dotted];`);
    }
  });
  if (st.efaEnabled && efaPools.length > 0) {
    out.push(`      ${id}efa -- ${id}fsx [penwidth=2.5, color="#d9822b", fontcolor="#b35c00", label="EFA-enabled\nfile system"];`);
  }
  if (group.monitoring !== undefined) {
    out.push(`      ${id}fsx -- ${id}mon [style=dotted, constraint=false];`);
  }
  return out;
}

/**
 * The EKS control plane of one fabric (`orchestrator: eks`): name, version, what it holds, who may use it.
 * Without a cluster (identical buildings drawn once), the label says each has its own.
 */
function eksLabel(o: OrchestratorPlan, cluster: EksClusterPlan | undefined): string {
  const head = `Amazon EKS, Kubernetes ${o.kubernetesVersion}\nprivate endpoint, every pool's nodes`;
  if (cluster === undefined) {
    return `${head}\none cluster per building`;
  }
  return `${head}\n${cluster.name}\n${num(cluster.nodes)} ${plural(cluster.nodes, 'node')}${cluster.ultraServers > 0 ? `, ${num(cluster.ultraServers)} ${plural(cluster.ultraServers, 'UltraServer')}` : ''}\n${accessSummary(cluster)}`;
}

/** One line for a shared fabric's title: its EKS cluster. */
function eksTitle(o: OrchestratorPlan, cluster: EksClusterPlan): string {
  return `Amazon EKS cluster ${cluster.name} (Kubernetes ${o.kubernetesVersion}, private endpoint): all ${num(cluster.nodes)} nodes; ${accessSummary(cluster)}`;
}

function accessSummary(cluster: EksClusterPlan): string {
  return cluster.access.length === 1 && cluster.access[0].principal.kind === 'parameter'
    ? 'admin: ClusterAdminRoleArn'
    : `${cluster.access.length} access ${plural(cluster.access.length, 'entry', 'entries')}`;
}

function poolLines(site: SitePlan, pool: PoolPlan, id: string): string[] {
  const s = PICTURE_STYLE;
  const placement = pool.placementGroup ? '\nin a cluster placement group' : '';
  const out = [
    `        subgraph cluster_${id} {`,
    `          graph [label=${ql(`Pool ${pool.name}\n${CAPACITY_KIND_LABELS[pool.kind]}${placement}`)}, labeljust=l, fontsize=${s.clusterPt}, style="rounded,filled", fillcolor=${q(COLOURS.pool)}, color="#888888"];`,
  ];
  const perNode = `${pool.instanceType}\n${num(pool.shape.chips)} chips, ${pool.efaInterfaces > 0 ? `${pool.efaInterfaces} EFA` : 'no EFA'}`;
  if (pool.kind === CapacityKind.ULTRASERVER_CAPACITY_BLOCK) {
    const perServer = pool.nodeCount / Math.max(pool.ultraServerCount, 1);
    const groupNames = pool.nodeGroups.map((g) => g.name);
    out.push(`          subgraph cluster_${id}u {`);
    out.push(
      `            graph [label=${q(`${num(pool.ultraServerCount)} × UltraServer\n${range(groupNames)}\neach ${perServer} nodes, ${num(perServer * pool.shape.chips)} chips\njoined by NeuronLink (green)`)}, fontsize=${s.nodePt}, style="rounded,filled", fillcolor=${q(COLOURS.ultraServer)}, color="#5b9a68"];`,
    );
    for (let i = 0; i < perServer; i++) {
      out.push(`            ${id}n${i} [label=${q(perNode)}];`);
    }
    out.push(...neuronLinkLines(id, perServer));
    out.push('          }');
  } else {
    out.push(`          ${id}n0 [label=${q(`${num(pool.nodeCount)} × ${perNode}\neach`)}];`);
  }
  out.push(`          ${id}cap [shape=cylinder, style=filled, fillcolor="#fff3c4", label=${q(capacityLabel(site, pool))}];`);
  out.push(`          ${id}cap -- ${id}n0 [style=dashed, label="launch\ntemplate"${pool.kind === CapacityKind.ULTRASERVER_CAPACITY_BLOCK ? `, lhead=cluster_${id}u` : ''}];`);
  out.push('        }');
  return out;
}

/**
 * NeuronLink joins the nodes of an UltraServer (Neuron docs, "Amazon EC2 Trn2 Architecture":
 * https://awsdocs-neuron.readthedocs-hosted.com/en/latest/about-neuron/arch/neuron-hardware/trn2-arch.html).
 * Drawn as a ring laid out two nodes wide (0 1 / 3 2), so four nodes make a square, not a strip.
 */
function neuronLinkLines(id: string, perServer: number): string[] {
  const out: string[] = [];
  const row = (i: number) => Math.floor(i / 2);
  for (let r = 0; r * 2 < perServer; r++) {
    const members = [r * 2, r * 2 + 1].filter((i) => i < perServer);
    // Odd rows run right to left, so the ring closes: 0 1 / 3 2.
    const ordered = r % 2 === 0 ? members : members.reverse();
    out.push(`            { rank=same; ${ordered.map((i) => `${id}n${i}`).join('; ')}; }`);
  }
  const edges = perServer >= 3 ? perServer : perServer - 1;
  for (let i = 0; i < edges; i++) {
    const j = (i + 1) % perServer;
    // The upper node first: an undirected edge still ranks its head below its tail.
    const [a, b] = row(i) <= row(j) ? [i, j] : [j, i];
    out.push(`            ${id}n${a} -- ${id}n${b} [penwidth=3, color="#2e7d32"];`);
  }
  return out;
}

function capacityLabel(site: SitePlan, pool: PoolPlan): string {
  const c = pool.capacity;
  switch (c.kind) {
    case CapacityKind.ULTRASERVER_CAPACITY_BLOCK:
      return `Capacity Blocks\n${num(c.reservedUltraServers)} × ${c.ultraServerType}`;
    case CapacityKind.CAPACITY_BLOCK:
      return `Capacity Block\n${num(c.reservedNodes)} ${plural(c.reservedNodes, 'instance')}`;
    case CapacityKind.ON_DEMAND_CAPACITY_RESERVATION:
      return `On-Demand Capacity\nReservation\n${num(c.reservedNodes)} in ${site.availabilityZone}`;
  }
}

/** The one-line title the picture carries. */
export function pictureTitle(plan: ClusterPlan, source: string): string {
  const t = plan.totals;
  const servers = t.ultraServers > 0 ? `${num(t.ultraServers)} ${plural(t.ultraServers, 'UltraServer')}, ` : '';
  return `Cluster ${plan.name} (${source})\n${servers}${num(t.nodes)} ${plural(t.nodes, 'node')}, ${num(t.chips)} Trainium chips, ${num(plan.sites.length)} ${plural(plan.sites.length, 'building')}`;
}

/**
 * The picture as SVG. Async because the Graphviz WebAssembly module loads asynchronously (once per
 * process); the layout itself is deterministic for a given DOT text and Graphviz version.
 */
export async function renderSvg(plan: ClusterPlan, source: string): Promise<string> {
  const viz = await graphviz();
  return viz.renderString(renderDot(plan, pictureTitle(plan, source)), { format: 'svg', engine: 'dot' });
}

let loaded: ReturnType<typeof import('@viz-js/viz').instance> | undefined;

/** Graphviz, loaded on first use only: nothing that does not draw (synthesis included) pays for it. */
function graphviz(): ReturnType<typeof import('@viz-js/viz').instance> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loaded ??= (require('@viz-js/viz') as typeof import('@viz-js/viz')).instance();
  return loaded;
}
