import { Tags } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { nodeTelemetryForPool } from '../constructs/node-telemetry';
import { nodeTopologyForPool } from '../constructs/node-topology';
import { pascalCase } from '../plan/naming';
import { ClusterPlan, SitePlan, StackKind, StackPlan } from '../plan/types';
import { CheckpointReplicaStack } from './checkpoint-replica-stack';
import { ComputeStack, NodeOrchestrator } from './compute-stack';
import { MonitoringStack } from './monitoring-stack';
import { NetworkStack } from './network-stack';
import { OrchestratorStack } from './orchestrator-stack';
import { StorageStack } from './storage-stack';

export interface SiteStacks {
  readonly site: SitePlan;
  /** The site's network stack; for a member of a shared fabric, the fabric's (its first member's). */
  readonly network: NetworkStack;
  /** Stateful storage (FSx for Lustre, buckets, keys): termination-protected, RETAIN. */
  readonly storage: StorageStack;
  /** Compute stacks of the site, in plan order (per pool: shard 0 first). */
  readonly compute: readonly ComputeStack[];
  /** Alarms, alarm topic, capacity events, dashboards and node log groups (the overview in the plan's overview site). */
  readonly monitoring: MonitoringStack;
  /** `orchestrator: eks`, in a fabric's network site: the fabric's EKS cluster. */
  readonly orchestrator?: OrchestratorStack;
}

export interface ClusterStacks {
  readonly sites: readonly SiteStacks[];
}

/** Renders the plan's stack layout: every decision was made in the plan; this only builds it. */
export function createCluster(scope: Construct, plan: ClusterPlan): ClusterStacks {
  const networks = new Map<string, NetworkStack>();
  /** By fabric ID: the fabric's orchestrator stack (`orchestrator: eks`). */
  const orchestrators = new Map<string, OrchestratorStack>();
  const sites = plan.sites.map((site) => {
    const stackPlans = plan.stacks.filter((s) => s.site === site.name);
    const one = (kind: StackKind): StackPlan => {
      const found = stackPlans.find((s) => s.kind === kind);
      if (found === undefined) {
        throw new Error(`plan has no ${kind} stack for site ${site.name}`);
      }
      return found;
    };
    const monitoringPlan = siteMonitoringPlan(plan, site.name);
    const fabric = plan.fabrics.find((f) => f.id === site.fabric);
    if (fabric === undefined) {
      throw new Error(`plan has no fabric ${site.fabric} for site ${site.name}`);
    }
    const eksPlan = plan.orchestrator?.clusters.find((c) => c.fabric === fabric.id);
    let network = networks.get(fabric.id);
    if (network === undefined) {
      // The fabric's first member holds its network (for a shared fabric, every member's storage subnet and node log groups).
      const networkPlan = one(StackKind.NETWORK);
      const members = fabric.sites.slice(1).map((m) => ({
        site: m,
        // (the member's SitePlan.id; computed, since a partial plan, as the scale test renders, may omit the member)
        id: pascalCase(m),
        nodeLogGroups: siteMonitoringPlan(plan, m).logGroups,
      }));
      network = new NetworkStack(scope, networkPlan.id, {
        ...stackProps(
          networkPlan,
          `${plan.name} ${site.name}: VPC, endpoints, flow logs, node log groups and the EFA security group` +
            (members.length > 0 ? ` of fabric ${fabric.name ?? fabric.id} (shared with ${members.map((m) => m.site).join(', ')})` : ''),
        ),
        site,
        logRetentionDays: plan.config.monitoring.logRetentionDays,
        nodeLogGroups: monitoringPlan.logGroups,
        ...(members.length > 0 ? { members } : {}),
        ...(eksPlan !== undefined ? { controlPlaneSubnets: eksPlan.controlPlaneSubnets } : {}),
      });
      networks.set(fabric.id, network);
    }
    const siteNetwork = network.network.forSite(site.name);
    const storagePlan = one(StackKind.STORAGE);
    const storage = new StorageStack(scope, storagePlan.id, {
      ...stackProps(storagePlan, `${plan.name} ${site.name}: FSx for Lustre, datasets and checkpoints buckets, keys (stateful, retained)`),
      site,
      network: siteNetwork,
      logRetentionDays: plan.config.monitoring.logRetentionDays,
      logGroupSuffix: `${plan.name}-${site.name}`,
    });
    storage.addStackDependency(network, 'the file system lives in the site storage subnet and opens Lustre ports to the cluster security group');
    const replicaStackPlan = stackPlans.find((s) => s.kind === StackKind.CHECKPOINT_REPLICA);
    if (replicaStackPlan !== undefined) {
      const replica = new CheckpointReplicaStack(scope, replicaStackPlan.id, {
        ...stackProps(replicaStackPlan, `${plan.name} ${site.name}: checkpoints replica in ${replicaStackPlan.region} (stateful, retained)`),
        site,
      });
      storage.addStackDependency(replica, 'the checkpoints replication rule names the replica bucket and key');
    }
    let orchestrator: OrchestratorStack | undefined;
    if (eksPlan !== undefined && eksPlan.site === site.name) {
      const orchestratorPlan = stackPlans.find((s) => s.kind === StackKind.ORCHESTRATOR && s.fabric === fabric.id);
      const controlPlane = network.controlPlane;
      if (orchestratorPlan === undefined || controlPlane === undefined) {
        throw new Error(`plan has no orchestrator stack or control-plane network for fabric ${fabric.id} in site ${site.name}`);
      }
      orchestrator = new OrchestratorStack(scope, orchestratorPlan.id, {
        ...stackProps(orchestratorPlan, `${plan.name} ${site.name}: EKS cluster ${eksPlan.name} of fabric ${fabric.name ?? fabric.id} (private endpoint, access entries, add-ons)`),
        plan: eksPlan,
        kubernetesVersion: plan.orchestrator!.kubernetesVersion,
        subnets: controlPlane.subnets,
        securityGroup: controlPlane.securityGroup,
        logsKey: network.network.logsKey,
        logRetentionDays: plan.config.monitoring.logRetentionDays,
        keyAdministration: site.perimeter,
      });
      orchestrator.addStackDependency(network, 'the control plane lives in the fabric VPC\'s control-plane subnets and security group');
      orchestrator.addStackDependency(storage, 'the plan deploys network, storage, then the orchestrator: a job finds its file system');
      const holder = plan.orchestrator!.clusters.find((c) => c.region === eksPlan.region && c.holdsPullThroughCacheRule);
      const holderStack = holder === undefined ? undefined : orchestrators.get(holder.fabric);
      if (holderStack !== undefined && holderStack !== orchestrator) {
        orchestrator.addStackDependency(holderStack, "the Region's ECR pull-through cache rule, which this cluster's nodes pull through, is in the first cluster's stack");
      }
      orchestrators.set(fabric.id, orchestrator);
    }
    const fabricOrchestrator = eksPlan === undefined ? undefined : orchestrators.get(fabric.id);
    if (eksPlan !== undefined && fabricOrchestrator === undefined) {
      throw new Error(`site ${site.name} of fabric ${fabric.id} comes before the fabric's network site ${eksPlan.site}`);
    }
    const nodeOrchestrator: NodeOrchestrator | undefined =
      fabricOrchestrator === undefined || eksPlan === undefined
        ? undefined
        : {
            clusterName: fabricOrchestrator.cluster.clusterName,
            clusterArn: fabricOrchestrator.cluster.clusterArn,
            endpoint: fabricOrchestrator.cluster.endpoint,
            certificateAuthority: fabricOrchestrator.cluster.certificateAuthority,
            serviceCidr: eksPlan.serviceCidr,
            imageRegistryAccounts: site.network.imageRegistryAccounts,
          };
    const compute: ComputeStack[] = [];
    for (const pool of site.pools) {
      let shard0: ComputeStack | undefined;
      for (const computePlan of stackPlans.filter((s) => s.kind === StackKind.COMPUTE && s.pool === pool.name)) {
        const stack = new ComputeStack(scope, computePlan.id, {
          ...stackProps(computePlan, `${plan.name} ${site.name} pool ${pool.name}, shard ${computePlan.shard ?? 0}: ${pool.kind} capacity, launch template and node groups`),
          cluster: plan.name,
          site,
          pool,
          stack: computePlan,
          compute: plan.config.compute,
          network: siteNetwork,
          shared: shard0?.launch,
          storage: storage.nodeAccess,
          bootstrap: [nodeTelemetryForPool(plan, site.name, pool.name), nodeTopologyForPool(plan, site.name, pool.name)],
          telemetryLogGroups: monitoringPlan.logGroups,
          ...(nodeOrchestrator !== undefined ? { orchestrator: nodeOrchestrator } : {}),
        });
        stack.addStackDependency(network, 'nodes launch into the site VPC with its cluster security group');
        if (fabricOrchestrator !== undefined) {
          stack.addStackDependency(fabricOrchestrator, "nodes join the fabric's EKS cluster after their self-check");
        }
        stack.addStackDependency(storage, 'nodes mount the site file system and use its buckets and keys');
        if (shard0 === undefined) {
          shard0 = stack;
        } else {
          stack.addStackDependency(shard0, "later shards use shard 0's launch template and event topic");
        }
        compute.push(stack);
      }
    }
    const monitoringStackPlan = one(StackKind.MONITORING);
    const monitoring = new MonitoringStack(scope, monitoringStackPlan.id, {
      ...stackProps(monitoringStackPlan, `${plan.name} ${site.name}: alarms, alarm topic, capacity events, dashboards and node log groups`),
      plan: monitoringPlan,
      logRetentionDays: plan.config.monitoring.logRetentionDays,
      overview: site.name === plan.monitoring.overviewSite ? plan.monitoring.overview : undefined,
      fileSystem: { fileSystemId: storage.storage.fileSystem.fileSystemId, storageCapacityGiB: site.storage.capacityGiB },
      reservationIds: createdReservationIds(compute),
      keyAdministration: site.perimeter,
    });
    monitoring.addStackDependency(storage, 'alarms and dashboards watch the site file system');
    return { site, network, storage, compute, monitoring, ...(orchestrator !== undefined ? { orchestrator } : {}) };
  });
  Tags.of(scope).add('rainier:cluster', plan.name);
  // cdk.json sets @aws-cdk/core:explicitStackTags (as `cdk init` does): Tags.of() then tags the
  // resources but no longer the stacks, whose tags CloudFormation propagates to the resources it
  // creates. Tag each stack itself too, as the flag's documentation says (aws-cdk-lib cx-api FLAGS).
  for (const s of sites) {
    for (const stack of [s.network, s.storage, ...(s.orchestrator !== undefined ? [s.orchestrator] : []), ...s.compute, s.monitoring]) {
      stack.tags.setTag('rainier:cluster', plan.name);
    }
  }
  return { sites };
}

/**
 * The On-Demand Capacity Reservations the site's compute stacks create, for the monitoring stack
 * (which watches them with the configured IDs when the plan's reservation watch is LISTED).
 */
function createdReservationIds(compute: readonly ComputeStack[]): string[] {
  return compute.flatMap((c) => (c.capacity?.reservation === undefined ? [] : [c.capacity.reservation.ref]));
}

function siteMonitoringPlan(plan: ClusterPlan, site: string) {
  const found = plan.monitoring.sites.find((m) => m.site === site);
  if (found === undefined) {
    throw new Error(`plan has no monitoring for site ${site}`);
  }
  return found;
}

function stackProps(stack: StackPlan, description: string) {
  return {
    stackName: stack.id,
    env: { region: stack.region },
    terminationProtection: stack.terminationProtection,
    description,
    tags: { 'rainier:site': stack.site, ...(stack.pool ? { 'rainier:pool': stack.pool } : {}) },
  };
}
