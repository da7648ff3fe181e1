import { TRN2_ULTRASERVER } from '../catalog/ultraserver';
import { ACCOUNT_ID_PATTERN } from '../catalog/container-images';
import { CapacityKind } from '../config/schema/site';
import { ConfigError } from '../config/errors';
import { EksClusterPlan } from '../plan/orchestrator';
import { ClusterPlan, PoolPlan, SitePlan } from '../plan/types';

/**
 * Which UltraServers a sample job runs on, chosen from the plan, with every bad choice refused as a
 * ConfigError naming the flag, the value and what is allowed (before any manifest is written).
 */

export interface JobRequest {
  /** The AWS account whose ECR pull-through cache serves the images (12 digits). */
  readonly account: string;
  /** Site of the pool; default: the first site with an UltraServer pool. */
  readonly site?: string;
  /** UltraServer pool; default: the site's first. */
  readonly pool?: string;
  /** Whole UltraServers the job spans; default 1. */
  readonly ultraServers?: number;
  /** Job name; default `neuron-train`. */
  readonly name?: string;
}

export interface JobTarget {
  readonly account: string;
  /** The EKS cluster of the pool's fabric. */
  readonly cluster: EksClusterPlan;
  readonly site: SitePlan;
  readonly pool: PoolPlan;
  /** UltraServer group names, in job order: the pool's first N. */
  readonly ultraServers: readonly string[];
  readonly name: string;
}

export const DEFAULT_JOB_NAME = 'neuron-train';

/**
 * At most 52 characters: an Indexed Job's pods are named and hostnamed `<job>-<index>`, a pod
 * hostname is one DNS label of at most 63 characters, and the Job's name is also the value of the
 * `batch.kubernetes.io/job-name` label, itself at most 63 (Kubernetes, "Jobs: Completion mode" and
 * "Object Names and IDs", https://kubernetes.io/docs/concepts/workloads/controllers/job/#completion-mode,
 * https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#dns-label-names).
 * 52 leaves room for `-` and a 10-digit index, which is more pods than a fabric holds.
 */
export const JOB_NAME_MAX = 52;
const DNS_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

function isUltraServerPool(pool: PoolPlan): boolean {
  return pool.kind === CapacityKind.ULTRASERVER_CAPACITY_BLOCK && pool.ultraServerCount > 0;
}

/** The job's cluster, site, pool and UltraServers, or a ConfigError naming what to change. */
export function selectJobTarget(plan: ClusterPlan, request: JobRequest): JobTarget {
  if (!ACCOUNT_ID_PATTERN.test(request.account)) {
    throw ConfigError.single('--account', `"${request.account}"`, 'the 12-digit ID of the AWS account whose ECR pull-through cache (ecr-public/) serves the images');
  }
  const name = request.name ?? DEFAULT_JOB_NAME;
  if (!DNS_LABEL.test(name) || name.length > JOB_NAME_MAX) {
    throw ConfigError.single('--name', `"${name}"`, `a DNS label of at most ${JOB_NAME_MAX} characters: lower-case letters, digits and '-', starting with a letter and ending with a letter or digit`);
  }
  const orchestrator = plan.orchestrator;
  if (orchestrator === undefined) {
    throw ConfigError.single('orchestrator', '"none"', 'eks: a job needs a scheduler; set `orchestrator: eks` in the configuration (docs/scheduler.md), deploy, then render the job');
  }
  const usable = plan.sites.filter((s) => s.pools.some(isUltraServerPool));
  if (usable.length === 0) {
    throw ConfigError.single('sites', plan.sites.map((s) => s.name).join(', '), 'a site with an UltraServer pool (kind ultraserver-capacity-block): the sample job is sized to whole UltraServers');
  }
  const site = request.site === undefined ? usable[0] : plan.sites.find((s) => s.name === request.site);
  if (site === undefined) {
    throw ConfigError.single('--site', `"${request.site}"`, `one of the sites with an UltraServer pool: ${usable.map((s) => s.name).join(', ')}`);
  }
  const ultraPools = site.pools.filter(isUltraServerPool);
  if (ultraPools.length === 0) {
    throw ConfigError.single('--site', `"${site.name}"`, `a site with an UltraServer pool: ${usable.map((s) => s.name).join(', ')}`);
  }
  const pool = request.pool === undefined ? ultraPools[0] : site.pools.find((p) => p.name === request.pool);
  if (pool === undefined || !isUltraServerPool(pool)) {
    const why = pool === undefined ? '' : ` (pool ${pool.name} is ${pool.kind}, not UltraServers)`;
    throw ConfigError.single('--pool', `"${request.pool}"`, `an UltraServer pool of site ${site.name}: ${ultraPools.map((p) => p.name).join(', ')}${why}`);
  }
  const cluster = orchestrator.clusters.find((c) => c.members.some((m) => m.site === site.name && m.pool === pool.name));
  if (cluster === undefined) {
    throw new Error(`pool ${site.name}/${pool.name} is in no EKS cluster of the plan`);
  }
  const member = cluster.members.find((m) => m.site === site.name && m.pool === pool.name)!;
  const count = request.ultraServers ?? 1;
  if (!Number.isInteger(count) || count < 1 || count > member.ultraServers.length) {
    throw ConfigError.single(
      '--ultraservers',
      Number.isNaN(count) ? 'not a number' : String(count),
      `a whole number from 1 to ${member.ultraServers.length}: pool ${site.name}/${pool.name} has ${member.ultraServers.length} UltraServer(s) of ${TRN2_ULTRASERVER.instancesPerUltraServer} nodes`,
    );
  }
  return { account: request.account, cluster, site, pool, ultraServers: member.ultraServers.slice(0, count), name };
}
