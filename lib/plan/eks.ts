import { ECR_PUBLIC_CACHE_PREFIX, ECR_PUBLIC_REGISTRY } from '../catalog/container-images';
import { cidrRange } from './ipv4';
import type { EndpointResourceScope } from './network';

/**
 * What rendering an EKS cluster of the plan (`orchestrator: eks`, lib/plan/orchestrator.ts) needs
 * besides the cluster plan itself, decided once here as data with sources: the extra interface
 * endpoint, the EKS add-on image registry of each Region, the ECR pull-through cache rule, the
 * control plane <-> node security group rules, the add-ons, and the boot step that joins a node.
 * Nothing here is used when the orchestrator is `none`, so the default templates do not change.
 */

/**
 * Interface endpoints a site needs only with `orchestrator: eks`, with what each endpoint's policy
 * allows beyond this account's principals on this account's resources (the scopes of
 * INTERFACE_ENDPOINT_POLICIES, lib/plan/network.ts).
 *
 * - `eks-auth`: the EKS Pod Identity Agent on each node calls `eks-auth:AssumeRoleForPodIdentity`
 *   for the VPC CNI's credentials; "If there is no outbound internet access, you must create and
 *   use a VPC endpoint for the EKS Auth API" (Amazon EKS User Guide, "Deploy private clusters with
 *   limited internet access", https://docs.aws.amazon.com/eks/latest/userguide/private-clusters.html).
 *   The call names this account's cluster and returns credentials of a role of this account (Pod
 *   Identity associates only roles "in the same AWS account as the cluster",
 *   https://docs.aws.amazon.com/eks/latest/userguide/pod-identities.html), so the principal
 *   perimeter suffices, as for `autoscaling`.
 *
 * The site already has what the same page lists for nodes without internet: `ec2` (the
 * EKS-optimized AMI names the node through the EC2 API), `ecr.api`, `ecr.dkr` and the S3 gateway
 * (images), `logs`, `ssm`. Nodes need no `eks` endpoint: their NodeConfig carries the endpoint, CA
 * and service CIDR, which "bypass Amazon EKS introspection and don't require access to the Amazon
 * EKS API from within the VPC" (same page). No `sts` endpoint: nothing uses IAM roles for service
 * accounts (IRSA); the VPC CNI uses Pod Identity.
 */
export const ORCHESTRATOR_INTERFACE_ENDPOINT_POLICIES = {
  'eks-auth': 'any',
} as const satisfies Record<string, EndpointResourceScope>;

/**
 * Whether an endpoint is one only the orchestrator adds. Those are placed in the control-plane
 * subnet of the fabric's zone (which the nodes reach over the VPC's local route, like any
 * endpoint), so the node subnet's size, and with it every subnet's CIDR, stays what it was.
 */
export function isOrchestratorEndpoint(service: string): service is keyof typeof ORCHESTRATOR_INTERFACE_ENDPOINT_POLICIES {
  return Object.prototype.hasOwnProperty.call(ORCHESTRATOR_INTERFACE_ENDPOINT_POLICIES, service);
}

/**
 * The Amazon ECR registry account of the EKS add-on images (vpc-cni, kube-proxy, coredns,
 * eks-pod-identity-agent) in each Region: nodes pull them with the node role through the ECR
 * endpoints, whose policy must name the account (Amazon EKS User Guide, "View Amazon container
 * image registries for Amazon EKS add-ons", https://docs.aws.amazon.com/eks/latest/userguide/add-ons-images.html).
 * An offline copy of that table; a Region missing here is refused with a message saying so.
 */
export const EKS_ADDON_REGISTRY_ACCOUNTS: Readonly<Record<string, string>> = {
  'af-south-1': '877085696533',
  'ap-east-1': '800184023465',
  'ap-southeast-3': '296578399912',
  'ap-south-2': '900889452093',
  'ap-southeast-4': '491585149902',
  'ap-southeast-6': '333609536671',
  'ap-south-1': '602401143452',
  'ap-northeast-3': '602401143452',
  'ap-northeast-2': '602401143452',
  'ap-southeast-1': '602401143452',
  'ap-southeast-2': '602401143452',
  'ap-southeast-7': '121268973566',
  'ap-northeast-1': '602401143452',
  'cn-north-1': '918309763551',
  'cn-northwest-1': '961992271922',
  'eu-central-1': '602401143452',
  'eu-west-1': '602401143452',
  'eu-west-2': '602401143452',
  'eu-south-1': '590381155156',
  'eu-west-3': '602401143452',
  'eu-south-2': '455263428931',
  'eu-north-1': '602401143452',
  'eu-central-2': '900612956339',
  'il-central-1': '066635153087',
  'mx-central-1': '730335286997',
  'me-south-1': '558608220178',
  'me-central-1': '759879836304',
  'us-east-1': '602401143452',
  'us-east-2': '602401143452',
  'us-west-1': '602401143452',
  'us-west-2': '602401143452',
  'ca-central-1': '602401143452',
  'ca-west-1': '761377655185',
  'sa-east-1': '602401143452',
  'us-gov-east-1': '151742754352',
  'us-gov-west-1': '013241004608',
};

/**
 * The ECR pull-through cache rule that brings public.ecr.aws images (the Neuron and EFA device
 * plugins, the training image) into this account's private registry, so nodes pull them through the
 * ECR endpoints and never from the internet. ECR fetches the upstream image on the first pull
 * (Amazon ECR User Guide, "Sync an upstream registry with an Amazon ECR private registry",
 * https://docs.aws.amazon.com/AmazonECR/latest/userguide/pull-through-cache.html); an image
 * `public.ecr.aws/<path>:<tag>` is then `<account>.dkr.ecr.<region>.amazonaws.com/ecr-public/<path>:<tag>`.
 * Amazon ECR Public needs no upstream credentials. The rule belongs to the Region's private
 * registry, and its prefix is unique there: one orchestrator stack per Region creates it
 * (`pullThroughCacheHolders`).
 */
export const PULL_THROUGH_CACHE = {
  // The image references of the job manifests use the same prefix (lib/catalog/container-images.ts).
  repositoryPrefix: ECR_PUBLIC_CACHE_PREFIX,
  upstreamRegistry: 'ecr-public',
  upstreamRegistryUrl: ECR_PUBLIC_REGISTRY,
} as const;

/** The first cluster (fabric) of each Region holds the Region's pull-through cache rule (IDs, plan order). */
export function pullThroughCacheHolders(clusters: readonly { readonly id: string; readonly region: string }[]): ReadonlySet<string> {
  const seen = new Map<string, string>();
  for (const c of clusters) {
    if (!seen.has(c.region)) {
      seen.set(c.region, c.id);
    }
  }
  return new Set(seen.values());
}

/** One security group rule between the control plane and the nodes. */
export interface ControlPlaneRule {
  /** Who opens the connection. */
  readonly from: 'nodes' | 'control-plane';
  readonly protocol: 'tcp' | 'udp';
  readonly fromPort: number;
  readonly toPort: number;
  readonly description: string;
}

const NODEGROUP_TEMPLATE =
  'the self-managed node group template the EKS User Guide links (amazon-eks-nodegroup.yaml: ClusterControlPlaneSecurityGroupIngress, NodeSecurityGroupFromControlPlaneIngress, NodeSecurityGroupFromControlPlaneOn443Ingress, https://docs.aws.amazon.com/eks/latest/userguide/launch-workers.html)';

/**
 * The rules between the cluster's control-plane security group and the nodes' (cluster) security
 * group, as EKS documents them: the node group template's rules (nodes to the API server on 443;
 * the control plane to the kubelet (10250) and pods on 1025-65535 and to extension API servers on
 * 443) and DNS, which "Restricting cluster traffic" lists with 443 and 10250 as the minimum
 * (Amazon EKS User Guide, "View Amazon EKS security group requirements for clusters",
 * https://docs.aws.amazon.com/eks/latest/userguide/sec-group-reqs.html). Each is rendered as an
 * ingress rule on the receiving group and an egress rule on the opening one: neither group allows
 * all outbound traffic.
 */
export const CONTROL_PLANE_RULES: readonly (ControlPlaneRule & { readonly source: string })[] = [
  { from: 'nodes', protocol: 'tcp', fromPort: 443, toPort: 443, description: 'Nodes and pods to the Kubernetes API server', source: NODEGROUP_TEMPLATE },
  {
    from: 'control-plane',
    protocol: 'tcp',
    fromPort: 1025,
    toPort: 65535,
    description: 'Control plane to the kubelet (10250) and to pods (webhooks, metrics)',
    source: NODEGROUP_TEMPLATE,
  },
  { from: 'control-plane', protocol: 'tcp', fromPort: 443, toPort: 443, description: 'Control plane to pods running extension API servers on 443', source: NODEGROUP_TEMPLATE },
  { from: 'control-plane', protocol: 'tcp', fromPort: 53, toPort: 53, description: 'Control plane to cluster DNS (CoreDNS) over TCP', source: 'https://docs.aws.amazon.com/eks/latest/userguide/sec-group-reqs.html' },
  { from: 'control-plane', protocol: 'udp', fromPort: 53, toPort: 53, description: 'Control plane to cluster DNS (CoreDNS) over UDP', source: 'https://docs.aws.amazon.com/eks/latest/userguide/sec-group-reqs.html' },
];

/**
 * The control plane log types EKS can send to CloudWatch Logs, all of them
 * (AWS::EKS::Cluster Logging, https://docs.aws.amazon.com/eks/latest/userguide/control-plane-logs.html),
 * to the log group EKS writes to, `/aws/eks/<cluster>/cluster`, which the stack creates first so
 * that it is encrypted with the site's logs key and retained.
 */
export const CONTROL_PLANE_LOG_TYPES = ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'] as const;

export function controlPlaneLogGroupName(clusterName: string): string {
  return `/aws/eks/${clusterName}/cluster`;
}

/**
 * The EKS add-ons every cluster runs (the cluster is created with BootstrapSelfManagedAddons false,
 * so EKS installs none of the self-managed defaults; these are their managed counterparts, Amazon
 * EKS User Guide, "Amazon EKS add-ons", https://docs.aws.amazon.com/eks/latest/userguide/eks-add-ons.html):
 *
 * - `vpc-cni`: pod networking. Its AWS permissions (AmazonEKS_CNI_Policy) go to a role of its own
 *   through an EKS Pod Identity association of the `aws-node` service account, as EKS recommends
 *   ("We recommend that you assign it to a separate role", https://docs.aws.amazon.com/eks/latest/userguide/cni-iam-role.html;
 *   "The recommended way ... is using ... Pod Identities", https://docs.aws.amazon.com/eks/latest/userguide/add-ons-iam.html),
 *   never to the node role.
 * - `eks-pod-identity-agent`: serves those credentials on each node (hostNetwork).
 * - `kube-proxy`, `coredns`: Service routing and cluster DNS.
 *
 * Versions are left to EKS: without `AddonVersion`, EKS installs a version it supports for the
 * cluster's Kubernetes version. This app cannot call DescribeAddonVersions offline, and a version
 * pinned here that EKS does not offer in the Region would fail the deployment; the version installed
 * is read with `aws eks describe-addon` (docs/operations.md) and can be pinned here with its source.
 */
export interface EksAddonPlan {
  readonly name: 'vpc-cni' | 'eks-pod-identity-agent' | 'kube-proxy' | 'coredns';
  /** Pod Identity association: the add-on's service account and the AWS managed policy its role gets. */
  readonly podIdentity?: { readonly namespace: 'kube-system'; readonly serviceAccount: string; readonly managedPolicy: string };
}

/**
 * The VPC CNI's `ConfigurationValues` (validated by EKS against the add-on version's schema): the
 * plan's per-node address targets. With `WARM_IP_TARGET`/`MINIMUM_IP_TARGET` set, ipamd keeps that
 * many free / total addresses per node and ignores `WARM_ENI_TARGET`, whose default keeps a whole
 * spare network interface's addresses (aws/amazon-vpc-cni-k8s README,
 * https://github.com/aws/amazon-vpc-cni-k8s#warm_ip_target); the node subnet is sized for the plan's.
 */
export function vpcCniConfiguration(podAddresses: { readonly minimumIpTarget: number; readonly warmIpTarget: number }): string {
  return JSON.stringify({ env: { MINIMUM_IP_TARGET: String(podAddresses.minimumIpTarget), WARM_IP_TARGET: String(podAddresses.warmIpTarget) } });
}

export const EKS_ADDONS: readonly EksAddonPlan[] = [
  { name: 'eks-pod-identity-agent' },
  // Its address targets come from the cluster plan (EksClusterPlan.podAddresses): vpcCniConfiguration.
  { name: 'vpc-cni', podIdentity: { namespace: 'kube-system', serviceAccount: 'aws-node', managedPolicy: 'AmazonEKS_CNI_Policy' } },
  { name: 'kube-proxy' },
  { name: 'coredns' },
];

/**
 * How long the join step waits for the kubelet to register the node: its journal is read
 * `attempts` times, `intervalSeconds` apart (lib/constructs/node-join.ts). An assumption, inside
 * NODE_JOIN_STEP's budget.
 */
export const KUBELET_REGISTRATION_WAIT = { attempts: 60, intervalSeconds: 2 } as const;

/**
 * The join step's time budget in the launch lifecycle hook (lib/plan/health.ts): an explicit,
 * labelled assumption, as every other step's is.
 */
export const NODE_JOIN_STEP = {
  step: 'node-join',
  seconds: 300,
  basis:
    'Assumption: nodeadm init writes the containerd and kubelet configuration and starts both services (the images are already on the node); the step then waits up to ' +
    `${KUBELET_REGISTRATION_WAIT.attempts * KUBELET_REGISTRATION_WAIT.intervalSeconds} s for the kubelet to register the node with the API server.`,
} as const;

/**
 * The Kubernetes service CIDR of a cluster whose VPC is `vpcCidr`. Set explicitly because nodes
 * need it in their NodeConfig and AWS::EKS::Cluster returns no attribute for it (only
 * `KubernetesNetworkConfig.ServiceIpv6Cidr`). It is the block EKS would choose itself: "If you
 * don't specify a block, Kubernetes assigns addresses from either the 10.100.0.0/16 or
 * 172.20.0.0/16 CIDR blocks", and the block must not overlap the VPC's (AWS::EKS::Cluster
 * KubernetesNetworkConfig, ServiceIpv4Cidr,
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-eks-cluster-kubernetesnetworkconfig.html):
 * the first of the two that does not overlap the VPC.
 */
export const SERVICE_CIDR_CHOICES = ['10.100.0.0/16', '172.20.0.0/16'] as const;

export function serviceCidrFor(vpcCidr: string): string {
  const [vs, ve] = cidrRange(vpcCidr);
  const free = SERVICE_CIDR_CHOICES.find((c) => {
    const [s, e] = cidrRange(c);
    return e <= vs || s >= ve;
  });
  // Two disjoint blocks: a VPC (at most a /16) cannot overlap both.
  return free!;
}
