import { InstanceShape, InstanceTypeName, NicSlot } from '../catalog/instance-types';
import { ClusterConfig } from '../config/schema';
import { CapacityKind } from '../config/schema/site';
import { EnergyPlan } from './energy';
import { FabricPlan } from './fabric';
import { MonitoringPlan } from './monitoring';
import { NetworkPlan } from './network';
import { OrchestratorPlan } from './orchestrator';
import { Finding } from './rules/rule';
import { SitePerimeterPlan } from './perimeter';
import { StoragePlan } from './storage';

/** Sums over nodes; every figure is derived from the catalogue. */
export interface Totals {
  readonly nodes: number;
  readonly ultraServers: number;
  readonly chips: number;
  readonly neuronCores: number;
  readonly hbmGiB: number;
  readonly vcpus: number;
  readonly memoryGiB: number;
  readonly denseFp8Pflops: number;
  readonly denseBf16Pflops: number;
  readonly efaInterfaces: number;
  /** Aggregate network bandwidth of the nodes that have EFA, Gbit/s. */
  readonly efaGbps: number;
  readonly nvmeGB: number;
}

/** How a pool's reserved capacity is obtained and targeted. */
export type CapacityPlan =
  | {
      readonly kind: CapacityKind.ULTRASERVER_CAPACITY_BLOCK;
      readonly ultraServerType: string;
      readonly reservedUltraServers: number;
      readonly reservedNodes: number;
      /**
       * Purchased block IDs from the config, one per UltraServer in order (UltraServer i is bound to
       * `reservationIds[i]`); absent means CloudFormation parameters supply them (docs/topology.md).
       */
      readonly reservationIds?: readonly string[];
      /**
       * Each UltraServer's Auto Scaling group targets only its own block (`NodeGroupPlan.block`), never
       * a resource group of several blocks: EC2 may place a launch that targets a group in any block of
       * the group (EC2 User Guide, cb-group.html; REFERENCE.md §12).
       */
      readonly target: 'block-per-ultraserver';
      readonly marketType: 'capacity-block';
    }
  | {
      readonly kind: CapacityKind.CAPACITY_BLOCK;
      readonly reservedNodes: number;
      readonly reservationId?: string;
      readonly target: 'reservation';
      readonly marketType: 'capacity-block';
    }
  | {
      readonly kind: CapacityKind.ON_DEMAND_CAPACITY_RESERVATION;
      readonly reservedNodes: number;
      /** ISO 8601; absent means the reservation does not end. */
      readonly endDate?: string;
      readonly instancePlatform: 'Linux/UNIX';
      readonly instanceMatchCriteria: 'targeted';
      readonly target: 'reservation';
      readonly preference: 'capacity-reservations-only';
    };

export interface NodePlan {
  /** Host name, e.g. `ohio-train-u0001-n2`. */
  readonly name: string;
  /** Position inside its UltraServer (0-3), or its index in the pool. */
  readonly position: number;
}

/**
 * The UltraServer Capacity Block one UltraServer group is bound to: an ID from the config, or
 * element `index` of a comma-separated block-list parameter of the group's own compute stack.
 */
export type BlockBinding =
  | { readonly kind: 'listed'; readonly reservationId: string }
  | { readonly kind: 'parameter'; readonly parameter: string; readonly index: number };

/** One Auto Scaling group: an UltraServer, or a whole non-UltraServer pool. */
export interface NodeGroupPlan {
  /** Construct ID, e.g. `UltraServer0001` or `Nodes`. */
  readonly id: string;
  /** Name, e.g. `ohio-train-u0001`. */
  readonly name: string;
  /** Index of the UltraServer in its pool, for UltraServer groups. */
  readonly ultraServerIndex?: number;
  /** min = max = desired. */
  readonly size: number;
  readonly nodes: readonly NodePlan[];
  /** Index of the compute shard stack that holds this group. */
  readonly shard: number;
  /** UltraServer groups: the one block the group launches into (lib/plan/compute.ts `planBlockBindings`). */
  readonly block?: BlockBinding;
}

export interface PoolPlan {
  readonly name: string;
  readonly id: string;
  /** `sites.<site>.pools.<pool>` */
  readonly path: string;
  readonly kind: CapacityKind;
  readonly instanceType: InstanceTypeName;
  readonly shape: InstanceShape;
  readonly nodeCount: number;
  readonly ultraServerCount: number;
  readonly efaInterfaces: number;
  /** The launch template's network interfaces, card by card. */
  readonly nics: readonly NicSlot[];
  readonly placementGroup: boolean;
  readonly capacity: CapacityPlan;
  readonly nodeGroups: readonly NodeGroupPlan[];
  readonly totals: Totals;
}

export interface SitePlan {
  readonly name: string;
  readonly id: string;
  readonly region: string;
  readonly availabilityZone: string;
  readonly network: NetworkPlan;
  readonly pools: readonly PoolPlan[];
  readonly totals: Totals;
  /** The site's FSx for Lustre file system, sized by lib/plan/storage.ts. */
  readonly storage: StoragePlan;
  /** ID of the EFA fabric the site's nodes belong to (`ClusterPlan.fabrics`). */
  readonly fabric: string;
  /** Key administration and data access of the site (lib/plan/perimeter.ts). */
  readonly perimeter: SitePerimeterPlan;
}

export enum StackKind {
  NETWORK = 'network',
  STORAGE = 'storage',
  /** One EKS cluster's control plane and access entries, per fabric, in the fabric's network site (`orchestrator: eks`). */
  ORCHESTRATOR = 'orchestrator',
  COMPUTE = 'compute',
  MONITORING = 'monitoring',
  /** The checkpoints replica in another Region (storage.checkpointReplicaRegion), stateful. */
  CHECKPOINT_REPLICA = 'checkpoint-replica',
}

/** One CloudFormation stack of the deployment and what it holds. */
export interface StackPlan {
  /** Construct ID and stack name, e.g. `rainier-ohio-network`. */
  readonly id: string;
  readonly kind: StackKind;
  readonly site: string;
  readonly region: string;
  /** Compute stacks: the pool and shard they hold. Shard 0 also holds the pool's capacity and launch template. */
  readonly pool?: string;
  readonly shard?: number;
  /** Compute stacks: IDs of the node groups inside. */
  readonly nodeGroups?: readonly string[];
  /** Orchestrator stacks: the fabric (`FabricPlan.id`) whose EKS cluster they hold. */
  readonly fabric?: string;
  /** Stateful stacks get termination protection. */
  readonly terminationProtection: boolean;
}

/** Everything decided about the cluster; constructs and reports only read it. */
export interface ClusterPlan {
  readonly name: string;
  readonly config: ClusterConfig;
  readonly sites: readonly SitePlan[];
  readonly stacks: readonly StackPlan[];
  readonly totals: Totals;
  /** Warnings and infos (errors never reach a plan), each with its acknowledgement if any. */
  readonly findings: readonly Finding[];
  /** Dashboards, widgets and alarms per site, and the cluster overview (lib/plan/monitoring.ts). */
  readonly monitoring: MonitoringPlan;
  /** EFA fabrics: which sites' nodes can exchange EFA traffic, and why (lib/plan/fabric.ts). */
  readonly fabrics: readonly FabricPlan[];
  /** Power, energy and water estimate (lib/plan/energy.ts). */
  readonly energy: EnergyPlan;
  /** The scheduler layer (lib/plan/orchestrator.ts): one EKS cluster per fabric; absent for `orchestrator: none`. */
  readonly orchestrator?: OrchestratorPlan;
}
