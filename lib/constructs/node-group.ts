import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { acknowledge, controlTowerRule } from './nag';

export interface NodeGroupProps {
  readonly vpc: ec2.IVpc;
  /** The site's node subnet (one Availability Zone: the reservation's). */
  readonly vpcSubnets: ec2.SubnetSelection;
  readonly launchTemplate: ec2.ILaunchTemplate;
  /** min = max = desired. */
  readonly size: number;
  /** Tags for the group, propagated to its instances. */
  readonly tags: Readonly<Record<string, string>>;
  /** Where launch, termination and their failures are announced. */
  readonly events: sns.ITopic;
  /**
   * The one Capacity Reservation (an UltraServer's Capacity Block) the group launches into, set on
   * the group itself (`CapacityReservationSpecification`, `capacity-reservations-only`); the launch
   * template carries `MarketType: capacity-block`. Auto Scaling documents this pairing for Capacity
   * Blocks (https://docs.aws.amazon.com/autoscaling/ec2/userguide/target-capacity-reservations.html;
   * CloudFormation: aws-properties-autoscaling-autoscalinggroup-capacityreservationspecification.html).
   * @default the launch template's capacity target
   */
  readonly capacityReservationId?: string;
  /** The launch lifecycle hook that holds a new node until it has checked itself (lib/plan/health.ts). */
  readonly launchHook: { readonly name: string; readonly heartbeatTimeoutSeconds: number; readonly defaultResult: 'ABANDON' | 'CONTINUE' };
}

/** Every scaling event (launch, terminate and their errors), as `ScalingEvents.ALL` of the L2 lists them. */
export const NODE_GROUP_NOTIFICATION_TYPES = [
  'autoscaling:EC2_INSTANCE_LAUNCH',
  'autoscaling:EC2_INSTANCE_LAUNCH_ERROR',
  'autoscaling:EC2_INSTANCE_TERMINATE',
  'autoscaling:EC2_INSTANCE_TERMINATE_ERROR',
] as const;

const ONE_AZ =
  'A node group launches into one reservation (Capacity Block or On-Demand Capacity Reservation), which exists in one Availability Zone, and EFA traffic and cluster placement groups do not cross zones; a second zone could only receive nodes without capacity or fabric.';
const ONE_TYPE =
  'A node group fills a reservation of exactly one instance type (an UltraServer is four trn2u.48xlarge on NeuronLink); a second type could never launch into the reservation, and nodes of a training job must be identical.';

/**
 * One Auto Scaling group: an UltraServer (4 nodes) or a non-UltraServer pool. Its size is fixed
 * (min = max = desired), so it only replaces failed nodes; because the launch template targets the
 * pool's reservation, replacements land in the same reservation (REFERENCE.md §4b). A launch
 * lifecycle hook keeps each new node out of service until it has checked itself (lib/plan/health.ts);
 * after that EC2 status checks decide health (there is no load balancer). Launch-template changes do not roll running
 * nodes (no rolling or replacing update policy): a training job is never interrupted by a deployment.
 *
 * Rendered with `CfnAutoScalingGroup`, not the `AutoScalingGroup` L2: rainier-scale has 7,800 of
 * these, and the L2's extra machinery (connections, grant principal, a desired-capacity warning with
 * a captured stack trace per group, tag aspects per group) was a fifth of synthesis time while
 * adding nothing to the template (docs/benchmarks.md). The resource sits at the path the L2 gave
 * it (`<id>/Resource/ASG`) and renders the same properties, so logical IDs and templates are
 * unchanged.
 */
export class NodeGroup extends Construct {
  public readonly resource: autoscaling.CfnAutoScalingGroup;

  constructor(scope: Construct, id: string, props: NodeGroupProps) {
    super(scope, id);
    const size = String(props.size);
    // Keeps the L2's construct path, hence the logical ID every existing group was deployed with.
    const holder = new Construct(this, 'Resource');
    this.resource = new autoscaling.CfnAutoScalingGroup(holder, 'ASG', {
      minSize: size,
      maxSize: size,
      desiredCapacity: size,
      launchTemplate: {
        launchTemplateId: props.launchTemplate.launchTemplateId,
        launchTemplateName: props.launchTemplate.launchTemplateName,
        version: props.launchTemplate.versionNumber,
      },
      vpcZoneIdentifier: props.vpc.selectSubnets(props.vpcSubnets).subnetIds,
      healthCheckType: 'EC2',
      ...(props.capacityReservationId !== undefined
        ? {
            capacityReservationSpecification: {
              capacityReservationPreference: 'capacity-reservations-only',
              capacityReservationTarget: { capacityReservationIds: [props.capacityReservationId] },
            },
          }
        : {}),
      notificationConfigurations: [{ topicArn: props.events.topicArn, notificationTypes: [...NODE_GROUP_NOTIFICATION_TYPES] }],
      tags: Object.entries(props.tags).map(([key, value]) => ({ key, value, propagateAtLaunch: true })),
      // The launch hook is part of the group, not a separate AWS::AutoScaling::LifecycleHook: a
      // separate resource is created after the group, and the group launches its first instances as
      // soon as it exists, so they would go in service ungated. Hooks given at creation apply to the
      // group's first instances (PutLifecycleHook / LifecycleHookSpecification,
      // https://docs.aws.amazon.com/autoscaling/ec2/userguide/lifecycle-hooks.html: "add lifecycle
      // hooks when you create the group ... to ensure they are applied to the initial instances").
      // The node completes the action itself (no notification target needed).
      lifecycleHookSpecificationList: [
        {
          lifecycleHookName: props.launchHook.name,
          lifecycleTransition: 'autoscaling:EC2_INSTANCE_LAUNCHING',
          defaultResult: props.launchHook.defaultResult,
          heartbeatTimeout: props.launchHook.heartbeatTimeoutSeconds,
        },
      ],
    });
    // What the L2 sets when it has no other update policy: scheduled actions never reset the size.
    this.resource.cfnOptions.updatePolicy = { autoScalingScheduledAction: { ignoreUnmodifiedGroupSizeProperties: true } };
    // Without stack traces: rainier-scale has thousands of groups (see acknowledge()).
    acknowledge(this.resource, controlTowerRule('autoscaling_multiple_az_check'), ONE_AZ, { recordStackTrace: false });
    acknowledge(this.resource, controlTowerRule('autoscaling_mixed_instances_policy_multiple_instance_types_check'), ONE_TYPE, {
      recordStackTrace: false,
    });
  }
}
