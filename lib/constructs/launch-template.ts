import { Fn } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { InterfaceType, NicSlot } from '../catalog/instance-types';
import { IMDS_HOP_LIMIT } from '../plan/compute';
import { CapacityTarget } from './capacity';
import { acknowledge, controlTowerRule } from './nag';

export interface NodeLaunchTemplateProps {
  readonly instanceType: string;
  /** The launch template's network interfaces, card by card, from the plan. */
  readonly nics: readonly NicSlot[];
  /** Groups on every interface (the cluster's EFA group). */
  readonly securityGroups: readonly ec2.ISecurityGroup[];
  /** Extra groups on the primary (ENA) interface only, e.g. the Lustre clients' group. */
  readonly primarySecurityGroups?: readonly ec2.ISecurityGroup[];
  readonly machineImage: ec2.IMachineImage;
  readonly instanceProfile: iam.IInstanceProfile;
  readonly userData: ec2.UserData;
  readonly rootDeviceName: string;
  readonly rootVolumeGiB: number;
  /** IMDSv2 response hop limit (`compute.imdsHopLimit`). @default IMDS_HOP_LIMIT (1) */
  readonly imdsHopLimit?: number;
  /** Customer key the root volume is encrypted with. */
  readonly rootVolumeKey: kms.IKey;
  readonly capacity: CapacityTarget;
  /** Cluster placement group to launch into, when the plan gives the pool one. */
  readonly placementGroup?: ec2.IPlacementGroup;
}

/**
 * The launch template every node of a pool boots from.
 *
 * Rendered with `CfnLaunchTemplate`: the `ec2.LaunchTemplate` L2 has no `networkInterfaces`, no
 * `capacityReservationSpecification` and no `capacity-block` market type (REFERENCE.md §4, "CDK gap"),
 * and those are this template's point.
 *
 * - Network interfaces from the plan: card 0 device 0 the ENA `interface`, the rest `efa-only`
 *   (EC2-EFA-MULTI). Security groups sit in each interface's `Groups`, never top-level, and the
 *   primary gets no public IP (multi-NIC instances cannot have one anyway).
 * - IMDSv2 required; encrypted gp3 root volume under a customer key.
 * - Capacity: `MarketType: capacity-block` for Capacity Blocks; the reservation
 *   target; `capacity-reservations-only` with the target for On-Demand Capacity Reservations.
 */
export class NodeLaunchTemplate extends Construct {
  public readonly resource: ec2.CfnLaunchTemplate;
  /** The template as an L2 reference, for Auto Scaling groups here or in other stacks. */
  public readonly launchTemplate: ec2.ILaunchTemplate;

  constructor(scope: Construct, id: string, props: NodeLaunchTemplateProps) {
    super(scope, id);
    const groupIds = props.securityGroups.map((g) => g.securityGroupId);
    const primaryGroupIds = [...groupIds, ...(props.primarySecurityGroups ?? []).map((g) => g.securityGroupId)];
    const networkInterfaces: ec2.CfnLaunchTemplate.NetworkInterfaceProperty[] = props.nics.map((nic) => {
      const primary = nic.networkCardIndex === 0 && nic.deviceIndex === 0;
      return {
        networkCardIndex: nic.networkCardIndex,
        deviceIndex: nic.deviceIndex,
        interfaceType: nic.interfaceType,
        groups: primary ? primaryGroupIds : groupIds,
        deleteOnTermination: true,
        ...(primary ? { associatePublicIpAddress: false } : {}),
      };
    });
    const hopLimit = props.imdsHopLimit ?? IMDS_HOP_LIMIT;
    if (networkInterfaces[0]?.interfaceType !== InterfaceType.ENA) {
      throw new Error(`the primary interface must be an ENA "interface", got ${JSON.stringify(props.nics[0])}`);
    }

    const { capacity } = props;
    const hasTarget = capacity.reservationId !== undefined || capacity.resourceGroupArn !== undefined;
    this.resource = new ec2.CfnLaunchTemplate(this, 'Resource', {
      launchTemplateData: {
        instanceType: props.instanceType,
        imageId: props.machineImage.getImage(this).imageId,
        iamInstanceProfile: { arn: props.instanceProfile.instanceProfileArn },
        userData: Fn.base64(props.userData.render()),
        networkInterfaces,
        metadataOptions: {
          httpEndpoint: 'enabled',
          httpTokens: 'required',
          httpPutResponseHopLimit: hopLimit,
          instanceMetadataTags: 'enabled',
        },
        blockDeviceMappings: [
          {
            deviceName: props.rootDeviceName,
            ebs: {
              volumeType: 'gp3',
              volumeSize: props.rootVolumeGiB,
              encrypted: true,
              kmsKeyId: props.rootVolumeKey.keyArn,
              deleteOnTermination: true,
            },
          },
        ],
        monitoring: { enabled: true },
        ebsOptimized: true,
        ...(capacity.marketType !== undefined ? { instanceMarketOptions: { marketType: capacity.marketType } } : {}),
        ...(hasTarget
          ? {
              capacityReservationSpecification: {
                capacityReservationPreference: capacity.preference,
                capacityReservationTarget: {
                  capacityReservationId: capacity.reservationId,
                  capacityReservationResourceGroupArn: capacity.resourceGroupArn,
                },
              },
            }
          : {}),
        ...(props.placementGroup !== undefined ? { placement: { groupName: props.placementGroup.placementGroupName } } : {}),
      },
    });
    this.launchTemplate = ec2.LaunchTemplate.fromLaunchTemplateAttributes(this, 'Reference', {
      launchTemplateId: this.resource.ref,
      versionNumber: this.resource.attrLatestVersionNumber,
    });

    if (hopLimit > 1) {
      acknowledge(
        this.resource,
        controlTowerRule('ec2_launch_template_token_hop_limit_check'),
        `The IMDSv2 hop limit is ${hopLimit} because the configuration (compute.imdsHopLimit) lets containers on a bridge network reach the instance metadata, which AWS recommends for containers (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-IMDS-new-instances.html); such a container can then use the node role. Tokens stay required (HttpTokens: required).`,
      );
    }
    acknowledge(
      this.resource,
      controlTowerRule('ec2_launch_template_public_ip_disabled_check'),
      'The primary interface sets AssociatePublicIpAddress: false and the node subnets never map public IPs; the efa-only interfaces carry no IP address at all, and EC2 never auto-assigns a public IPv4 address to an instance launched with several network interfaces.',
    );
    if (TRN2_FAMILY.test(props.instanceType)) {
      acknowledge(
        this.resource,
        controlTowerRule('ec2_launch_template_nitro_instance_type_check'),
        `False positive: ${props.instanceType} is built on the AWS Nitro System (https://docs.aws.amazon.com/ec2/latest/instancetypes/ec2-nitro-instances.html lists Trn2 and Trn2u); the control's bundled list of Nitro families predates Trn2 and stops at trn1/trn1n.`,
      );
    }
  }
}

/** Instance families missing from the Nitro list of Control Tower's CT.EC2.PR.15 (cfn-guard rules 0.0.62). */
const TRN2_FAMILY = /^trn2u?\./;
