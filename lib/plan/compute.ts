import { InstanceShape } from '../catalog/instance-types';
import { ComputeConfig, NEURON_DLAMI_PREFIXES } from '../config/schema/compute';
import { RESERVATION_ID_PATTERN } from '../config/schema/common';
import { CapacityKind } from '../config/schema/site';
import { BlockBinding, NodeGroupPlan, PoolPlan, SitePlan } from './types';

/**
 * Decisions about how a pool's nodes boot, made once here so the compute constructs only render
 * them and the tests can check them without synthesis. Pure functions of the plan.
 */

/** Root of the Neuron DLAMI public SSM parameters (REFERENCE.md §4, NEURON-DLAMI). */
export const NEURON_DLAMI_SSM_ROOT = '/aws/service/neuron/dlami';

export type DlamiPrefix = (typeof NEURON_DLAMI_PREFIXES)[number];

/**
 * The public SSM parameter holding the AMI ID of a Neuron DLAMI family, read by CloudFormation at
 * deploy time (never looked up at synth): `/aws/service/neuron/dlami/<prefix>/latest/image_id`.
 */
export function dlamiImageParameter(dlami: DlamiPrefix): string {
  return `${NEURON_DLAMI_SSM_ROOT}/${dlami}/latest/image_id`;
}

/** The image a pool's nodes boot, as the launch template names it, and whether it is pinned. */
export type NodeImagePlan =
  | { readonly kind: 'latest-parameter'; readonly parameter: string; readonly pinned: false }
  | { readonly kind: 'ami'; readonly amiId: string; readonly pinned: true }
  | { readonly kind: 'parameter-version'; readonly parameter: string; readonly version: number; readonly pinned: true }
  /** Chosen by the deployer: a required stack parameter, kept across deployments until changed. */
  | { readonly kind: 'deploy-parameter'; readonly parameter: NodeImageParameterPlan; readonly pinned: true };

/** The node-image parameter of a compute stack, for a configuration that names no image. */
export interface NodeImageParameterPlan {
  /** Logical ID of the parameter in every compute stack of the pool. */
  readonly name: string;
  /**
   * An AWS-specific parameter type: CloudFormation accepts only an image ID that exists in the
   * stack's account and Region (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-supplied-parameter-types.html).
   */
  readonly type: 'AWS::EC2::Image::Id';
  readonly description: string;
  /** The public parameter that holds the family's current AMI ID, which the deployer reads once. */
  readonly latestParameter: string;
}

/** `NodeImageId`: the same name in every compute stack, so one command line can fill them all. */
export const NODE_IMAGE_PARAMETER = 'NodeImageId';

/**
 * The command that reads a DLAMI family's current AMI ID in a Region, for the deployer to pin
 * (`aws ssm get-parameter`, AWS CLI reference; the parameter is public, REFERENCE.md §4).
 */
export function currentDlamiCommand(dlami: DlamiPrefix, region: string): string {
  return `aws ssm get-parameter --region ${region} --name ${dlamiImageParameter(dlami)} --query Parameter.Value --output text`;
}

/**
 * The node image of a Region. Pinned images come from `compute.image`. Without it, a required
 * deploy-time parameter: no default, so the first deployment fails until the deployer names an
 * AMI, and the CDK CLI passes `UsePreviousValue` on later deployments (`--previous-parameters`,
 * default true: https://docs.aws.amazon.com/cdk/v2/guide/ref-cli-cmd-deploy.html), so the image
 * changes only when a new value is passed, and the change shows in CloudFormation's change set.
 * `compute.image: latest` opts into the DLAMI family's `latest` parameter, resolved by
 * CloudFormation at every deployment (a new DLAMI release changes the image of every replacement
 * node, rule RAIN-W702). Missing Regions are rule RAIN-E703.
 */
export function planNodeImage(compute: ComputeConfig, region: string): NodeImagePlan {
  const image = compute.image;
  if (image === undefined) {
    return { kind: 'deploy-parameter', parameter: nodeImageParameter(compute.dlami, region), pinned: true };
  }
  if (image === 'latest') {
    return { kind: 'latest-parameter', parameter: dlamiImageParameter(compute.dlami), pinned: false };
  }
  if ('amiIds' in image) {
    const amiId = image.amiIds[region];
    if (amiId === undefined) throw new Error(`compute.image.amiIds has no AMI for Region ${region}`);
    return { kind: 'ami', amiId, pinned: true };
  }
  const version = image.versions[region];
  if (version === undefined) throw new Error(`compute.image.versions has no version for Region ${region}`);
  return { kind: 'parameter-version', parameter: image.ssmParameter, version, pinned: true };
}

/** The `NodeImageId` parameter of a compute stack in `region`, booting family `dlami`. */
export function nodeImageParameter(dlami: DlamiPrefix, region: string): NodeImageParameterPlan {
  return {
    name: NODE_IMAGE_PARAMETER,
    type: 'AWS::EC2::Image::Id',
    latestParameter: dlamiImageParameter(dlami),
    description:
      `AMI ID (ami-...) every node of this stack boots, in ${region}; compute.image is not set, so the deployer pins it. ` +
      `The current Neuron DLAMI (${dlami}): ${currentDlamiCommand(dlami, region)}. ` +
      'Pass the same ID to every compute stack of the pool. Later cdk deploy runs keep the previous value unless a new one is passed; ' +
      'a new value applies to nodes launched afterwards (docs/operations.md, "Pinned images" and "Replacing nodes").',
  };
}

/** The image in people's terms, for reports and the topology diff. */
export function describeNodeImage(image: NodeImagePlan): string {
  switch (image.kind) {
    case 'latest-parameter':
      return `${image.parameter} (unpinned: resolved at each deployment)`;
    case 'ami':
      return image.amiId;
    case 'parameter-version':
      return `${image.parameter}:${image.version}`;
    case 'deploy-parameter':
      return `deploy-time parameter ${image.parameter.name} (pinned by the deployer; not visible here)`;
  }
}

/**
 * The root device name of a DLAMI family. The launch template's root-volume mapping must name the
 * AMI's root device, or EC2 adds a second volume and boots from the AMI's default one: Ubuntu AMIs
 * use `/dev/sda1`, Amazon Linux `/dev/xvda`
 * (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/device_naming.html).
 */
export function rootDeviceName(dlami: DlamiPrefix): string {
  return dlami.includes('amazon-linux') ? '/dev/xvda' : '/dev/sda1';
}

/**
 * Default IMDSv2 response hop limit; `compute.imdsHopLimit` chooses (lib/config/schema/compute.ts).
 * 1: only the node and host-network containers get a token, so a bridged container cannot take the
 * node role. 2: a bridged container is one more hop and can, which AWS recommends "in a container
 * environment" (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-IMDS-new-instances.html).
 * Tokens stay required (REFERENCE.md §4: DLAMI `ImdsSupport=v2.0` not verified, so it is set explicitly).
 */
export const IMDS_HOP_LIMIT = 1;

/** Where the local NVMe scratch volume is mounted, and its file-system label. */
export const SCRATCH_MOUNT_POINT = '/scratch';
export const SCRATCH_LABEL = 'scratch';

/** The node-local scratch volume built from the instance-store NVMe drives. */
export interface ScratchVolumePlan {
  /** Instance-store NVMe drives the node has (catalogue: `nvmeDrives`). */
  readonly drives: number;
  /** Striped into one RAID-0 array with mdadm when there is more than one drive. */
  readonly raid0: boolean;
  readonly filesystem: 'xfs';
  readonly label: string;
  readonly mountPoint: string;
}

/** The scratch volume of a node of this shape, or none when it has no instance store. */
export function planScratchVolume(shape: InstanceShape): ScratchVolumePlan | undefined {
  if (shape.nvmeDrives === 0) {
    return undefined;
  }
  return {
    drives: shape.nvmeDrives,
    raid0: shape.nvmeDrives > 1,
    filesystem: 'xfs',
    label: SCRATCH_LABEL,
    mountPoint: SCRATCH_MOUNT_POINT,
  };
}

/** A CloudFormation parameter the deployer fills with purchased reservation IDs. */
export interface ReservationParameterPlan {
  /** Logical ID of the parameter in its compute stack. */
  readonly name: string;
  readonly type: 'String' | 'CommaDelimitedList';
  readonly description: string;
  /** The whole value must match (for UltraServer block lists: exactly `count` IDs, `reservationListPattern`). */
  readonly allowedPattern: string;
  readonly constraintDescription: string;
  /** For lists: how many IDs the parameter must hold, one per UltraServer, in order. */
  readonly count?: number;
}

/**
 * A parameter value holds at most 4,096 bytes (REFERENCE.md §8, CFN-LIMITS-CURRENT). An ID with its
 * comma is 21 bytes (`cr-` and 17 hexadecimal digits), so one list parameter holds at most 195 IDs;
 * a compute shard of 250 UltraServers takes two.
 */
export const MAX_PARAMETER_VALUE_BYTES = 4096;
const RESERVATION_ID_BYTES = 'cr-'.length + 17;
export const RESERVATION_IDS_PER_PARAMETER = Math.floor((MAX_PARAMETER_VALUE_BYTES + 1) / (RESERVATION_ID_BYTES + 1));

/** `ReservationIds` for a shard's first 195 UltraServers, `ReservationIdsPart2` for the next ones. */
export function blockParameterName(chunk: number): string {
  return chunk === 0 ? 'ReservationIds' : `ReservationIdsPart${chunk + 1}`;
}

/**
 * The block behind one UltraServer group (issue #12). An UltraServer Capacity Block can hold
 * several UltraServers (`DescribeCapacityBlockOfferings` takes an `UltraserverCount`; API-DCBO),
 * and EC2 documents no way to target one UltraServer inside a block, so a target binds a group to
 * one UltraServer only when its block holds exactly one. The model is therefore one block per
 * UltraServer (bought with `UltraserverCount` 1; rule RAIN-E110 checks the listed IDs), and
 * UltraServer `u` is bound to the u-th ID: from the config, or element `indexInShard` of its
 * compute stack's list parameter (each stack has its own, because an Auto Scaling group can only
 * reference parameters of its own template).
 */
export function planBlockBinding(reservationIds: readonly string[] | undefined, ultraServerIndex: number, indexInShard: number): BlockBinding {
  if (reservationIds !== undefined) {
    return { kind: 'listed', reservationId: reservationIds[ultraServerIndex] };
  }
  return {
    kind: 'parameter',
    parameter: blockParameterName(Math.floor(indexInShard / RESERVATION_IDS_PER_PARAMETER)),
    index: indexInShard % RESERVATION_IDS_PER_PARAMETER,
  };
}

/** `^cr-[0-9a-f]{17}$`, the pattern the config schema enforces, as a CloudFormation regex. */
export const RESERVATION_ID_ALLOWED_PATTERN = RESERVATION_ID_PATTERN.source;

/**
 * Exactly `count` reservation IDs, comma-separated. The block list is a String parameter, not a
 * CommaDelimitedList: a list's AllowedPattern applies to each element and nothing bounds its length
 * (CloudFormation `Parameters` section docs), so a list with one ID too many (say, an extra block at
 * its start) would shift every UltraServer onto its neighbour's block without a word. A whole-value
 * pattern refuses any other count before anything is changed, including an old value kept by
 * `--previous-parameters` after the pool was resized. The stack splits it (`Fn::Split`).
 */
export function reservationListPattern(count: number): string {
  const id = RESERVATION_ID_ALLOWED_PATTERN.slice(1, -1);
  return count === 1 ? RESERVATION_ID_ALLOWED_PATTERN : `^${id}(,${id}){${count - 1}}$`;
}

const CONSTRAINT_DESCRIPTION = 'Capacity Reservation IDs are "cr-" followed by 17 hexadecimal digits';

/**
 * The reservation-ID parameters one compute stack of a pool needs: Capacity Blocks are bought out
 * of band (CloudFormation cannot buy one, REFERENCE.md §2), so when the config does not name them
 * the deployer passes them in. UltraServer pools: one list per 195 UltraServers of the shard, one ID
 * per UltraServer in order. Instance Capacity Blocks: one ID, in shard 0. On-Demand Capacity
 * Reservations are created by the stack and need none.
 */
export function reservationParameters(pool: PoolPlan, shard: number): ReservationParameterPlan[] {
  const capacity = pool.capacity;
  switch (capacity.kind) {
    case CapacityKind.ULTRASERVER_CAPACITY_BLOCK: {
      const byParameter = new Map<string, NodeGroupPlan[]>();
      for (const group of pool.nodeGroups) {
        if (group.shard === shard && group.block?.kind === 'parameter') {
          byParameter.set(group.block.parameter, [...(byParameter.get(group.block.parameter) ?? []), group]);
        }
      }
      return [...byParameter.entries()].map(([name, groups]) => ({
        name,
        type: 'String',
        description:
          `IDs (cr-...) of the ${pool.instanceType} UltraServer Capacity Blocks behind UltraServers ${groups[0].name} to ` +
          `${groups[groups.length - 1].name} of pool ${pool.path}: exactly ${groups.length}, comma-separated, one per UltraServer ` +
          `in this order, each block holding one UltraServer (UltraserverCount 1) in the site's Availability Zone`,
        allowedPattern: reservationListPattern(groups.length),
        constraintDescription: `exactly ${groups.length} Capacity Reservation ID(s) ("cr-" and 17 hexadecimal digits), comma-separated without spaces, one per UltraServer in order`,
        count: groups.length,
      }));
    }
    case CapacityKind.CAPACITY_BLOCK:
      if (capacity.reservationId !== undefined || shard !== 0) {
        return [];
      }
      return [
        {
          name: 'ReservationId',
          type: 'String',
          description:
            `ID (cr-...) of the purchased ${pool.instanceType} Capacity Block for pool ${pool.path}; ` +
            `it must hold ${capacity.reservedNodes} instance(s) in the site's Availability Zone`,
          allowedPattern: RESERVATION_ID_ALLOWED_PATTERN,
          constraintDescription: CONSTRAINT_DESCRIPTION,
        },
      ];
    case CapacityKind.ON_DEMAND_CAPACITY_RESERVATION:
      return [];
  }
}

/** The first parameter of the pool's first compute stack, or none when the config names every reservation. */
export function reservationParameter(pool: PoolPlan): ReservationParameterPlan | undefined {
  return reservationParameters(pool, 0)[0];
}

/**
 * Tag keys every node group and its instances carry, so reports and metrics can find them. Each is
 * written into each of up to 250 groups of a compute shard's template, so the set stays small: the
 * pool's capacity kind, for one, is the pool's (lib/plan/types.ts), not a tag of every group.
 */
export const NODE_TAGS = {
  site: 'rainier:site',
  pool: 'rainier:pool',
  nodeGroup: 'rainier:node-group',
  ultraServer: 'rainier:ultraserver',
  /** UltraServer groups: the UltraServer's index in its pool (0, 1, ...). */
  ultraServerIndex: 'rainier:ultraserver-index',
  /** UltraServer groups: the Capacity Block (reservation ID) the group is bound to. */
  capacityBlock: 'rainier:capacity-block',
} as const;

/**
 * Tags of one node group (applied to the Auto Scaling group and propagated to its instances).
 * `blockId` is the reservation ID the group is bound to, as the stack renders it (a listed ID or
 * the parameter element), so a node can read its block from its own tags (lib/constructs/node-topology.ts).
 */
export function nodeGroupTags(site: SitePlan, pool: PoolPlan, group: NodeGroupPlan, blockId?: string): Record<string, string> {
  const tags: Record<string, string> = {
    [NODE_TAGS.site]: site.name,
    [NODE_TAGS.pool]: pool.name,
    [NODE_TAGS.nodeGroup]: group.name,
    Name: group.name,
  };
  if (group.ultraServerIndex !== undefined) {
    tags[NODE_TAGS.ultraServer] = group.name;
    tags[NODE_TAGS.ultraServerIndex] = String(group.ultraServerIndex);
  }
  if (blockId !== undefined) {
    tags[NODE_TAGS.capacityBlock] = blockId;
  }
  return tags;
}
