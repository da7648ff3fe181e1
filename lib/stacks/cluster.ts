import { Tags } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ClusterPlan, SitePlan, StackKind, StackPlan } from '../plan/types';
import { NetworkStack } from './network-stack';

export interface SiteStacks {
  readonly site: SitePlan;
  readonly network: NetworkStack;
}

export interface ClusterStacks {
  readonly sites: readonly SiteStacks[];
}

/** Renders the plan's stack layout: every decision was made in the plan; this only builds it. */
export function createCluster(scope: Construct, plan: ClusterPlan): ClusterStacks {
  const sites = plan.sites.map((site) => {
    const stackPlans = plan.stacks.filter((s) => s.site === site.name);
    const one = (kind: StackKind): StackPlan => {
      const found = stackPlans.find((s) => s.kind === kind);
      if (found === undefined) {
        throw new Error(`plan has no ${kind} stack for site ${site.name}`);
      }
      return found;
    };
    const networkPlan = one(StackKind.NETWORK);
    const network = new NetworkStack(scope, networkPlan.id, {
      ...stackProps(networkPlan, `${plan.name} ${site.name}: VPC, endpoints, flow logs and the EFA security group`),
      site,
      logRetentionDays: plan.config.monitoring.logRetentionDays,
    });
    return { site, network };
  });
  Tags.of(scope).add('rainier:cluster', plan.name);
  return { sites };
}

function stackProps(stack: StackPlan, description: string) {
  return {
    stackName: stack.id,
    env: { region: stack.region },
    terminationProtection: stack.terminationProtection,
    description,
    tags: { 'rainier:site': stack.site, ...(stack.pool ? { 'rainier:pool': stack.pool } : {}) },
  };
}
