import { InstanceShape } from '../catalog/instance-types';
import { NEURON_DLAMI_PREFIXES } from '../config/schema/compute';
import { RESERVATION_ID_PATTERN } from '../config/schema/common';
import { CapacityKind } from '../config/schema/site';
import { NodeGroupPlan, PoolPlan, SitePlan } from './types';

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
  /** Logical ID of the parameter in the pool's first compute stack. */
  readonly name: string;
  readonly type: 'String' | 'CommaDelimitedList';
  readonly description: string;
  /** Applies to every element of a CommaDelimitedList (CloudFormation `Parameters` section docs). */
  readonly allowedPattern: string;
  readonly constraintDescription: string;
  /**
   * For lists: how many IDs the template turns into reservation ARNs. CloudFormation cannot prefix
   * every element of a list (the `Fn::Join` delimiter must be a literal, so no `${AWS::AccountId}`
   * in it), so the template selects elements 0..maxValues-1 one by one and drops the empty ones.
   */
  readonly maxValues?: number;
}

/**
 * Most UltraServer Capacity Block IDs a pool takes through its parameter. Each ID costs a condition
 * and a list element in the template; pools with more blocks name them in the config
 * (`reservationIds`), which has no limit.
 */
export const MAX_PARAMETER_RESERVATION_IDS = 16;

/** `^cr-[0-9a-f]{17}$`, the pattern the config schema enforces, as a CloudFormation regex. */
export const RESERVATION_ID_ALLOWED_PATTERN = RESERVATION_ID_PATTERN.source;

/**
 * The reservation-ID parameter a pool needs: Capacity Blocks are bought out of band (CloudFormation
 * cannot buy one, REFERENCE.md §2), so when the config does not name them the deployer passes them
 * in. On-Demand Capacity Reservations are created by the stack and need none.
 */
export function reservationParameter(pool: PoolPlan): ReservationParameterPlan | undefined {
  const capacity = pool.capacity;
  const constraintDescription = 'Capacity Reservation IDs are "cr-" followed by 17 hexadecimal digits';
  switch (capacity.kind) {
    case CapacityKind.ULTRASERVER_CAPACITY_BLOCK:
      if (capacity.reservationIds !== undefined) {
        return undefined;
      }
      return {
        name: 'ReservationIds',
        type: 'CommaDelimitedList',
        description:
          `IDs (cr-...) of the purchased ${pool.instanceType} UltraServer Capacity Blocks for pool ${pool.path}, ` +
          `comma-separated, at most ${maxIds(capacity.reservedUltraServers)}; they must cover ${capacity.reservedUltraServers} ` +
          `UltraServer(s) in the site's Availability Zone`,
        allowedPattern: RESERVATION_ID_ALLOWED_PATTERN,
        constraintDescription,
        maxValues: maxIds(capacity.reservedUltraServers),
      };
    case CapacityKind.CAPACITY_BLOCK:
      if (capacity.reservationId !== undefined) {
        return undefined;
      }
      return {
        name: 'ReservationId',
        type: 'String',
        description:
          `ID (cr-...) of the purchased ${pool.instanceType} Capacity Block for pool ${pool.path}; ` +
          `it must hold ${capacity.reservedNodes} instance(s) in the site's Availability Zone`,
        allowedPattern: RESERVATION_ID_ALLOWED_PATTERN,
        constraintDescription,
      };
    case CapacityKind.ON_DEMAND_CAPACITY_RESERVATION:
      return undefined;
  }
}

/** A block holds at least one UltraServer, so a pool never has more blocks than reserved UltraServers. */
function maxIds(reservedUltraServers: number): number {
  return Math.min(reservedUltraServers, MAX_PARAMETER_RESERVATION_IDS);
}

/** Tag keys every node group and its instances carry, so reports and metrics can find them. */
export const NODE_TAGS = {
  site: 'rainier:site',
  pool: 'rainier:pool',
  nodeGroup: 'rainier:node-group',
  ultraServer: 'rainier:ultraserver',
  capacityKind: 'rainier:capacity-kind',
} as const;

/** Tags of one node group (applied to the Auto Scaling group and propagated to its instances). */
export function nodeGroupTags(site: SitePlan, pool: PoolPlan, group: NodeGroupPlan): Record<string, string> {
  const tags: Record<string, string> = {
    [NODE_TAGS.site]: site.name,
    [NODE_TAGS.pool]: pool.name,
    [NODE_TAGS.nodeGroup]: group.name,
    [NODE_TAGS.capacityKind]: pool.kind,
    Name: group.name,
  };
  if (group.ultraServerIndex !== undefined) {
    tags[NODE_TAGS.ultraServer] = group.name;
  }
  return tags;
}
