import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { CONTROL_PLANE_RULES, isOrchestratorEndpoint } from '../plan/eks';
import { NetworkPlan } from '../plan/network';
import { interfaceEndpointStatements } from './endpoint-policy';
import { ENDPOINT_SERVICES, endpointId } from './network';

export interface EksControlPlaneNetworkProps {
  readonly vpc: ec2.IVpc;
  /** The nodes' security group (the site's cluster security group, on every node interface). */
  readonly nodeSecurityGroup: ec2.ISecurityGroup;
  /** The plan's two control-plane subnets: the fabric's zone first, then the control-plane zone. */
  readonly subnets: readonly { readonly zone: string; readonly cidr: string }[];
  /** The fabric's network plan: the orchestrator's interface endpoints and their policies are created here. */
  readonly network: NetworkPlan;
  /** The interface endpoints' security group (HTTPS from the nodes only). */
  readonly endpointSecurityGroup: ec2.ISecurityGroup;
}

/** Construct IDs of the control-plane subnets, by position in the plan (never from input). */
const SUBNET_IDS = ['ControlPlaneSubnetA', 'ControlPlaneSubnetB'] as const;

/**
 * The network of an EKS control plane in the fabric's VPC (`orchestrator: eks`):
 *
 * - two private subnets in two Availability Zones from the plan (EKS requires subnets in at least
 *   two zones, https://docs.aws.amazon.com/eks/latest/userguide/network-reqs.html), cut from the end
 *   of the VPC block so no existing subnet moves (lib/plan/network.ts). They have no route beyond
 *   the VPC: EKS puts its control-plane network interfaces there, and nothing else runs there;
 * - the control-plane security group (given to the cluster as `SecurityGroupIds`; EKS also attaches
 *   the cluster security group it creates itself, whose rules it manages,
 *   https://docs.aws.amazon.com/eks/latest/userguide/sec-group-reqs.html), with no outbound rule
 *   beyond the nodes;
 * - the rules between it and the nodes' group (lib/plan/eks.ts CONTROL_PLANE_RULES), each as an
 *   ingress on the receiving group and an egress on the opening one;
 * - the interface endpoints only the orchestrator needs (lib/plan/eks.ts), in the control-plane
 *   subnet of the fabric's zone, so the node subnet keeps its size: an interface endpoint needs a
 *   subnet in the zone of the clients, which reach it through the VPC's local route
 *   (https://docs.aws.amazon.com/vpc/latest/privatelink/create-interface-endpoint.html).
 */
export class EksControlPlaneNetwork extends Construct {
  public readonly subnets: readonly ec2.ISubnet[];
  public readonly securityGroup: ec2.SecurityGroup;
  public readonly endpoints: readonly ec2.InterfaceVpcEndpoint[];

  constructor(scope: Construct, id: string, props: EksControlPlaneNetworkProps) {
    super(scope, id);
    if (props.subnets.length !== SUBNET_IDS.length) {
      throw new Error(`an EKS control plane takes ${SUBNET_IDS.length} subnets, got ${props.subnets.length}`);
    }
    this.subnets = props.subnets.map(
      (s, i) =>
        new ec2.PrivateSubnet(this, SUBNET_IDS[i], {
          vpcId: props.vpc.vpcId,
          availabilityZone: s.zone,
          cidrBlock: s.cidr,
          mapPublicIpOnLaunch: false,
        }),
    );
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'EKS control plane: HTTPS from the nodes; to the nodes only the ports EKS documents',
      allowAllOutbound: false,
    });
    const nodes = props.nodeSecurityGroup;
    for (const rule of CONTROL_PLANE_RULES) {
      const single = rule.fromPort === rule.toPort;
      const port =
        rule.protocol === 'tcp'
          ? single
            ? ec2.Port.tcp(rule.fromPort)
            : ec2.Port.tcpRange(rule.fromPort, rule.toPort)
          : single
            ? ec2.Port.udp(rule.fromPort)
            : ec2.Port.udpRange(rule.fromPort, rule.toPort);
      const [opener, receiver] = rule.from === 'nodes' ? [nodes, this.securityGroup] : [this.securityGroup, nodes];
      receiver.addIngressRule(opener, port, rule.description);
      opener.addEgressRule(receiver, port, rule.description);
    }
    const plan = props.network;
    this.endpoints = plan.interfaceEndpoints.filter(isOrchestratorEndpoint).map((service) => {
      const scope = plan.endpointPolicies[service];
      if (scope === undefined) {
        throw new Error(`network plan has no endpoint policy for ${service}`);
      }
      const endpoint = new ec2.InterfaceVpcEndpoint(this, endpointId(service), {
        vpc: props.vpc,
        service: ENDPOINT_SERVICES[service],
        subnets: { subnets: [this.subnets[0]] },
        privateDnsEnabled: true,
        securityGroups: [props.endpointSecurityGroup],
        open: false,
      });
      for (const statement of interfaceEndpointStatements(endpoint, scope, plan.imageRegistryAccounts)) {
        endpoint.addToPolicy(statement);
      }
      return endpoint;
    });
  }
}
