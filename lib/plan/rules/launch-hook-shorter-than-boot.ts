import { instanceShape } from '../../catalog/instance-types';
import { OrchestratorEngine } from '../../config/schema';
import { bootStepBudgets } from '../health';
import { Rule, RuleLevel, pools } from './rule';

/**
 * A warning: a launch hook that times out before the boot's budget abandons healthy nodes. The
 * hook's default result is ABANDON, so a node still booting at the timeout is terminated and
 * replaced, over and over, while it holds reserved capacity (lib/plan/health.ts).
 */
export const launchHookShorterThanBoot: Rule = {
  code: 'RAIN-W704',
  level: RuleLevel.WARNING,
  name: 'launch-hook-shorter-than-boot',
  explanation:
    "compute.launchHookTimeoutSeconds is shorter than the sum of a pool's boot step budgets (docs/operations.md, boot budgets). A node that has not completed its launch lifecycle action by the hook's heartbeat timeout gets the default result, ABANDON, and is terminated and replaced (https://docs.aws.amazon.com/autoscaling/ec2/userguide/lifecycle-hooks.html), so a too-short timeout can abandon every healthy node. The budgets are this project's assumptions: acknowledge the warning if you measured a faster boot.",
  check: (config) => {
    const seconds = config.compute.launchHookTimeoutSeconds;
    if (seconds === undefined) {
      return [];
    }
    return pools(config).flatMap(({ pool, path }) => {
      // With `orchestrator: eks` the node also joins its cluster before it completes the action (lib/plan/eks.ts).
      const joins = config.orchestrator.engine === OrchestratorEngine.EKS;
      const budget = bootStepBudgets({ shape: instanceShape(pool.instanceType), kind: pool.kind }, joins).reduce((sum, s) => sum + s.seconds, 0);
      return seconds >= budget
        ? []
        : [
            {
              path: 'compute.launchHookTimeoutSeconds',
              given: `${seconds} s, shorter than the ${budget} s boot budget of ${path}`,
              allowed: `at least ${budget} s, or unset (the budget is then the timeout)`,
            },
          ];
    });
  },
};
