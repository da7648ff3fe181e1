import { CfnParameter, Stack, StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { CfnAccessEntry } from 'aws-cdk-lib/aws-eks';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { PoolCapacity, blockReservationId, renderReservationParameters } from '../constructs/capacity';
import { BootstrapSection, NodeStorageAccess } from '../constructs/contracts';
import { NodeLaunchTemplate, NodeLaunchTemplateProps } from '../constructs/launch-template';
import { NetworkAccess } from '../constructs/network';
import { renderBootstrap, scratchVolumeSection } from '../constructs/node-bootstrap';
import { LARGE_TOKEN_VALUE_BUDGET_BYTES, PackedUserData, packBootScript } from '../constructs/node-user-data';
import { NodeGroup } from '../constructs/node-group';
import { nodeLifecycleSection, nodeSelfCheckSection } from '../constructs/node-health';
import { nodeAccessEntry, nodeJoinSection } from '../constructs/node-join';
import { lustreMountSection } from '../constructs/storage';
import { NodeKey } from '../constructs/node-key';
import { NodeRole } from '../constructs/node-role';
import { NodeLogGroups } from '../constructs/node-telemetry';
import { ComputeConfig } from '../config/schema/compute';
import { NodeImageParameterPlan, NodeImagePlan, nodeGroupTags, planNodeImage, planScratchVolume, reservationParameters, rootDeviceName } from '../plan/compute';
import { NodeHealthPlan, planNodeHealth } from '../plan/health';
import { CapacityKind } from '../config/schema/site';
import { PoolPlan, SitePlan, StackPlan } from '../plan/types';

/**
 * What a pool's first compute stack shares with its other shards: everything a launch template is
 * made of, but not the template itself. Each shard renders its own launch template from these, so
 * no stack imports another's template version: a new version (a new DLAMI, new user data) would
 * otherwise be an export in use, which CloudFormation refuses to update.
 */
export interface PoolLaunch {
  readonly events: sns.ITopic;
  readonly launchTemplateProps: NodeLaunchTemplateProps;
  /** The boot script the nodes run (may hold tokens), and the user data prelude that carries it. */
  readonly bootScript: string;
  readonly userData: PackedUserData;
}

export interface ComputeStackProps extends StackProps {
  /** The cluster's name (node identity for health reports and the lifecycle permission). */
  readonly cluster: string;
  readonly site: SitePlan;
  readonly pool: PoolPlan;
  /** This stack in the plan: which shard of the pool, which node groups. */
  readonly stack: StackPlan;
  readonly compute: ComputeConfig;
  readonly network: NetworkAccess;
  /** Shards after the first: shard 0's event topic and the inputs of its launch template. */
  readonly shared?: PoolLaunch;
  /** The storage slice's buckets, keys, Lustre mount and client security group, once wired. */
  readonly storage?: NodeStorageAccess;
  /** Extra boot-script sections (e.g. monitoring agents), run before storage's, in order. */
  readonly bootstrap?: readonly BootstrapSection[];
  /** The site's node log groups, which the node telemetry writes to. @default no telemetry permissions */
  readonly telemetryLogGroups?: NodeLogGroups;
  /** `orchestrator: eks`: the fabric's EKS cluster the nodes join after their self-check. @default nodes join no cluster */
  readonly orchestrator?: NodeOrchestrator;
}

/** The EKS cluster a pool's nodes join (from the orchestrator stack: literals or cross-stack references). */
export interface NodeOrchestrator {
  readonly clusterName: string;
  readonly clusterArn: string;
  readonly endpoint: string;
  readonly certificateAuthority: string;
  readonly serviceCidr: string;
  /** Registries (besides this account's pull-through cache) the nodes pull images from: the network plan's. */
  readonly imageRegistryAccounts: readonly string[];
}

/**
 * One compute shard of a pool. Shard 0 holds the pool's capacity (reservation or
 * parameters), placement group, node key, role and instance profile and event topic; every shard
 * holds a launch template built from those and its own Auto Scaling groups (DESIGN.md "Stacks").
 */
export class ComputeStack extends Stack {
  /** Shard 0 only: what later shards of the pool use. */
  public readonly launch: PoolLaunch;
  public readonly nodeGroups: readonly NodeGroup[];
  public readonly capacity?: PoolCapacity;
  public readonly nodeRole?: NodeRole;
  /** Shard 0 with `orchestrator: eks`: the node role's EC2_LINUX access entry in the cluster. */
  public readonly accessEntry?: CfnAccessEntry;
  /** What this pool's nodes check before they go in service, and the hook's timeout. */
  public readonly health: NodeHealthPlan;

  constructor(scope: Construct, id: string, props: ComputeStackProps) {
    super(scope, id, props);
    const { site, pool, network } = props;
    const shard = props.stack.shard ?? 0;
    const parameters = renderReservationParameters(this, reservationParameters(pool, shard));
    const eks = props.orchestrator;
    this.health = planNodeHealth(site, pool, props.compute.launchHookTimeoutSeconds, eks !== undefined);
    const identity = { cluster: props.cluster, site: site.name, pool: pool.name, region: site.region };

    if (shard === 0) {
      const nodeKey = new NodeKey(this, 'NodeKey', {
        description: `Root volumes and fleet events of pool ${pool.path}`,
        administration: site.perimeter,
      });
      const events = new sns.Topic(this, 'FleetEvents', {
        displayName: `Node launches and terminations of pool ${pool.path}`,
        masterKey: nodeKey.key,
        enforceSSL: true,
      });
      this.nodeRole = new NodeRole(this, 'NodeRole', {
        storage: props.storage,
        dataAccess: site.perimeter.pools[pool.name],
        telemetryLogGroups: props.telemetryLogGroups,
        health: identity,
        ...(eks !== undefined ? { eks: { clusterArn: eks.clusterArn, imageRegistryAccounts: eks.imageRegistryAccounts } } : {}),
      });
      this.capacity = new PoolCapacity(this, 'Capacity', { site, pool, parameters });
      if (this.capacity.reservation !== undefined) {
        // Exported whether or not the site's monitoring imports it today: the plan's reservation
        // watch can change when another pool of the Region changes, and an export CloudFormation is
        // asked to remove while another stack still imports it fails the deployment.
        this.exportValue(this.capacity.reservation.ref);
      }

      const scratch = planScratchVolume(pool.shape);
      const lustre = props.storage?.lustre;
      const sections: BootstrapSection[] = [
        // First: the EXIT trap that abandons the node if any later step fails.
        nodeLifecycleSection(identity, this.health),
        ...(scratch === undefined ? [] : [scratchVolumeSection(scratch)]),
        // Telemetry before storage: if mounting fails, the agent is already shipping the boot log.
        ...(props.bootstrap ?? []),
        // Lustre over EFA only where this pool's instance type is an FSx EFA client (REFERENCE.md §12).
        ...(props.storage?.bootstrap ?? []).map((s) =>
          s.name === 'lustre-mount' && lustre !== undefined ? lustreMountSection(lustre.dnsName, lustre.mountName, lustre.mountPoint, this.health.lustreOverEfa) : s,
        ),
        // Last: the node checks itself and completes its launch lifecycle action; with an EKS
        // cluster it joins the cluster only after the check passed, then completes the action.
        ...(eks === undefined
          ? [nodeSelfCheckSection(this.health)]
          : [
              nodeSelfCheckSection(this.health, { complete: false }),
              nodeJoinSection({
                clusterName: eks.clusterName,
                endpoint: eks.endpoint,
                certificateAuthority: eks.certificateAuthority,
                serviceCidr: eks.serviceCidr,
                site: site.name,
                pool: pool.name,
                fabric: site.fabric,
                ultraServer: pool.kind === CapacityKind.ULTRASERVER_CAPACITY_BLOCK,
              }),
            ]),
      ];
      if (eks !== undefined) {
        this.accessEntry = nodeAccessEntry(this, 'NodeAccessEntry', eks.clusterName, this.nodeRole.role);
      }
      // Compressed into a small prelude: the script alone is over EC2's 16 KB of user data (node-user-data.ts).
      const bootScript = renderBootstrap(sections);
      const packed = packBootScript(bootScript, {
        pool: pool.path,
        largeValues: eks === undefined ? [] : [{ value: eks.certificateAuthority, budgetBytes: LARGE_TOKEN_VALUE_BUDGET_BYTES }],
      });
      const clientGroup = props.storage?.clientSecurityGroup;
      // An EFA-enabled file system talks to the clients' EFA interfaces too, so its clients' group
      // goes on every interface; otherwise Lustre runs over TCP on the primary interface only.
      const everywhere = clientGroup !== undefined && props.storage!.lustre.efaEnabled;
      this.launch = {
        events,
        bootScript,
        userData: packed,
        launchTemplateProps: {
          instanceType: pool.instanceType,
          nics: pool.nics,
          securityGroups: [network.clusterSecurityGroup, ...(everywhere ? [clientGroup] : [])],
          primarySecurityGroups: clientGroup !== undefined && !everywhere ? [clientGroup] : [],
          machineImage: machineImageOf(planNodeImage(props.compute, site.region)),
          instanceProfile: this.nodeRole.instanceProfile,
          userData: ec2.UserData.custom(packed.userData),
          rootDeviceName: rootDeviceName(props.compute.dlami),
          rootVolumeGiB: props.compute.rootVolumeGiB,
          imdsHopLimit: props.compute.imdsHopLimit,
          rootVolumeKey: nodeKey.key,
          capacity: this.capacity.target,
          placementGroup: this.capacity.placementGroup,
        },
      };
    } else {
      if (props.shared === undefined) {
        throw new Error(`compute stack ${id} is shard ${shard} of pool ${pool.path} but was given no shard-0 launch inputs`);
      }
      this.launch = props.shared;
    }
    const template = new NodeLaunchTemplate(this, 'LaunchTemplate', this.launch.launchTemplateProps);
    if (this.accessEntry !== undefined) {
      // Every group launches from the template: no node boots before its role may register.
      template.resource.node.addDependency(this.accessEntry);
    }

    const wanted = new Set(props.stack.nodeGroups ?? []);
    this.nodeGroups = pool.nodeGroups
      .filter((group) => wanted.has(group.id))
      .map((group) => {
        const blockId = group.block === undefined ? undefined : blockReservationId(group.block, parameters);
        return new NodeGroup(this, group.id, {
          vpc: network.vpc,
          vpcSubnets: network.nodeSubnets,
          launchTemplate: template.launchTemplate,
          size: group.size,
          tags: nodeGroupTags(site, pool, group, blockId),
          events: this.launch.events,
          capacityReservationId: blockId,
          launchHook: { name: this.health.hookName, heartbeatTimeoutSeconds: this.health.heartbeatTimeoutSeconds, defaultResult: this.health.defaultResult },
        });
      });
  }
}

/**
 * The launch template's image:
 * - no image configured: the stack's required `NodeImageId` parameter (`AWS::EC2::Image::Id`, no
 *   default), created in the stack that renders the launch template. Every shard renders its own
 *   template and so takes its own parameter: a shard reading shard 0's parameter would import it
 *   through an export, and CloudFormation refuses to change an export another stack imports, so the
 *   image could never be changed;
 * - `latest`: the DLAMI's `latest` parameter as a CloudFormation SSM parameter (resolved at deployment);
 * - pinned: a literal AMI ID or `resolve:ssm:<name>:<version>`, which EC2 resolves at each launch to
 *   that one version's value (EC2 User Guide, "Use a Systems Manager parameter instead of an AMI ID",
 *   https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/create-launch-template.html).
 */
function machineImageOf(image: NodeImagePlan): ec2.IMachineImage {
  switch (image.kind) {
    case 'deploy-parameter':
      return parameterImage(image.parameter);
    case 'latest-parameter':
      return ec2.MachineImage.fromSsmParameter(image.parameter);
    case 'ami':
      return literalImage(image.amiId);
    case 'parameter-version':
      return literalImage(`resolve:ssm:${image.parameter}:${image.version}`);
  }
}

function literalImage(imageId: string): ec2.IMachineImage {
  return { getImage: () => ({ imageId, osType: ec2.OperatingSystemType.LINUX, userData: ec2.UserData.forLinux() }) };
}

/** The image ID from the stack's own node-image parameter, created at stack level (logical ID = the plan's name). */
function parameterImage(plan: NodeImageParameterPlan): ec2.IMachineImage {
  return {
    getImage: (scope) => {
      const stack = Stack.of(scope);
      const parameter =
        (stack.node.tryFindChild(plan.name) as CfnParameter | undefined) ??
        new CfnParameter(stack, plan.name, { type: plan.type, description: plan.description });
      return { imageId: parameter.valueAsString, osType: ec2.OperatingSystemType.LINUX, userData: ec2.UserData.forLinux() };
    },
  };
}
