import { NODE_LABELS } from '../catalog/kubernetes';
import { AccessPlan, AccessPrincipalPlan, EksClusterPlan } from '../plan/orchestrator';
import { ClusterPlan } from '../plan/types';
import { markdownTable, num } from './format';

/**
 * The scheduler layer of the topology report (`orchestrator: eks`): the EKS clusters, which
 * UltraServers each holds, who may use them, their Kubernetes version, and what a job sees on a
 * node (labels, the file system, where checkpoints go). Derived from the plan only.
 */

export interface ReportSchedulerMember {
  readonly site: string;
  readonly pool: string;
  readonly nodes: number;
  readonly ultraServers: number;
  /** First and last UltraServer group names, e.g. `ohio-train-u0000 .. ohio-train-u0259`; absent for a pool without UltraServers. */
  readonly ultraServerRange?: string;
}

export interface ReportSchedulerAccess {
  /** The role as configured, or `parameter ClusterAdminRoleArn`. */
  readonly principal: string;
  readonly policy: string;
  /** `cluster`, or the namespaces the policy is scoped to. */
  readonly scope: string;
}

export interface ReportSchedulerCluster {
  readonly name: string;
  readonly fabric: string;
  readonly region: string;
  readonly stack: string;
  readonly controlPlaneSubnets: readonly { readonly zone: string; readonly cidr: string }[];
  readonly nodes: number;
  readonly ultraServers: number;
  readonly members: readonly ReportSchedulerMember[];
  readonly access: readonly ReportSchedulerAccess[];
  /** VPC addresses each node holds for pods (the VPC CNI's MINIMUM_IP_TARGET). */
  readonly podAddressesPerNode: number;
}

export interface ReportScheduler {
  readonly engine: 'eks';
  readonly kubernetesVersion: string;
  readonly jobNamespace: string;
  readonly clusters: readonly ReportSchedulerCluster[];
  /** Kubelet labels every node registers with, keyed by what they say (lib/catalog/kubernetes.ts NODE_LABELS). */
  readonly nodeLabels: Readonly<Record<string, string>>;
  /** Per site: the file system a job sees on the node and where its pools' checkpoints go. */
  readonly storage: readonly { readonly site: string; readonly mountPoint: string; readonly checkpoints: string }[];
}

export function principalLabel(p: AccessPrincipalPlan): string {
  switch (p.kind) {
    case 'role-name':
      return `role ${p.roleName} (this account)`;
    case 'role-arn':
      return p.arn;
    case 'parameter':
      return `parameter ${p.parameter.name}`;
  }
}

function reportAccess(a: AccessPlan): ReportSchedulerAccess {
  return {
    principal: principalLabel(a.principal),
    policy: a.policyName,
    scope: a.scope.type === 'cluster' ? 'cluster' : `namespace ${a.scope.namespaces.join(', ')}`,
  };
}

function reportCluster(c: EksClusterPlan): ReportSchedulerCluster {
  return {
    name: c.name,
    fabric: c.fabric,
    region: c.region,
    stack: c.stack,
    controlPlaneSubnets: c.controlPlaneSubnets,
    nodes: c.nodes,
    ultraServers: c.ultraServers,
    members: c.members.map((m) => ({
      site: m.site,
      pool: m.pool,
      nodes: m.nodes,
      ultraServers: m.ultraServers.length,
      ...(m.ultraServers.length > 0 ? { ultraServerRange: m.ultraServers.length === 1 ? m.ultraServers[0] : `${m.ultraServers[0]} .. ${m.ultraServers[m.ultraServers.length - 1]}` } : {}),
    })),
    access: c.access.map(reportAccess),
    podAddressesPerNode: c.podAddresses.minimumIpTarget,
  };
}

/** The scheduler section's model, or undefined for `orchestrator: none`. */
export function buildScheduler(plan: ClusterPlan): ReportScheduler | undefined {
  const o = plan.orchestrator;
  if (o === undefined) {
    return undefined;
  }
  return {
    engine: o.engine,
    kubernetesVersion: o.kubernetesVersion,
    jobNamespace: o.clusters[0]?.jobNamespace ?? '',
    clusters: o.clusters.map(reportCluster),
    nodeLabels: { ...NODE_LABELS },
    storage: plan.sites.map((s) => {
      const checkpoints = s.storage.dataRepositories.find((d) => d.bucket === 'checkpoints')?.fileSystemPath ?? '/checkpoints';
      // Where the sample job writes (lib/orchestrator/manifests.ts jobCheckpointDir, docs/jobs.md): one directory per job under the pool's prefix.
      return { site: s.name, mountPoint: s.storage.mountPoint, checkpoints: `${s.storage.mountPoint}${checkpoints}/<pool>/<job>/` };
    }),
  };
}

/** The Markdown section, `## Scheduler`. */
export function renderSchedulerSection(s: ReportScheduler): string[] {
  const out: string[] = ['## Scheduler', ''];
  out.push(
    `Amazon EKS, Kubernetes ${s.kubernetesVersion}: ${num(s.clusters.length)} ${s.clusters.length === 1 ? 'cluster' : 'clusters'}, one per EFA fabric, ` +
      `private API endpoint. The nodes are the plan's nodes (self-managed, each UltraServer's Auto Scaling group bound to its own block); ` +
      `a node joins only after its boot self-check passes. Jobs run in namespace \`${s.jobNamespace}\`; ` +
      `each node holds ${num(s.clusters[0]?.podAddressesPerNode ?? 0)} addresses of its subnet for pods (VPC CNI).`,
    '',
  );
  out.push(
    markdownTable(
      ['EKS cluster', 'Fabric', 'Stack', 'Control-plane subnets', 'UltraServers', 'Nodes'],
      s.clusters.map((c) => [c.name, c.fabric, c.stack, c.controlPlaneSubnets.map((n) => `${n.cidr} (${n.zone})`).join(', '), num(c.ultraServers), num(c.nodes)]),
      ['l', 'l', 'l', 'l', 'r', 'r'],
    ),
    '',
  );
  out.push('Members (which UltraServers each cluster holds):', '');
  out.push(
    markdownTable(
      ['EKS cluster', 'Pool', 'UltraServers', 'Nodes'],
      s.clusters.flatMap((c) => c.members.map((m) => [c.name, `${m.site}/${m.pool}`, m.ultraServerRange === undefined ? '-' : `${num(m.ultraServers)}: ${m.ultraServerRange}`, num(m.nodes)])),
      ['l', 'l', 'l', 'r'],
    ),
    '',
  );
  const access = s.clusters[0]?.access ?? [];
  out.push("Access to every cluster's Kubernetes API (besides each pool's node role, which joins its nodes; nobody else, the account's root included, is granted anything):", '');
  out.push(markdownTable(['Principal', 'Access policy', 'Scope'], access.map((a) => [a.principal, a.policy, a.scope]), ['l', 'l', 'l']), '');
  out.push('What a job sees on a node:', '');
  out.push(
    markdownTable(
      ['Label', 'Value'],
      [
        [`\`${s.nodeLabels.site}\``, 'site (building)'],
        [`\`${s.nodeLabels.pool}\``, 'capacity pool'],
        [`\`${s.nodeLabels.fabric}\``, 'EFA fabric'],
        [`\`${s.nodeLabels.ultraServer}\``, 'UltraServer group name (four nodes joined by NeuronLink)'],
        [`\`${s.nodeLabels.position}\``, 'position inside the UltraServer, 0-3'],
      ],
      ['l', 'l'],
    ),
    '',
  );
  const mounts = [...new Set(s.storage.map((st) => `Lustre at ${st.mountPoint}, checkpoints under ${st.checkpoints}`))];
  out.push(
    `File system: ${s.storage.length === 1 ? `${s.storage[0].site}'s` : "each site's own"} ${mounts.join('; ')}` +
      `${s.storage.length > 1 ? ' (a job spanning the sites of a shared fabric sees each site\'s own file system)' : ''}. ` +
      'Replacing an EKS cluster stops its running jobs but loses no data: file systems, buckets and keys are in the storage stacks.',
    '',
  );
  return out;
}
