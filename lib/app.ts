import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConfigSource, loadConfig } from './config/load';
import { planCluster } from './plan/build';
import { ClusterPlan } from './plan/types';
import { ClusterStacks, createCluster } from './stacks/cluster';

/** Context keys the app reads (`-c preset=NAME`, `-c config=PATH`). */
export const CONTEXT_PRESET = 'preset';
export const CONTEXT_CONFIG = 'config';

/** Reads the configuration source from the app's context. */
export function configSourceFromContext(app: App): ConfigSource {
  const preset = app.node.tryGetContext(CONTEXT_PRESET);
  const configPath = app.node.tryGetContext(CONTEXT_CONFIG);
  return {
    preset: preset === undefined ? undefined : String(preset),
    configPath: configPath === undefined ? undefined : String(configPath),
  };
}

export interface ClusterApp {
  readonly plan: ClusterPlan;
  readonly stacks: ClusterStacks;
}

/**
 * Plans the cluster and renders it into `app`, with cdk-nag's AwsSolutions pack attached.
 * Throws ConfigError, before any construct exists, when the input is bad.
 */
export function buildClusterApp(app: App, source: ConfigSource = configSourceFromContext(app)): ClusterApp {
  const plan = planCluster(loadConfig(source));
  const stacks = createCluster(app, plan);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { plan, stacks };
}
