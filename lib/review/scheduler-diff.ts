import { controlPlaneLogGroupName } from '../plan/eks';
import { EksClusterPlan } from '../plan/orchestrator';
import { ClusterPlan } from '../plan/types';
import { num, plural } from './format';
import { principalLabel } from './scheduler-section';

/**
 * The scheduler layer of the topology diff (`orchestrator: eks`): EKS clusters added, removed or
 * replaced, their members (which UltraServers they hold), access entries and Kubernetes version.
 * Clusters are matched by fabric (`EksClusterPlan.fabric`), as the plan keys them.
 *
 * What each change costs, stated in the diff:
 * - a new cluster: nodes register with it only when they boot with the join step, i.e. nodes
 *   launched afterwards; running nodes join when their groups are refreshed (docs/operations.md);
 * - a replaced cluster (renamed in its stack, or its stack now holds another fabric's cluster): the
 *   member pools' compute stacks import the cluster's name, ARN, endpoint and certificate, and
 *   CloudFormation refuses to change an export in use, so the update fails (the template diff says
 *   WOULD FAIL); the diff says to turn the orchestrator off and on again instead. Its running jobs
 *   stop; no data is lost: file systems, buckets and keys are in the storage stacks, and checkpoints
 *   are on the file system and in S3;
 * - a cluster whose stack leaves the app (`eks` -> `none`, a site joining another site's fabric, the
 *   cluster renamed): nothing is deleted, as `cdk deploy` deletes no stack; the diff says how to
 *   remove it, in an order CloudFormation accepts;
 * - other pod addresses per node: the vpc-cni add-on's configuration, updated in place;
 * - a new Kubernetes version: an in-place upgrade, one minor version at a time, never a downgrade
 *   ("Update existing cluster to new Kubernetes version", https://docs.aws.amazon.com/eks/latest/userguide/update-cluster.html);
 * - another control-plane zone: the new subnet cannot replace the one the orchestrator stack imports,
 *   and EKS accepts new cluster subnets only in the zones the cluster was created with
 *   (https://docs.aws.amazon.com/eks/latest/userguide/network-reqs.html): the diff says to turn the
 *   orchestrator off and on again. Other control-plane subnet changes in the same zones: expect the
 *   update to fail or the cluster to be replaced (not verifiable offline).
 */

export interface SchedulerChange {
  readonly cluster: string;
  readonly fabric: string;
  readonly change: 'added' | 'removed' | 'replaced' | 'changed';
  /** One line each: what changes and what it costs. */
  readonly details: readonly string[];
}

const NO_DATA_LOST = 'running jobs on it stop; no data is lost (file systems, buckets and keys are in the storage stacks)';

/** What a new cluster lacks: the Kubernetes objects applied by hand (docs/jobs.md), which CloudFormation does not hold. */
const EMPTY = 'the new cluster starts empty: apply the device plugins and jobs to it again (npm run job | kubectl apply, docs/jobs.md)';

function members(c: EksClusterPlan): Map<string, { nodes: number; ultraServers: number }> {
  return new Map(c.members.map((m) => [`${m.site}/${m.pool}`, { nodes: m.nodes, ultraServers: m.ultraServers.length }]));
}

function describeMember(m: { nodes: number; ultraServers: number }): string {
  return m.ultraServers > 0 ? `${num(m.ultraServers)} ${plural(m.ultraServers, 'UltraServer')} (${num(m.nodes)} nodes)` : `${num(m.nodes)} ${plural(m.nodes, 'node')}`;
}

/** The compute stacks that import a cluster: its member pools'. */
function importers(c: EksClusterPlan): string {
  return [...new Set(c.members.map((m) => `${m.site}/${m.pool}`))].join(', ');
}

/**
 * A cluster replaced in its own stack: a new name, so a new cluster, ARN, endpoint and certificate,
 * which the compute stacks import; CloudFormation refuses to change an export in use
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-stack-exports.html).
 */
function replacedInPlace(old: EksClusterPlan): string {
  return (
    `CloudFormation refuses that while the compute stacks of ${importers(old)} import this cluster's name, endpoint and certificate (an export in use: the update fails). ` +
    `To make the change, turn the orchestrator off (none) and remove this cluster as the diff then says (${NO_DATA_LOST}), then turn it on again with the new layout; ${EMPTY}`
  );
}

function accessLines(c: EksClusterPlan): string[] {
  return c.access.map((a) => `${principalLabel(a.principal)}: ${a.policyName} on ${a.scope.type === 'cluster' ? 'the cluster' : `namespace ${a.scope.namespaces.join(', ')}`}`);
}

export function diffScheduler(before: ClusterPlan, after: ClusterPlan): SchedulerChange[] {
  const was = before.orchestrator?.clusters ?? [];
  const now = after.orchestrator?.clusters ?? [];
  const out: SchedulerChange[] = [];
  for (const c of now) {
    const old = was.find((w) => w.fabric === c.fabric);
    if (old === undefined) {
      out.push({
        cluster: c.name,
        fabric: c.fabric,
        change: 'added',
        details: [
          `new EKS cluster (Kubernetes ${after.orchestrator!.kubernetesVersion}) of ${num(c.nodes)} ${plural(c.nodes, 'node')}, ${num(c.ultraServers)} ${plural(c.ultraServers, 'UltraServer')}, in stack ${c.stack}`,
          'nodes launched from now on join it; running nodes join when their groups are refreshed (docs/operations.md)',
          EMPTY,
          `if a cluster of this name existed before, delete its retained log group ${controlPlaneLogGroupName(c.name)} first: the stack creates it`,
        ],
      });
      continue;
    }
    const details: string[] = [];
    let replaced = false;
    if (old.name !== c.name) {
      replaced = true;
      details.push(
        old.stack === c.stack
          ? `renamed ${old.name} → ${c.name}: a new cluster would replace the old one in stack ${c.stack}. ${replacedInPlace(old)}`
          : `renamed ${old.name} → ${c.name}, in a new stack ${c.stack}: ${leftBehind(old)}`,
      );
    }
    const zones = (x: EksClusterPlan) => x.controlPlaneSubnets.map((s) => `${s.cidr} (${s.zone})`).join(', ');
    if (zones(old) !== zones(c)) {
      const rezoned = old.controlPlaneSubnets.some((s, i) => s.zone !== c.controlPlaneSubnets[i].zone);
      details.push(
        rezoned
          ? `control-plane subnets ${zones(old)} → ${zones(c)}: a subnet in another zone is a new subnet, which CloudFormation cannot swap in while stack ${old.stack} imports the old one (the network stack's update fails), and EKS takes new cluster subnets only in the zones the cluster was created with. ` +
              `To move the control plane, turn the orchestrator off (none), then on again with the new zone: a new cluster (${NO_DATA_LOST})`
          : `control-plane subnets ${zones(old)} → ${zones(c)}: EKS takes new subnets only in the zones the cluster was created with, so expect the update to fail or the cluster to be replaced (${NO_DATA_LOST})`,
      );
    }
    const [vb, va] = [before.orchestrator!.kubernetesVersion, after.orchestrator!.kubernetesVersion];
    if (vb !== va) {
      const [b, a] = [vb, va].map((v) => Number(v.split('.')[1]));
      details.push(
        a > b
          ? `Kubernetes ${vb} → ${va}: an in-place upgrade${a - b > 1 ? ', which EKS does one minor version at a time: deploy each step in turn' : ''}; nodes keep their kubelet until their groups are refreshed`
          : `Kubernetes ${vb} → ${va}: EKS cannot downgrade a cluster; the update fails`,
      );
    }
    if (old.podAddresses.minimumIpTarget !== c.podAddresses.minimumIpTarget) {
      details.push(
        `pod addresses per node ${old.podAddresses.minimumIpTarget} → ${c.podAddresses.minimumIpTarget}: the vpc-cni add-on's configuration is updated in place (MINIMUM_IP_TARGET), and each node ${c.podAddresses.minimumIpTarget > old.podAddresses.minimumIpTarget ? 'takes more' : 'keeps fewer'} addresses of the node subnet`,
      );
    }
    const [mb, ma] = [members(old), members(c)];
    for (const [pool, m] of ma) {
      const o = mb.get(pool);
      if (o === undefined) {
        details.push(`+ member ${pool}: ${describeMember(m)}`);
      } else if (o.nodes !== m.nodes || o.ultraServers !== m.ultraServers) {
        details.push(`~ member ${pool}: ${describeMember(o)} → ${describeMember(m)}`);
      }
    }
    for (const [pool, m] of mb) {
      if (!ma.has(pool)) {
        details.push(`- member ${pool}: ${describeMember(m)} leave the cluster (jobs on them stop)`);
      }
    }
    const [ab, aa] = [accessLines(old), accessLines(c)];
    aa.filter((a) => !ab.includes(a)).forEach((a) => details.push(`+ access ${a}`));
    ab.filter((a) => !aa.includes(a)).forEach((a) => details.push(`- access ${a}`));
    // The parameter's value is not in the configuration, so neither side shows which role it named:
    // if that role is now listed (or the listed role now comes from the parameter), EKS still holds
    // its entry when CloudFormation creates the new one, and the update fails (docs/deploy.md).
    const fromParameter = (x: EksClusterPlan) => x.access.some((a) => a.principal.kind === 'parameter');
    if (fromParameter(old) !== fromParameter(c)) {
      details.push(
        `! access: ${fromParameter(old) ? 'the ClusterAdminRoleArn entry gives way to orchestrator.access' : 'orchestrator.access gives way to the ClusterAdminRoleArn entry'}; ` +
          'if one role is on both sides, EKS holds its entry while the new one is created and the deploy fails: move it in two deployments (docs/deploy.md)',
      );
    }
    if (details.length > 0) {
      out.push({ cluster: c.name, fabric: c.fabric, change: replaced ? 'replaced' : 'changed', details });
    }
  }
  for (const old of was.filter((w) => !now.some((c) => c.fabric === w.fabric))) {
    const successor = now.find((c) => c.stack === old.stack);
    out.push({
      cluster: old.name,
      fabric: old.fabric,
      change: 'removed',
      details: [
        successor !== undefined
          ? `replaced by ${successor.name} in stack ${old.stack} (the stack's one cluster, of fabric ${successor.fabric}). ${replacedInPlace(old)}`
          : leftBehind(old),
      ],
    });
  }
  return out;
}

/**
 * A cluster whose stack leaves the app. `cdk deploy` deletes no stack (docs/deploy.md, "Tear down"),
 * so the cluster keeps running, unmanaged; and while that stack is deployed it imports the network
 * stack's control-plane subnets and security group, whose removal CloudFormation refuses ("Export
 * ... cannot be deleted as it is in use"), while the member pools' compute stacks import the cluster.
 */
function leftBehind(old: EksClusterPlan): string {
  const computes = importers(old);
  return (
    `stack ${old.stack} leaves the app, and cdk deploy deletes no stack: EKS cluster ${old.name} keeps running (and billing), no longer managed, its nodes still registered. ` +
    `To remove it: deploy the compute stacks of ${computes} first, alone (cdk deploy --exclusively: they stop importing the cluster), then delete the stack ` +
    `(aws cloudformation delete-stack --stack-name ${old.stack}; its secrets key and log group are retained; ${NO_DATA_LOST}), then deploy the rest: ` +
    'until that stack is gone it imports the network stack\'s control-plane subnets and security group, and CloudFormation refuses to remove an export in use. ' +
    `The retained log group ${controlPlaneLogGroupName(old.name)} keeps the name: delete it before a cluster of this name is created again`
  );
}

/** Summary items, e.g. `+1 EKS cluster`. */
export function schedulerSummary(changes: readonly SchedulerChange[]): string[] {
  const count = (kind: SchedulerChange['change']) => changes.filter((c) => c.change === kind).length;
  const out: string[] = [];
  const [added, removed, replaced, changed] = [count('added'), count('removed'), count('replaced'), count('changed')];
  if (added > 0) {
    out.push(`+${added} EKS ${plural(added, 'cluster')}`);
  }
  if (removed > 0) {
    out.push(`-${removed} EKS ${plural(removed, 'cluster')}`);
  }
  if (replaced > 0) {
    out.push(`${replaced} EKS ${plural(replaced, 'cluster')} replaced`);
  }
  if (changed > 0) {
    out.push(`${changed} EKS ${plural(changed, 'cluster')} changed`);
  }
  return out;
}

/** The diff's `Scheduler (EKS):` block; empty when nothing changes. */
export function renderSchedulerDiff(changes: readonly SchedulerChange[]): string[] {
  if (changes.length === 0) {
    return [];
  }
  const mark = { added: '+', removed: '-', replaced: '!', changed: '~' } as const;
  const out = ['', 'Scheduler (EKS clusters, one per EFA fabric):'];
  for (const c of changes) {
    out.push(`  ${mark[c.change]} ${c.cluster} (${c.fabric})${c.change === 'replaced' ? ' REPLACED' : ''}`);
    c.details.forEach((d) => out.push(`      ${d}`));
  }
  return out;
}
