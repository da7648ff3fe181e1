import { RegionInfo } from 'aws-cdk-lib/region-info';
import { ACCESS_POLICY_NAMES, EKS_KUBERNETES_VERSIONS, KUBERNETES_NODES_PER_CLUSTER, KUBERNETES_VERSION } from '../../catalog/kubernetes';
import { knownRegions } from '../../catalog/regions';
import { ClusterConfig, OrchestratorEngine } from '../../config/schema';
import { CONTROL_PLANE_SUBNET_MASK, RESERVED_ADDRESSES_PER_SUBNET, controlPlaneSubnetCidrs, subnetLayoutEnd } from '../network';
import { IAM_ROLE_ARN_PATTERN, IAM_ROLE_NAME_PATTERN, controlPlaneZoneOf, eksFabrics } from '../orchestrator';
import { RawFinding, Rule, RuleLevel } from './rule';

/** Rules of the scheduler layer (`orchestrator: eks`, lib/plan/orchestrator.ts): RAIN-W801, RAIN-E802 to RAIN-E805, RAIN-W806 and RAIN-W807. */

const nodesOf = (n: number) => `${n.toLocaleString('en-US')} nodes`;

/** Where a fabric's nodes are configured, for a finding's path. */
function fabricPath(sites: readonly string[]): string {
  return sites.length > 1 ? `sites.${sites[0]}.fabric` : `sites.${sites[0]}`;
}

/**
 * EKS's own ceiling (100,000 nodes, lib/catalog/kubernetes.ts) needs no rule: a fabric is one VPC of
 * at most a /16, whose node subnet holds at most MAX_NODES_PER_POOL nodes (lib/config/schema/site.ts),
 * far fewer; test/orchestrator-rules.test.ts keeps that true.
 */
export const eksClusterAboveKubernetesScale: Rule = {
  code: 'RAIN-W801',
  level: RuleLevel.WARNING,
  name: 'eks-cluster-above-kubernetes-scale',
  explanation:
    `Kubernetes is designed for clusters of no more than ${KUBERNETES_NODES_PER_CLUSTER.toLocaleString('en-US')} nodes (kubernetes.io, "Considerations for large clusters"). ` +
    'EKS supports up to 100,000 nodes per cluster (ultra scale, AWS What\'s New and Containers blog, July 2025), but not self-serve: the announcement asks customers to reach out to their AWS account team. Arrange it, then acknowledge.',
  check: (config) =>
    eksFabrics(config)
      .filter((f) => f.nodes > KUBERNETES_NODES_PER_CLUSTER)
      .map((f) => ({
        path: fabricPath(f.sites),
        given: `${f.fabric}: ${nodesOf(f.nodes)} in one EKS cluster`,
        allowed: `at most ${nodesOf(KUBERNETES_NODES_PER_CLUSTER)} (Kubernetes' documented scale), or an EKS ultra scale cluster arranged with the AWS account team (acknowledge with the reason)`,
      })),
};

const ROLE_ARN = new RegExp(IAM_ROLE_ARN_PATTERN);

/** Why a configured principal is not a role name or role ARN, or undefined when it is one. */
export function principalProblem(principal: string): string | undefined {
  if (principal.includes('*') || principal.includes('?')) {
    return 'a wildcard, which would name more than one principal';
  }
  if (/^\d{12}$/.test(principal) || /^arn:[^:]+:iam::\d{12}:root$/.test(principal)) {
    return 'the account root, which would grant everyone the account allows';
  }
  if (principal.startsWith('arn:')) {
    if (/^arn:[^:]+:iam::\d{12}:user\//.test(principal)) {
      return 'an IAM user (long-term credentials; IAM best practice and the EKS guide recommend roles)';
    }
    if (/^arn:[^:]+:sts::/.test(principal)) {
      return 'an STS session, which EKS access entries refuse';
    }
    return ROLE_ARN.test(principal) ? undefined : 'not an IAM role ARN';
  }
  return IAM_ROLE_NAME_PATTERN.test(principal) ? undefined : 'not an IAM role name';
}

export const accessPrincipalWellFormed: Rule = {
  code: 'RAIN-E802',
  level: RuleLevel.ERROR,
  name: 'access-principal-well-formed',
  explanation:
    'Access to an EKS cluster is granted to named IAM roles, never to the whole account: each access entry names exactly one existing principal, and a principal can be in only one access entry of a cluster ' +
    '(Amazon EKS User Guide, Create access entries). Roles are named by name (this account) or full ARN of the clusters\' partition, path allowed; users, the account root, STS sessions, wildcards and other partitions are refused.',
  check: (config) => {
    if (config.orchestrator.engine !== OrchestratorEngine.EKS) {
      return [];
    }
    const out: RawFinding[] = [];
    const seen: { index: number; role: RoleIdentity }[] = [];
    (config.orchestrator.access ?? []).forEach((entry, i) => {
      const problem = principalProblem(entry.principal);
      if (problem !== undefined) {
        out.push({
          path: `orchestrator.access.${i}.principal`,
          given: `"${entry.principal}", ${problem}`,
          allowed: 'an IAM role name of this account (1-64 of letters, digits and +=,.@_-) or a role ARN such as "arn:aws:iam::111122223333:role/TrainingAdmins"',
        });
        return;
      }
      // A role ARN names its partition; an access entry names a principal of the cluster's own
      // partition (an ARN of another partition cannot name an existing principal there). The
      // partitions come from aws-cdk-lib's offline Region facts.
      const partition = entry.principal.startsWith('arn:') ? entry.principal.split(':')[1] : undefined;
      const clusterPartitions = [...new Set(Object.values(config.sites).map((s) => RegionInfo.get(s.region).partition).filter((x): x is string => x !== undefined))];
      if (partition !== undefined && clusterPartitions.length > 0 && !clusterPartitions.includes(partition)) {
        out.push({
          path: `orchestrator.access.${i}.principal`,
          given: `"${entry.principal}", a role of partition ${partition}, while the clusters are in partition ${clusterPartitions.join(', ')}`,
          allowed: `a role ARN of partition ${clusterPartitions.join(', ')} (arn:${clusterPartitions[0]}:iam::<account>:role/<name>), or a role name of this account`,
        });
        return;
      }
      const role = roleIdentity(entry.principal);
      const first = seen.find((s) => sameRole(s.role, role));
      if (first !== undefined) {
        const spelled = (config.orchestrator as { access: { principal: string }[] }).access[first.index].principal;
        const how =
          spelled === entry.principal
            ? ''
            : first.role.account !== role.account
              ? ` as "${spelled}", the same role if this is account ${first.role.account ?? role.account} (a name means this account's role)`
              : ` as "${spelled}" (IAM role names are unique in an account whatever their path, and not distinguished by case)`;
        out.push({
          path: `orchestrator.access.${i}.principal`,
          given: `"${entry.principal}", already named by orchestrator.access.${first.index}${how}`,
          allowed: `each role once (an IAM principal can be in only one access entry): keep the one with the policy it needs (${ACCESS_POLICY_NAMES.join(', ')}); roles of two accounts are both given as ARNs`,
        });
        return;
      }
      seen.push({ index: i, role });
    });
    return out;
  },
};

/**
 * Which role a well-formed principal names: its account (undefined: this account, by name) and its
 * name in lower case. IAM role names "must be unique within the account. Names are not distinguished
 * by case" (IAM CreateRole, RoleName, https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html),
 * and the path is not part of that uniqueness, so `role/ml/X` and `role/x` of one account are one role.
 */
interface RoleIdentity {
  readonly account?: string;
  readonly name: string;
}

function roleIdentity(principal: string): RoleIdentity {
  if (!principal.startsWith('arn:')) {
    return { name: principal.toLowerCase() };
  }
  const [, , , , account, resource] = principal.split(':');
  return { account, name: resource.split('/').pop()!.toLowerCase() };
}

/** Whether two principals may name one role: same name, and the same account or one given by name (this account, unknown offline). */
function sameRole(a: RoleIdentity, b: RoleIdentity): boolean {
  return a.name === b.name && (a.account === b.account || a.account === undefined || b.account === undefined);
}

export const kubernetesVersionSupported: Rule = {
  code: 'RAIN-E803',
  level: RuleLevel.ERROR,
  name: 'kubernetes-version-supported',
  explanation:
    `The EKS clusters run a Kubernetes version Amazon EKS offers (${EKS_KUBERNETES_VERSIONS.join(', ')}; EKS User Guide, Kubernetes versions) and the one the job manifests are written and checked for ` +
    `(${KUBERNETES_VERSION}, lib/catalog/kubernetes.ts): another version could refuse, or change the meaning of, a manifest the tests checked.`,
  check: (config) => {
    if (config.orchestrator.engine !== OrchestratorEngine.EKS) {
      return [];
    }
    const version = config.orchestrator.kubernetesVersion;
    if (version === KUBERNETES_VERSION) {
      return [];
    }
    const offered = EKS_KUBERNETES_VERSIONS.includes(version);
    return [
      {
        path: 'orchestrator.kubernetesVersion',
        given: `"${version}"${offered ? ', which EKS offers but the job manifests are not written for' : ', which Amazon EKS does not offer'}`,
        allowed: `"${KUBERNETES_VERSION}": the version EKS offers (${EKS_KUBERNETES_VERSIONS.join(', ')}) that the job manifests are written and checked for (lib/catalog/kubernetes.ts KUBERNETES_VERSION)`,
      },
    ];
  },
};

export const controlPlaneZoneValid: Rule = {
  code: 'RAIN-E804',
  level: RuleLevel.ERROR,
  name: 'control-plane-zone',
  explanation:
    'EKS needs the cluster subnets in at least two Availability Zones (Amazon EKS User Guide, VPC and subnet requirements). The control-plane zone must be a zone of a Region AWS has, the fabric\'s Region, and not the fabric\'s own zone.',
  check: (config) => {
    if (config.orchestrator.engine !== OrchestratorEngine.EKS || config.orchestrator.controlPlaneZone === undefined) {
      return [];
    }
    const eks = config.orchestrator;
    const zone = eks.controlPlaneZone as string;
    const regions = knownRegions();
    const region = regions.find((r) => zone.startsWith(r) && /^[a-z]$/.test(zone.slice(r.length)));
    const out: RawFinding[] = [];
    for (const f of eksFabrics(config)) {
      const why =
        region === undefined
          ? 'not a zone of any Region aws-cdk-lib knows'
          : region !== f.region
            ? `in ${region}, not the Region ${f.region} of ${f.fabric}`
            : zone === f.availabilityZone
              ? `the zone of ${f.fabric} itself`
              : undefined;
      if (why !== undefined) {
        out.push({
          path: 'orchestrator.controlPlaneZone',
          given: `"${zone}", ${why}`,
          allowed: `another zone of ${f.region} than ${f.availabilityZone}, such as "${controlPlaneZoneOf({ ...eks, controlPlaneZone: undefined }, f.region, f.availabilityZone)}", or no controlPlaneZone (each fabric then takes one of its own)`,
        });
      }
    }
    return out;
  },
};

export const controlPlaneSubnetsFit: Rule = {
  code: 'RAIN-E805',
  level: RuleLevel.ERROR,
  name: 'control-plane-subnets-fit',
  explanation:
    `An EKS cluster's two control-plane subnets are the last two /${CONTROL_PLANE_SUBNET_MASK}s of its fabric's VPC, so no existing subnet moves when the orchestrator is turned on; ` +
    'the VPC\'s own subnets (storage, public, member storage, then the node subnet) must end before them.',
  check: (config) =>
    eksFabrics(config).flatMap((f) => {
      const vpc = f.network.vpcAddresses;
      const free = vpc - 2 * 2 ** (32 - CONTROL_PLANE_SUBNET_MASK);
      const end = subnetLayoutEnd(f.network);
      // A VPC too small for its own subnets is rule RAIN-E207's finding.
      if (end <= free || f.network.subnetAddresses > vpc) {
        return [];
      }
      return [
        {
          path: `sites.${f.sites[0]}.cidr`,
          given: `"${f.network.cidr}" (${vpc} addresses): its own subnets take the first ${end} (as aws-cdk-lib aligns them), leaving ${vpc - end}, fewer than the ${vpc - free} of the EKS control-plane subnets ${controlPlaneSubnetCidrs(f.network.cidr).join(' and ')} of ${f.fabric} at its end`,
          allowed:
            Number(f.network.cidr.split('/')[1]) > 16
              ? `a block of /${Number(f.network.cidr.split('/')[1]) - 1} or larger, or fewer nodes in the fabric`
              : 'fewer nodes in the fabric (no VPC is larger than a /16, so with orchestrator eks its node subnet is at most a /18): split the fabric\'s sites into two fabrics',
        },
      ];
    }),
};

export const noClusterAdmin: Rule = {
  code: 'RAIN-W806',
  level: RuleLevel.WARNING,
  name: 'no-cluster-admin',
  explanation:
    'With orchestrator.access set, only the listed roles can use the cluster (bootstrapClusterCreatorAdminPermissions is off). Without an `admin` entry nobody can apply the cluster-wide objects jobs need (the device plugin DaemonSets, the job namespace), nor repair access later from Kubernetes.',
  check: (config: ClusterConfig) => {
    if (config.orchestrator.engine !== OrchestratorEngine.EKS || config.orchestrator.access === undefined) {
      return [];
    }
    return config.orchestrator.access.some((a) => a.policy === 'admin')
      ? []
      : [
          {
            path: 'orchestrator.access',
            given: `${config.orchestrator.access.length} access entr${config.orchestrator.access.length === 1 ? 'y' : 'ies'}, none with policy admin`,
            allowed: 'at least one role with policy "admin", or no access list (the ClusterAdminRoleArn parameter then names the admin)',
          },
        ];
  },
};

export const podAddressesFit: Rule = {
  code: 'RAIN-W807',
  level: RuleLevel.WARNING,
  name: 'pod-addresses-fit',
  explanation:
    'With the VPC CNI every pod that is not on the host network takes an address of its node\'s subnet, and each node holds `orchestrator.podAddressesPerNode` of them (the CNI\'s MINIMUM_IP_TARGET; aws/amazon-vpc-cni-k8s docs/eni-and-ip-target.md). ' +
    'The node subnet is sized one address per node and keeps its size when EKS is turned on (so no subnet moves): what is left must hold the pods\' addresses, or pods wait for an address that never comes.',
  check: (config) => {
    if (config.orchestrator.engine !== OrchestratorEngine.EKS) {
      return [];
    }
    const perNode = config.orchestrator.podAddressesPerNode;
    return eksFabrics(config).flatMap((f) => {
      const free = 2 ** (32 - f.network.nodeSubnetMask) - RESERVED_ADDRESSES_PER_SUBNET - f.network.nodeAddressesNeeded;
      const needed = f.nodes * perNode;
      return needed <= free
        ? []
        : [
            {
              path: 'orchestrator.podAddressesPerNode',
              given: `${perNode} for ${f.fabric}: ${nodesOf(f.nodes)} need ${needed.toLocaleString('en-US')} pod addresses, its /${f.network.nodeSubnetMask} node subnet has ${free.toLocaleString('en-US')} left`,
              allowed: `${free >= f.nodes ? `at most ${Math.floor(free / f.nodes)} per node there` : 'no room for even one per node there'}, or pods on the host network, or pod addresses from another CIDR (VPC CNI custom networking, not modelled: https://docs.aws.amazon.com/eks/latest/userguide/cni-custom-network.html)`,
            },
          ];
    });
  },
};
