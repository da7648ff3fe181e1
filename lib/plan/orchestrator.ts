import { AccessPolicyName, EKS_ACCESS_POLICIES, JOB_NAMESPACE } from '../catalog/kubernetes';
import { AccessEntryConfig, ClusterConfig, EksOrchestratorConfig, OrchestratorEngine } from '../config/schema';
import { poolNodes } from './capacity';
import { pullThroughCacheHolders, serviceCidrFor } from './eks';
import { FabricPlan, fabricMembership } from './fabric';
import { NetworkPlan, controlPlaneSubnetCidrs, planNetwork } from './network';
import { pascalCase } from './naming';
import type { SitePlan } from './types';

/**
 * The scheduler layer (`orchestrator: eks`, docs/scheduler.md): ONE Amazon EKS cluster per EFA
 * fabric. A fabric is the largest set of nodes one job can span over EFA (lib/plan/fabric.ts), so a
 * cluster per fabric lets a job use every node it could use and never schedules one across fabrics.
 * The cluster's nodes are the plan's nodes: the existing Auto Scaling groups (one per UltraServer,
 * each bound to its own Capacity Block) join as self-managed nodes after their boot self-check.
 * Its control plane lives in its own stack (`StackKind.ORCHESTRATOR`, `<cluster>-<network site>-orchestrator`),
 * deployed after the fabric's network and storage and before its compute stacks.
 */

/** Suffix of the orchestrator stack of a fabric's network site. */
export const ORCHESTRATOR_STACK_SUFFIX = 'orchestrator';

/**
 * The deploy-time parameter naming the cluster's admin role when `orchestrator.access` is not set,
 * as NodeImageId names the node image: required, no default, kept across deployments.
 */
export const CLUSTER_ADMIN_ROLE_PARAMETER = 'ClusterAdminRoleArn';

/**
 * An IAM role ARN, with an optional path (IAM identifiers,
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html; EKS access entries
 * accept a role ARN with a path: https://docs.aws.amazon.com/eks/latest/userguide/creating-access-entries.html).
 * Used as the parameter's AllowedPattern, so CloudFormation refuses anything else before the stack changes.
 */
export const IAM_ROLE_ARN_PATTERN = '^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-[a-f]|aws-eusc):iam::\\d{12}:role/([\\w+=,.@-]+/)*[\\w+=,.@-]{1,64}$';

/** An IAM role name: 1-64 of letters, digits and `+=,.@_-` (IAM quotas, https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html). */
export const IAM_ROLE_NAME_PATTERN = /^[\w+=,.@-]{1,64}$/;

export interface ClusterAdminRoleParameterPlan {
  readonly name: typeof CLUSTER_ADMIN_ROLE_PARAMETER;
  readonly type: 'String';
  readonly allowedPattern: string;
  readonly constraintDescription: string;
  readonly description: string;
}

export const CLUSTER_ADMIN_ROLE: ClusterAdminRoleParameterPlan = {
  name: CLUSTER_ADMIN_ROLE_PARAMETER,
  type: 'String',
  allowedPattern: IAM_ROLE_ARN_PATTERN,
  constraintDescription: 'an IAM role ARN such as arn:aws:iam::111122223333:role/TrainingAdmins',
  description:
    'ARN of the IAM role that administers this EKS cluster (access entry with AmazonEKSClusterAdminPolicy); orchestrator.access is not set, so the deployer names it. ' +
    'Later cdk deploy runs keep the previous value unless a new one is passed (docs/scheduler.md).',
};

/** Who an access entry names. */
export type AccessPrincipalPlan =
  /** A role of the stack's own account, by name: rendered as `arn:<partition>:iam::<account>:role/<name>`. */
  | { readonly kind: 'role-name'; readonly roleName: string }
  /** A full role ARN from the configuration. */
  | { readonly kind: 'role-arn'; readonly arn: string }
  /** The stack's `ClusterAdminRoleArn` parameter. */
  | { readonly kind: 'parameter'; readonly parameter: ClusterAdminRoleParameterPlan };

/** Where an access policy applies: the whole cluster (admin) or the job namespace (edit, view). */
export type AccessScopePlan = { readonly type: 'cluster' } | { readonly type: 'namespace'; readonly namespaces: readonly string[] };

/** One access entry of a cluster (AWS::EKS::AccessEntry, type STANDARD, one access policy). */
export interface AccessPlan {
  readonly principal: AccessPrincipalPlan;
  readonly policy: AccessPolicyName;
  /** The EKS access policy's name, e.g. `AmazonEKSClusterAdminPolicy`; the ARN is `arn:<partition>:eks::aws:cluster-access-policy/<name>`. */
  readonly policyName: string;
  readonly scope: AccessScopePlan;
  /** `orchestrator.access.<i>`, or `ClusterAdminRoleArn` for the parameter. */
  readonly source: string;
}

export interface ControlPlaneSubnetPlan {
  readonly zone: string;
  readonly cidr: string;
}

/** The nodes of one pool that join a cluster. */
export interface EksMemberPlan {
  readonly site: string;
  readonly pool: string;
  /** UltraServer group names (`NodeGroupPlan.name`), in order; empty for a pool without UltraServers. */
  readonly ultraServers: readonly string[];
  readonly nodes: number;
}

/**
 * How the VPC CNI add-on holds pod addresses on each node (`env` of its configuration): at least
 * `minimumIpTarget` addresses, and `warmIpTarget` spare, rather than its default WARM_ENI_TARGET=1, which
 * "means that ipamd should keep 'a full ENI' of available IPs around" per node
 * (https://github.com/aws/amazon-vpc-cni-k8s/blob/master/docs/eni-and-ip-target.md): on a node subnet
 * sized one address per node, that would exhaust it within a few nodes. Each node then takes about
 * `minimumIpTarget` addresses of the node subnet besides its own (rule RAIN-W807).
 */
export interface PodAddressPlan {
  readonly minimumIpTarget: number;
  readonly warmIpTarget: 1;
}

export interface EksClusterPlan {
  /** PascalCase of the fabric ID, e.g. `FabricOhio`: stable, so the topology diff can follow the cluster. */
  readonly id: string;
  /** The EKS cluster name, `<cluster>-<fabric ID>`, e.g. `rainier-fabric-ohio`. */
  readonly name: string;
  /** `FabricPlan.id`. */
  readonly fabric: string;
  /** The fabric's network site, whose VPC holds the cluster's subnets. */
  readonly site: string;
  readonly region: string;
  /** The orchestrator stack's ID. */
  readonly stack: string;
  /** Two subnets in two zones: the fabric's zone first, then the control-plane zone. */
  readonly controlPlaneSubnets: readonly [ControlPlaneSubnetPlan, ControlPlaneSubnetPlan];
  readonly members: readonly EksMemberPlan[];
  /** Nodes over every member. */
  readonly nodes: number;
  readonly ultraServers: number;
  readonly access: readonly AccessPlan[];
  readonly jobNamespace: string;
  /** The VPC CNI's address targets (`orchestrator.podAddressesPerNode`). */
  readonly podAddresses: PodAddressPlan;
  /** The Kubernetes service CIDR: the cluster's, and every node's NodeConfig (lib/plan/eks.ts serviceCidrFor). */
  readonly serviceCidr: string;
  /** Whether this cluster's stack holds its Region's ECR pull-through cache rule: the Region's first cluster (lib/plan/eks.ts pullThroughCacheHolders). */
  readonly holdsPullThroughCacheRule: boolean;
}

export interface OrchestratorPlan {
  readonly engine: 'eks';
  readonly kubernetesVersion: string;
  readonly clusters: readonly EksClusterPlan[];
}

/** The control-plane zone of a fabric in `zone`: the configured one, else the Region's `a`, or `b` when the fabric is in `a`. */
export function controlPlaneZoneOf(orchestrator: EksOrchestratorConfig, region: string, zone: string): string {
  if (orchestrator.controlPlaneZone !== undefined) {
    return orchestrator.controlPlaneZone;
  }
  // ASSUMPTION: the Region has zones `a` and `b` (every Region offering Trn2 in lib/catalog/regions.ts
  // does). Zone names map to different physical zones per account (AZ IDs,
  // https://docs.aws.amazon.com/ram/latest/userguide/working-with-az-ids.html); any other zone than
  // the fabric's meets EKS's two-zone requirement. EKS refuses control-plane subnets in a few zones by
  // AZ ID (use1-az3, usw1-az2, cac1-az3: https://docs.aws.amazon.com/eks/latest/userguide/network-reqs.html);
  // which name is which ID differs per account, so that cannot be checked offline: none of those
  // Regions offers Trn2 in lib/catalog/regions.ts, and docs/scheduler.md tells the deployer to check.
  return zone === `${region}a` ? `${region}b` : `${region}a`;
}

/** The access entries of every cluster: the configured ones, or the admin role from the deploy-time parameter. */
export function planAccess(orchestrator: EksOrchestratorConfig): AccessPlan[] {
  if (orchestrator.access === undefined) {
    return [{ principal: { kind: 'parameter', parameter: CLUSTER_ADMIN_ROLE }, ...policyOf('admin'), source: CLUSTER_ADMIN_ROLE_PARAMETER }];
  }
  return orchestrator.access.map((entry: AccessEntryConfig, i) => ({
    principal: entry.principal.startsWith('arn:') ? { kind: 'role-arn', arn: entry.principal } : { kind: 'role-name', roleName: entry.principal },
    ...policyOf(entry.policy),
    source: `orchestrator.access.${i}`,
  }));
}

function policyOf(policy: AccessPolicyName): Pick<AccessPlan, 'policy' | 'policyName' | 'scope'> {
  return {
    policy,
    policyName: EKS_ACCESS_POLICIES[policy],
    scope: policy === 'admin' ? { type: 'cluster' } : { type: 'namespace', namespaces: [JOB_NAMESPACE] },
  };
}

/** The orchestrator stack of a fabric whose network is in `networkSite`. */
export function orchestratorStackId(cluster: string, networkSite: string): string {
  return `${cluster}-${networkSite}-${ORCHESTRATOR_STACK_SUFFIX}`;
}

/** The scheduler layer, or undefined for `orchestrator: none`. */
export function planOrchestrator(config: ClusterConfig, sites: readonly SitePlan[], fabrics: readonly FabricPlan[]): OrchestratorPlan | undefined {
  const orchestrator = config.orchestrator;
  if (orchestrator.engine !== OrchestratorEngine.EKS) {
    return undefined;
  }
  const access = planAccess(orchestrator);
  const cacheHolders = pullThroughCacheHolders(fabrics);
  const clusters = fabrics.map((fabric): EksClusterPlan => {
    const owner = sites.find((s) => s.name === fabric.networkSite);
    if (owner === undefined) {
      throw new Error(`fabric ${fabric.id} names no planned network site ${fabric.networkSite}`);
    }
    const [own, other] = controlPlaneSubnetCidrs(owner.network.cidr);
    const members = fabric.sites.flatMap((name) => {
      const site = sites.find((s) => s.name === name);
      return (site?.pools ?? []).map((pool): EksMemberPlan => ({
        site: name,
        pool: pool.name,
        ultraServers: pool.nodeGroups.filter((g) => g.ultraServerIndex !== undefined).map((g) => g.name),
        nodes: pool.nodeCount,
      }));
    });
    return {
      id: pascalCase(fabric.id),
      name: `${config.name}-${fabric.id}`,
      fabric: fabric.id,
      site: fabric.networkSite,
      region: fabric.region,
      stack: orchestratorStackId(config.name, fabric.networkSite),
      controlPlaneSubnets: [
        { zone: fabric.availabilityZone, cidr: own },
        { zone: controlPlaneZoneOf(orchestrator, fabric.region, fabric.availabilityZone), cidr: other },
      ],
      members,
      nodes: members.reduce((n, m) => n + m.nodes, 0),
      ultraServers: members.reduce((n, m) => n + m.ultraServers.length, 0),
      access,
      jobNamespace: JOB_NAMESPACE,
      podAddresses: { minimumIpTarget: orchestrator.podAddressesPerNode, warmIpTarget: 1 },
      serviceCidr: serviceCidrFor(owner.network.cidr),
      holdsPullThroughCacheRule: cacheHolders.has(fabric.id),
    };
  });
  return { engine: 'eks', kubernetesVersion: orchestrator.kubernetesVersion, clusters };
}

/** One EKS cluster as the rules see it, from the configuration alone (rules run before the plan). */
export interface EksFabricView {
  /** `FabricPlan.id`. */
  readonly fabric: string;
  /** Member sites, the first owning the network. */
  readonly sites: readonly string[];
  readonly region: string;
  readonly availabilityZone: string;
  readonly nodes: number;
  /** The fabric's network, as lib/plan/build.ts plans it. */
  readonly network: NetworkPlan;
}

/** The fabrics of an `orchestrator: eks` configuration (empty for `none`), each one EKS cluster. */
export function eksFabrics(config: ClusterConfig): EksFabricView[] {
  if (config.orchestrator.engine !== OrchestratorEngine.EKS) {
    return [];
  }
  return [...fabricMembership(config)].map(([fabric, members]) => {
    const owner = config.sites[members[0]];
    const others = members.slice(1).map((name) => ({ name, site: config.sites[name] }));
    return {
      fabric,
      sites: members,
      region: owner.region,
      availabilityZone: owner.availabilityZone,
      nodes: members.reduce((n, m) => n + Object.values(config.sites[m].pools).reduce((k, pool) => k + poolNodes(pool), 0), 0),
      network: planNetwork(owner, config.perimeter, others),
    };
  });
}
