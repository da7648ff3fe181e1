import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConfigSource, loadConfig } from './config/load';
import { configSourceFromValues } from './context';
import { planCluster } from './plan/build';
import { ClusterPlan } from './plan/types';
import { ClusterStacks, createCluster } from './stacks/cluster';
import { annotateFindings } from './stacks/findings';

export { CONTEXT_CFN_VALIDATION, CONTEXT_CONFIG, CONTEXT_PRESET } from './context';

/** Reads the configuration source from the app's context (`-c preset=NAME`, `-c config=PATH`). */
export function configSourceFromContext(app: App): ConfigSource {
  return configSourceFromValues((key) => app.node.tryGetContext(key));
}

export interface ClusterApp {
  readonly plan: ClusterPlan;
  readonly stacks: ClusterStacks;
}

/**
 * Plans the cluster and renders it into `app`, with cdk-nag's AwsSolutions pack attached and the
 * plan's RAIN findings as annotations (an unacknowledged warning fails `cdk synth --strict`).
 * Throws ConfigError, before any construct exists, when the input is bad (and, while rendering,
 * when a pool's node user data could be over EC2's 16 KB: lib/constructs/node-user-data.ts).
 */
export function buildClusterApp(
  app: App,
  source: ConfigSource = configSourceFromContext(app),
  /** The plan of `source`, when the caller already made it (bin/rainier.ts plans before loading the CDK). */
  planned?: ClusterPlan,
): ClusterApp {
  const plan = planned ?? planCluster(loadConfig(source));
  const stacks = createCluster(app, plan);
  annotateFindings(app, plan);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { plan, stacks };
}
