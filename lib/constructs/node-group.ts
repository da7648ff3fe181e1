import { Tags } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { acknowledge } from './nag';

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
}

/**
 * One Auto Scaling group: an UltraServer (4 nodes) or a non-UltraServer pool. Its size is fixed
 * (min = max = desired), so it only replaces failed nodes; because the launch template targets the
 * pool's reservation, replacements land in the same reservation (REFERENCE.md §4b). EC2 status
 * checks decide health (there is no load balancer). Launch-template changes do not roll running
 * nodes (no update policy): a training job is never interrupted by a deployment.
 */
export class NodeGroup extends Construct {
  public readonly autoScalingGroup: autoscaling.AutoScalingGroup;

  constructor(scope: Construct, id: string, props: NodeGroupProps) {
    super(scope, id);
    this.autoScalingGroup = new autoscaling.AutoScalingGroup(this, 'Resource', {
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      launchTemplate: props.launchTemplate,
      minCapacity: props.size,
      maxCapacity: props.size,
      desiredCapacity: props.size,
      healthChecks: autoscaling.HealthChecks.ec2(),
      notifications: [{ topic: props.events, scalingEvents: autoscaling.ScalingEvents.ALL }],
    });
    acknowledge(
      this.autoScalingGroup,
      'Annotation::@aws-cdk/aws-autoscaling:desiredCapacitySet',
      'The group is fixed-size by design (min = max = desired = the planned node count); a deployment resetting it to that size is the intent.',
    );
    for (const [key, value] of Object.entries(props.tags)) {
      Tags.of(this.autoScalingGroup).add(key, value, { applyToLaunchedInstances: true });
    }
  }
}
