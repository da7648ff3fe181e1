import { InstanceShape, TrainiumGeneration, instanceShape, nicLayout } from '../catalog/instance-types';
import { TRN2_ULTRASERVER } from '../catalog/ultraserver';
import { ClusterConfig, PoolConfig, SiteConfig } from '../config/schema';
import { CapacityKind } from '../config/schema/site';
import { REPLICA_STACK_SUFFIX } from '../config/checks';
import { poolEfaInterfaces, poolNodes, poolReservedNodes, poolUsesPlacementGroup } from './capacity';
import { planNetwork } from './network';
import { planEnergy } from './energy';
import { fabricId, fabricMembership, planFabrics } from './fabric';
import { checkPerimeterNames, planSitePerimeter } from './perimeter';
import { ordinal, pascalCase } from './naming';
import { planMonitoring } from './monitoring';
import { OrchestratorPlan, planOrchestrator } from './orchestrator';
import { checkRules } from './rules/run';
import { indexInShard, shardOf } from './sharding';
import { planBlockBinding } from './compute';
import { planStorage } from './storage';
import { CapacityPlan, ClusterPlan, NodeGroupPlan, PoolPlan, SitePlan, StackKind, StackPlan, Totals } from './types';

/**
 * Turns a validated configuration into the cluster plan. Pure: the same config gives the same plan.
 * Throws ConfigError when a rule at error level fails.
 */
export function planCluster(config: ClusterConfig): ClusterPlan {
  const findings = checkRules(config);
  checkPerimeterNames(config);
  const membership = fabricMembership(config);
  const sites = Object.entries(config.sites).map(([name, site]) => planSite(name, site, config, membership.get(fabricId(name, site.fabric)) ?? [name]));
  const totals = sumTotals(sites.map((s) => s.totals));
  const fabrics = planFabrics(sites, new Map(Object.entries(config.sites).map(([name, site]) => [name, site.fabric])));
  const orchestrator = planOrchestrator(config, sites, fabrics);
  return {
    name: config.name,
    config,
    sites,
    stacks: planStacks(config.name, sites, new Set(fabrics.map((f) => f.networkSite)), orchestrator),
    totals,
    findings,
    monitoring: planMonitoring(config, sites),
    fabrics,
    energy: planEnergy(totals, fabrics, config.energy, sites.some((s) => s.pools.some((p) => p.shape.generation === TrainiumGeneration.TRAINIUM1))),
    ...(orchestrator !== undefined ? { orchestrator } : {}),
  };
}

/** `members`: the sites of the site's fabric, in order; the first owns the fabric's network. */
function planSite(name: string, site: SiteConfig, config: ClusterConfig, members: readonly string[]): SitePlan {
  const owner = members[0];
  const others = members.slice(1).map((m) => ({ name: m, site: config.sites[m] }));
  const pools = Object.entries(site.pools).map(([poolName, pool]) => planPool(name, poolName, pool));
  return {
    name,
    id: pascalCase(name),
    region: site.region,
    availabilityZone: site.availabilityZone,
    // A shared fabric's members all read the one network of the fabric (the first member's CIDR and egress).
    network: site.fabric === undefined ? planNetwork(site, config.perimeter) : planNetwork(config.sites[owner], config.perimeter, others),
    pools,
    totals: sumTotals(pools.map((p) => p.totals)),
    storage: planStorage(config.storage, site),
    fabric: fabricId(name, site.fabric),
    perimeter: planSitePerimeter(config, name, site),
  };
}

function planPool(siteName: string, name: string, pool: PoolConfig): PoolPlan {
  const shape = instanceShape(pool.instanceType);
  const nodeCount = poolNodes(pool);
  const efaInterfaces = poolEfaInterfaces(pool);
  const prefix = `${siteName}-${name}`;
  const nodeGroups: NodeGroupPlan[] = [];
  let ultraServerCount = 0;
  if (pool.kind === CapacityKind.ULTRASERVER_CAPACITY_BLOCK) {
    const per = TRN2_ULTRASERVER.instancesPerUltraServer;
    ultraServerCount = nodeCount / per;
    for (let u = 0; u < ultraServerCount; u++) {
      const groupName = `${prefix}-u${ordinal(u)}`;
      nodeGroups.push({
        id: `UltraServer${ordinal(u)}`,
        name: groupName,
        ultraServerIndex: u,
        size: per,
        nodes: Array.from({ length: per }, (_, position) => ({ name: `${groupName}-n${position}`, position })),
        shard: shardOf(u),
        block: planBlockBinding(pool.reservationIds, u, indexInShard(u)),
      });
    }
  } else {
    nodeGroups.push({
      id: 'Nodes',
      name: prefix,
      size: nodeCount,
      nodes: Array.from({ length: nodeCount }, (_, position) => ({ name: `${prefix}-n${ordinal(position)}`, position })),
      shard: 0,
    });
  }
  // The layout follows the configured EFA count: the primary ENA interface, then efa-only ones.
  const nics = nicLayout(shape).slice(0, 1 + efaInterfaces);
  return {
    name,
    id: pascalCase(name),
    path: `sites.${siteName}.pools.${name}`,
    kind: pool.kind,
    instanceType: pool.instanceType,
    shape,
    nodeCount,
    ultraServerCount,
    efaInterfaces,
    nics,
    placementGroup: poolUsesPlacementGroup(pool),
    capacity: planCapacity(pool),
    nodeGroups,
    totals: totalsOf(shape, nodeCount, ultraServerCount, efaInterfaces),
  };
}

function planCapacity(pool: PoolConfig): CapacityPlan {
  switch (pool.kind) {
    case CapacityKind.ULTRASERVER_CAPACITY_BLOCK:
      return {
        kind: pool.kind,
        ultraServerType: TRN2_ULTRASERVER.ultraServerType,
        reservedUltraServers: poolReservedNodes(pool) / TRN2_ULTRASERVER.instancesPerUltraServer,
        reservedNodes: poolReservedNodes(pool),
        reservationIds: pool.reservationIds,
        target: 'block-per-ultraserver',
        marketType: 'capacity-block',
      };
    case CapacityKind.CAPACITY_BLOCK:
      return {
        kind: pool.kind,
        reservedNodes: poolReservedNodes(pool),
        reservationId: pool.reservationId,
        target: 'reservation',
        marketType: 'capacity-block',
      };
    case CapacityKind.ON_DEMAND_CAPACITY_RESERVATION:
      return {
        kind: pool.kind,
        reservedNodes: poolReservedNodes(pool),
        endDate: pool.endDate,
        instancePlatform: 'Linux/UNIX',
        instanceMatchCriteria: 'targeted',
        target: 'reservation',
        preference: 'capacity-reservations-only',
      };
  }
}

function totalsOf(shape: InstanceShape, nodes: number, ultraServers: number, efaInterfaces: number): Totals {
  return {
    nodes,
    ultraServers,
    chips: nodes * shape.chips,
    neuronCores: nodes * shape.neuronCores,
    hbmGiB: nodes * shape.hbmGiB,
    vcpus: nodes * shape.vcpus,
    memoryGiB: nodes * shape.memoryGiB,
    // TFLOPS -> PFLOPS, rounded to 0.1 TFLOPS to keep sums free of floating-point noise.
    denseFp8Pflops: Math.round(nodes * shape.denseFp8Tflops * 10) / 10_000,
    denseBf16Pflops: Math.round(nodes * shape.denseBf16Tflops * 10) / 10_000,
    efaInterfaces: nodes * efaInterfaces,
    // Each EFA-capable card carries an equal share of the node's bandwidth (16 x 200 Gbit on trn2).
    efaGbps: shape.efaDevices === 0 ? 0 : (nodes * shape.networkGbps * efaInterfaces) / shape.efaDevices,
    nvmeGB: nodes * shape.nvmeDrives * shape.nvmeDriveGB,
  };
}

const ZERO: Totals = {
  nodes: 0,
  ultraServers: 0,
  chips: 0,
  neuronCores: 0,
  hbmGiB: 0,
  vcpus: 0,
  memoryGiB: 0,
  denseFp8Pflops: 0,
  denseBf16Pflops: 0,
  efaInterfaces: 0,
  efaGbps: 0,
  nvmeGB: 0,
};

export function sumTotals(parts: readonly Totals[]): Totals {
  const out: Record<string, number> = { ...ZERO };
  for (const part of parts) {
    for (const key of Object.keys(ZERO) as (keyof Totals)[]) {
      out[key] += part[key];
    }
  }
  // Keep PFLOPS sums exact to 0.1 TFLOPS.
  out.denseFp8Pflops = Math.round(out.denseFp8Pflops * 10_000) / 10_000;
  out.denseBf16Pflops = Math.round(out.denseBf16Pflops * 10_000) / 10_000;
  return out as unknown as Totals;
}

/**
 * The stack layout. Per site: a network stack (in a shared fabric only the first member has one: it
 * holds the fabric's network), a storage stack (stateful, termination-protected), with
 * `orchestrator: eks` in a fabric's network site an orchestrator stack (the fabric's EKS cluster),
 * compute stacks per pool (shard 0 holds the pool's capacity and launch template; more shards only
 * when the pool outgrows one), and a monitoring stack. Stack names depend only on site, pool and
 * shard index, so resizing never renames or moves anything that exists.
 */
function planStacks(cluster: string, sites: readonly SitePlan[], networkSites: ReadonlySet<string>, orchestrator?: OrchestratorPlan): StackPlan[] {
  const stacks: StackPlan[] = [];
  for (const site of sites) {
    const base = `${cluster}-${site.name}`;
    const common = { site: site.name, region: site.region };
    // A member of a shared fabric other than the first has no network stack: it uses the fabric's.
    if (networkSites.has(site.name)) {
      stacks.push({ id: `${base}-network`, kind: StackKind.NETWORK, ...common, terminationProtection: false });
    }
    stacks.push({ id: `${base}-storage`, kind: StackKind.STORAGE, ...common, terminationProtection: true });
    const replica = site.perimeter.checkpointReplica;
    if (replica !== undefined) {
      stacks.push({ id: `${base}-${REPLICA_STACK_SUFFIX}`, kind: StackKind.CHECKPOINT_REPLICA, site: site.name, region: replica.region, terminationProtection: true });
    }
    // After the fabric's network and storage, before any compute: nodes join a cluster that exists.
    // Replacing it stops running jobs but holds no data (checkpoints are in storage), so no termination protection.
    for (const eks of orchestrator?.clusters.filter((c) => c.site === site.name) ?? []) {
      stacks.push({ id: eks.stack, kind: StackKind.ORCHESTRATOR, ...common, fabric: eks.fabric, terminationProtection: false });
    }
    for (const pool of site.pools) {
      const shards = new Map<number, string[]>();
      for (const group of pool.nodeGroups) {
        shards.set(group.shard, [...(shards.get(group.shard) ?? []), group.id]);
      }
      for (const [shard, nodeGroups] of [...shards.entries()].sort((a, b) => a[0] - b[0])) {
        stacks.push({
          id: shard === 0 ? `${base}-${pool.name}` : `${base}-${pool.name}-${ordinal(shard, 2)}`,
          kind: StackKind.COMPUTE,
          ...common,
          pool: pool.name,
          shard,
          nodeGroups,
          terminationProtection: false,
        });
      }
    }
    stacks.push({ id: `${base}-monitoring`, kind: StackKind.MONITORING, ...common, terminationProtection: false });
  }
  return stacks;
}
