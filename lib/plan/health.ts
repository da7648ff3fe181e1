import { TrainiumGeneration } from '../catalog/instance-types';
import { CapacityKind } from '../config/schema/site';
import { NODE_JOIN_STEP } from './eks';
import { isFsxEfaClient } from './storage';
import { planScratchVolume } from './compute';
import { PoolPlan, SitePlan } from './types';

/**
 * Health-gated launch, decided once here: what a node checks about itself before it is put in
 * service, and how long its Auto Scaling group waits for the answer. Pure functions of the plan.
 *
 * Every node group has a launch lifecycle hook (`autoscaling:EC2_INSTANCE_LAUNCHING`): a new instance
 * waits in `Pending:Wait` until it completes the lifecycle action itself, CONTINUE when its
 * self-check passes, ABANDON when a check or the boot script fails. With ABANDON (or no answer
 * before the heartbeat timeout, whose default result is ABANDON) the group terminates the instance
 * and launches a replacement (https://docs.aws.amazon.com/autoscaling/ec2/userguide/lifecycle-hooks.html,
 * "If the instance is launching and the result is ABANDON, the instance is terminated").
 */

/** The hook's name, the same in every group (the node passes it to complete-lifecycle-action). */
export const LAUNCH_HOOK_NAME = 'rainier-node-health';
export const LAUNCH_TRANSITION = 'autoscaling:EC2_INSTANCE_LAUNCHING';

/**
 * HeartbeatTimeout bounds: 30 to 7,200 seconds (API LifecycleHookSpecification / PutLifecycleHook,
 * https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_LifecycleHookSpecification.html).
 */
export const HEARTBEAT_LIMITS_SECONDS = { min: 30, max: 7200 } as const;

/** The metric a node publishes when it fails its self-check (namespace Rainier). */
export const HEALTH_METRIC = { checkFailed: 'NodeHealthCheckFailed' } as const;
/** The extra dimension naming the failed check (published alongside the Cluster/Site/Pool series). */
export const CHECK_DIMENSION = 'Check';

/** A step of the boot with the time budget the hook allows it. */
export interface BootStepBudget {
  readonly step: string;
  readonly seconds: number;
  /** Why this budget: every figure is an assumption of this project, labelled as such. */
  readonly basis: string;
}

/**
 * The boot's real steps, in order, each with its budget. AWS publishes no boot-time figure for
 * Trainium instances, so each budget is an explicit, labelled assumption; the sum is the hook's
 * heartbeat timeout. A budget too short abandons healthy nodes; too long keeps a broken one holding
 * reserved capacity for that long before it is replaced.
 */
export function bootStepBudgets(pool: Pick<PoolPlan, 'shape' | 'kind'>, joinsCluster = false): BootStepBudget[] {
  const steps: BootStepBudget[] = [
    {
      step: 'instance-boot',
      seconds: 900,
      basis:
        'Assumption: firmware, kernel and cloud-init on a node with up to 16 Neuron devices and 16 network cards, before user data starts. The hook timer starts at launch, so boot counts.',
    },
  ];
  if (planScratchVolume(pool.shape) !== undefined) {
    steps.push({ step: 'scratch-volume', seconds: 120, basis: 'Assumption: mdadm RAID-0 creation and mkfs.xfs on empty NVMe instance-store drives (no initial resync for RAID-0).' });
  }
  steps.push({ step: 'node-telemetry', seconds: 60, basis: 'Assumption: writing configuration files and starting two services already in the image.' });
  // lib/constructs/node-topology.ts: UltraServer nodes read three instance tags from IMDS, each up to
  // 30 tries of 2 s sleep plus two IMDS calls capped at 2 s; other nodes only write the file.
  steps.push(
    pool.kind === CapacityKind.ULTRASERVER_CAPACITY_BLOCK
      ? {
          step: 'node-topology',
          seconds: 180,
          basis: 'Worst case of the first tag read while the group\'s tags propagate: 30 tries x (2 s sleep + two IMDS calls capped at 2 s); the other two reads then answer at once.',
        }
      : { step: 'node-topology', seconds: 10, basis: 'Assumption: writing /etc/rainier/topology.json from facts baked into the script.' },
  );
  steps.push({
    step: 'lustre-mount',
    seconds: 300,
    basis: 'Assumption: loading the Lustre (and EFA LNet) modules and the first mount, which waits on the file system over the network.',
  });
  steps.push({
    step: 'self-check',
    seconds: 380,
    basis:
      "The check script's own timeouts: neuron-ls 60 s, fi_info 60 s, first access to the Lustre mount 120 s; then the lifecycle helper's bounded retries: IMDS token 5 tries x 2 s plus 15 s of sleeps, CompleteLifecycleAction 4 tries x (5 s connect + 15 s read) plus 30 s of sleeps (lib/constructs/node-health.ts).",
  });
  if (joinsCluster) {
    // `orchestrator: eks`: the node joins its EKS cluster after the check, before CONTINUE (lib/constructs/node-join.ts).
    steps.push({ ...NODE_JOIN_STEP });
  }
  return steps;
}

/** What one pool's node checks against the catalogue and the plan. */
export interface NodeHealthPlan {
  readonly hookName: string;
  readonly heartbeatTimeoutSeconds: number;
  readonly defaultResult: 'ABANDON';
  /** Neuron devices (chips) the node must show. */
  readonly neuronDevices: number;
  /** Physical NeuronCores of the catalogue. */
  readonly neuronCores: number;
  /**
   * NeuronCore counts neuron-ls may report: physical, or logical with a Logical NeuronCore size of 2
   * on Trainium2 (REFERENCE.md §1, NEURON-LNC: LNC 1 or 2, default 2).
   */
  readonly acceptedNeuronCoreCounts: readonly number[];
  /** EFA devices fi_info must list (the launch template's EFA interfaces). */
  readonly efaDevices: number;
  /** Scratch mount point to check, if the node has instance store. */
  readonly scratchMountPoint?: string;
  /** The shared Lustre mount point. */
  readonly lustreMountPoint: string;
  /** Whether Lustre must run over EFA on this pool's nodes (EFA file system and an EFA-client instance type). */
  readonly lustreOverEfa: boolean;
  readonly steps: readonly BootStepBudget[];
}

/** `joinsCluster`: the pool's nodes join an EKS cluster after the check (`orchestrator: eks`), which the hook waits for too. */
export function planNodeHealth(site: SitePlan, pool: PoolPlan, timeoutSeconds?: number, joinsCluster = false): NodeHealthPlan {
  const steps = bootStepBudgets(pool, joinsCluster);
  const total = timeoutSeconds ?? steps.reduce((sum, s) => sum + s.seconds, 0);
  const heartbeat = Math.min(HEARTBEAT_LIMITS_SECONDS.max, Math.max(HEARTBEAT_LIMITS_SECONDS.min, total));
  const shape = pool.shape;
  const logical = shape.generation === TrainiumGeneration.TRAINIUM2 ? [shape.neuronCores, shape.neuronCores / 2] : [shape.neuronCores];
  return {
    hookName: LAUNCH_HOOK_NAME,
    heartbeatTimeoutSeconds: heartbeat,
    defaultResult: 'ABANDON',
    neuronDevices: shape.chips,
    neuronCores: shape.neuronCores,
    acceptedNeuronCoreCounts: logical,
    efaDevices: pool.efaInterfaces,
    scratchMountPoint: planScratchVolume(shape)?.mountPoint,
    lustreMountPoint: site.storage.mountPoint,
    lustreOverEfa: site.storage.efaEnabled && pool.efaInterfaces > 0 && isFsxEfaClient(shape),
    steps,
  };
}
