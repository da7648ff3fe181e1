import { Stack, StackProps } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { EksControlPlaneNetwork } from '../constructs/eks-network';
import { FabricMemberNetwork, SiteNetwork } from '../constructs/network';
import { NodeLogGroups } from '../constructs/node-telemetry';
import { ControlPlaneSubnetPlan } from '../plan/orchestrator';
import { SitePlan } from '../plan/types';

export interface NetworkStackProps extends StackProps {
  readonly site: SitePlan;
  readonly logRetentionDays: number;
  readonly nodeLogGroups: NodeLogGroups;
  /** Shared fabric: the other member sites whose storage subnets and node log groups live here. */
  readonly members?: readonly FabricMemberNetwork[];
  /** `orchestrator: eks`: the fabric's EKS control-plane subnets (lib/plan/orchestrator.ts). @default no control plane */
  readonly controlPlaneSubnets?: readonly ControlPlaneSubnetPlan[];
}

/** A site's VPC, endpoints, flow logs and cluster security group (for a shared fabric, the fabric's). */
export class NetworkStack extends Stack {
  public readonly network: SiteNetwork;
  /** `orchestrator: eks`: the EKS control plane's subnets and security group. */
  public readonly controlPlane?: EksControlPlaneNetwork;

  constructor(scope: Construct, id: string, props: NetworkStackProps) {
    super(scope, id, props);
    this.network = new SiteNetwork(this, 'Network', {
      plan: props.site.network,
      flowLogRetentionDays: props.logRetentionDays as logs.RetentionDays,
      nodeLogGroups: props.nodeLogGroups,
      members: props.members,
      keyAdministration: props.site.perimeter,
    });
    if (props.controlPlaneSubnets !== undefined) {
      this.controlPlane = new EksControlPlaneNetwork(this, 'EksControlPlane', {
        vpc: this.network.vpc,
        nodeSecurityGroup: this.network.clusterSecurityGroup,
        subnets: props.controlPlaneSubnets,
        network: props.site.network,
        endpointSecurityGroup: this.network.endpointSecurityGroup,
      });
    }
  }
}
