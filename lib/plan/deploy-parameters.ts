import { planNodeImage, reservationParameters } from './compute';
import { CLUSTER_ADMIN_ROLE_PARAMETER } from './orchestrator';
import { ClusterPlan, StackKind, StackPlan } from './types';

/**
 * The CloudFormation parameters the deployer fills, per stack: every one is required (no default),
 * and `cdk deploy` keeps its previous value on later deployments (docs/operations.md,
 * "Deploy-time parameters"). Read from the same plan functions the stacks render from, so the
 * report and the templates agree (test/deploy-parameters.test.ts).
 */

/**
 * The network stack's S3 prefix-list parameter (lib/constructs/network.ts): the ID of
 * `com.amazonaws.<region>.s3` differs by Region and cannot be looked up offline.
 */
export const S3_PREFIX_LIST_PARAMETER = 'S3PrefixListId';

/** Names of the parameters a stack of the plan takes, in template order. */
export function deployParametersOf(plan: ClusterPlan, stack: StackPlan): string[] {
  switch (stack.kind) {
    case StackKind.NETWORK:
      return [S3_PREFIX_LIST_PARAMETER];
    case StackKind.COMPUTE: {
      const site = plan.sites.find((s) => s.name === stack.site);
      const pool = site?.pools.find((p) => p.name === stack.pool);
      if (site === undefined || pool === undefined) {
        throw new Error(`compute stack ${stack.id} names no planned pool`);
      }
      const image = planNodeImage(plan.config.compute, site.region);
      return [...reservationParameters(pool, stack.shard ?? 0).map((p) => p.name), ...(image.kind === 'deploy-parameter' ? [image.parameter.name] : [])];
    }
    case StackKind.ORCHESTRATOR: {
      // Without orchestrator.access, the admin role is the deployer's choice (lib/plan/orchestrator.ts).
      const eks = plan.orchestrator?.clusters.find((c) => c.stack === stack.id);
      if (eks === undefined) {
        throw new Error(`orchestrator stack ${stack.id} names no planned EKS cluster`);
      }
      return eks.access.some((a) => a.principal.kind === 'parameter') ? [CLUSTER_ADMIN_ROLE_PARAMETER] : [];
    }
    case StackKind.MONITORING: {
      const subscribers = plan.monitoring.sites.find((m) => m.site === stack.site)?.subscribers;
      return subscribers?.kind === 'parameter' ? [subscribers.parameter.name] : [];
    }
    default:
      return [];
  }
}
