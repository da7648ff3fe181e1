/**
 * Kubernetes facts the orchestrator (`orchestrator: eks`) is planned and rendered from: the version
 * the EKS clusters run and the job manifests are validated against, the node labels a job sees, and
 * the namespace jobs run in. One place, so the plan, the node bootstrap and the manifests agree.
 */

/**
 * The Kubernetes minor version every EKS cluster of the plan runs, and exactly the version whose
 * schemas the job manifests (`npm run job`) are validated against offline (rule RAIN-E803 keeps a
 * configured `orchestrator.kubernetesVersion` equal to it): kubernetes-models 4.5.1 ships the
 * OpenAPI schemas of Kubernetes v1.33.0 (kubernetes-models-ts first-party/kubernetes-models
 * CHANGELOG 4.5.0, "Update schema version to v1.33.0"; lib/orchestrator/validate.ts). No release
 * carries 1.34's or 1.35's; 5.x carries v1.36.0 (CHANGELOG 5.0.0) but is ESM-only and requires
 * Node 22, and this project runs on Node 20. Moving the clusters to a newer minor therefore means
 * moving the manifests' schemas with it, never one without the other.
 *
 * Cost of that pin, stated plainly: a minor version has standard support on EKS for 14 months after
 * its EKS release, then 12 months of extended support at an extra charge per cluster hour ("Understand
 * the Kubernetes version lifecycle on EKS", https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html).
 * endoflife.date (https://endoflife.date/amazon-eks, read November 2026) lists 1.33's standard
 * support ending 29 July 2026 and extended support 29 July 2027, and 1.34's standard support ending
 * 2 December 2026: at the time of writing every version this app could validate runs on extended
 * support within days. The extra charge is per cluster hour (one cluster per EFA fabric), small
 * next to the nodes' hours. The Neuron DRA driver needs 1.34 or later (docs/scheduler.md); the
 * sample job uses the Neuron device plugin, which does not.
 */
export const KUBERNETES_VERSION = '1.33';

/**
 * Kubernetes minor versions Amazon EKS offers (standard or extended support) at the end of 2026,
 * from endoflife.date's EKS table (https://endoflife.date/amazon-eks: 1.31's extended support ended
 * 26 November 2026, 1.32's ends March 2027, 1.35 released on EKS January 2026) and the EKS user
 * guide's version pages, whose examples already name 1.36
 * (https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html). An offline table:
 * `aws eks describe-cluster-versions` is the authority at deploy time, which this app cannot call.
 * Rule RAIN-E803 refuses a version outside it.
 */
export const EKS_KUBERNETES_VERSIONS: readonly string[] = ['1.32', '1.33', '1.34', '1.35', '1.36'];

/**
 * Kubelet labels every node registers with (`--node-labels` through nodeadm's
 * `spec.kubelet.flags`, https://awslabs.github.io/amazon-eks-ami/nodeadm/doc/api/), filled at boot
 * from /etc/rainier/topology.json and the plan. A job selects nodes, or spreads over UltraServers,
 * with them. The `rainier.aws/` prefix is this project's: a label key prefix must be a DNS subdomain
 * (https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#syntax-and-character-set),
 * and `kubernetes.io`/`k8s.io` prefixes are reserved for Kubernetes core components.
 */
export const NODE_LABELS = {
  /** The site (building), e.g. `ohio`. */
  site: 'rainier.aws/site',
  /** The capacity pool, e.g. `train`. */
  pool: 'rainier.aws/pool',
  /** The EFA fabric ID (`FabricPlan.id`), e.g. `fabric-ohio`: nodes that can exchange EFA traffic. */
  fabric: 'rainier.aws/fabric',
  /** The UltraServer's group name, e.g. `ohio-train-u0001`: the four nodes joined by NeuronLink. */
  ultraServer: 'rainier.aws/ultraserver',
  /** The node's position inside its UltraServer, `0`-`3`. */
  position: 'rainier.aws/ultraserver-position',
} as const;

/**
 * The namespace jobs run in: `edit` and `view` access entries are scoped to it (EKS access policies
 * with a `namespace` access scope, https://docs.aws.amazon.com/eks/latest/userguide/access-policies.html).
 */
export const JOB_NAMESPACE = 'rainier-jobs';

/** What an access entry of the configuration grants: `admin` on the cluster, `edit` or `view` in the job namespace. */
export const ACCESS_POLICY_NAMES = ['admin', 'edit', 'view'] as const;
export type AccessPolicyName = (typeof ACCESS_POLICY_NAMES)[number];

/** The EKS access policy of each (https://docs.aws.amazon.com/eks/latest/userguide/access-policy-permissions.html). */
export const EKS_ACCESS_POLICIES: Readonly<Record<AccessPolicyName, string>> = {
  /** Full access to the cluster. */
  admin: 'AmazonEKSClusterAdminPolicy',
  /** Create and change most objects of a namespace; no Roles or RoleBindings. */
  edit: 'AmazonEKSEditPolicy',
  /** Read most objects of a namespace; not Secrets. */
  view: 'AmazonEKSViewPolicy',
};

/**
 * The documented scale of one cluster (rule RAIN-W801):
 * - Kubernetes is designed for "No more than 5,000 nodes" per cluster ("Considerations for large
 *   clusters", https://kubernetes.io/docs/setup/best-practices/cluster-large/);
 * - Amazon EKS supports clusters of up to 100,000 nodes ("Amazon EKS enables ultra scale AI/ML
 *   workloads with support for 100K nodes per cluster", AWS Containers blog, July 2025,
 *   https://aws.amazon.com/blogs/containers/amazon-eks-enables-ultra-scale-ai-ml-workloads-with-support-for-100k-nodes-per-cluster/).
 *   It is not self-serve: "Please reach out to your AWS account team to learn more about this new
 *   capability" (same post; What's New, https://aws.amazon.com/about-aws/whats-new/2025/07/amazon-eks-100000-worker-nodes-per-cluster/).
 *   Above the upstream threshold this model warns, and a reviewer acknowledges it once arranged.
 */
export const KUBERNETES_NODES_PER_CLUSTER = 5_000;
export const EKS_MAX_NODES_PER_CLUSTER = 100_000;
