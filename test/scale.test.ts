import * as fs from 'fs';
import { CLI_SYNTH_CONTEXT } from '../lib/context';
import { resolveConfig } from '../lib/config/load';
import { RAINIER_SCALE_SITES, RAINIER_SCALE_ULTRASERVERS_PER_SITE } from '../lib/config/presets';
import { planCluster } from '../lib/plan/build';
import { CFN_LIMITS } from '../lib/plan/cloudformation-limits';
import { NODE_GROUPS_PER_SHARD } from '../lib/plan/sharding';
import { ClusterPlan, StackKind, StackPlan } from '../lib/plan/types';
import { createCluster } from '../lib/stacks/cluster';
import { testApp } from './support/synth';

/**
 * CloudFormation's per-stack quotas (REFERENCE.md §8) for rainier-scale, without synthesising all of
 * it here (the benchmark does: docs/benchmarks.md). Two full sites are synthesised, one of them with
 * the cluster overview of all sites in its monitoring stack; the plan's stack layout then shows that
 * every stack of rainier-scale has the shape of one that was measured.
 */
const LIMITS = {
  resources: CFN_LIMITS.resourcesPerStack,
  templateBytes: CFN_LIMITS.templateBytes,
  outputs: CFN_LIMITS.outputsPerStack,
  parameters: CFN_LIMITS.parametersPerStack,
  mappings: CFN_LIMITS.mappingsPerStack,
};

interface Measured {
  readonly resources: number;
  readonly bytes: number;
  readonly outputs: number;
  readonly parameters: number;
  readonly mappings: number;
  readonly template: { Resources?: Record<string, { Type: string }> };
}

/** Renders only `sites` of the plan (the rest of the plan, e.g. the cluster overview, stays whole) and synthesises it. */
function synthSites(plan: ClusterPlan, sites: readonly string[]): Map<string, Measured> {
  const partial: ClusterPlan = {
    ...plan,
    sites: plan.sites.filter((s) => sites.includes(s.name)),
    stacks: plan.stacks.filter((s) => sites.includes(s.site)),
  };
  // Built-in CloudFormation validation and cdk-nag are covered by test/compliance.test.ts; here only
  // the quotas matter, measured on the templates the CLI writes (cdk.json's context and the CLI's).
  const app = testApp({ context: CLI_SYNTH_CONTEXT });
  createCluster(app, partial);
  const assembly = app.synth();
  const out = new Map<string, Measured>();
  for (const stack of assembly.stacks) {
    const template = stack.template as Measured['template'] & Record<string, object | undefined>;
    out.set(stack.stackName, {
      resources: Object.keys(template.Resources ?? {}).length,
      // The file as written, which is what CloudFormation receives from S3.
      bytes: fs.statSync(stack.templateFullPath).size,
      outputs: Object.keys(template.Outputs ?? {}).length,
      parameters: Object.keys(template.Parameters ?? {}).length,
      mappings: Object.keys(template.Mappings ?? {}).length,
      template,
    });
  }
  return out;
}

/** What decides a stack's size: its kind, and for compute stacks the shard (0 holds the pool's shared resources) and its node groups. */
function shape(plan: ClusterPlan, stack: StackPlan): string {
  if (stack.kind !== StackKind.COMPUTE) {
    const overview = stack.kind === StackKind.MONITORING && stack.site === plan.monitoring.overviewSite;
    return `${stack.kind}${overview ? ' (overview)' : ''}`;
  }
  const pool = plan.sites.find((s) => s.name === stack.site)!.pools.find((p) => p.name === stack.pool)!;
  return `compute ${pool.kind} ${pool.instanceType} shard ${stack.shard === 0 ? '0' : 'n'} with ${stack.nodeGroups?.length} node groups`;
}

describe('rainier-scale within CloudFormation quotas', () => {
  const plan = planCluster(resolveConfig('rainier-scale'));
  // The overview site (one full site of rainier-scale plus the cluster overview of all 30) and one other
  // full site (its monitoring stack has no overview).
  const measuredSite = plan.monitoring.overviewSite;
  const otherSite = plan.sites.find((s) => s.name !== measuredSite)!.name;
  const measured = synthSites(plan, [measuredSite, otherSite]);

  test('the plan is the full Rainier size: 30 sites, 7,800 UltraServers, every shard within NODE_GROUPS_PER_SHARD', () => {
    expect(plan.sites).toHaveLength(RAINIER_SCALE_SITES);
    expect(plan.totals.ultraServers).toBe(RAINIER_SCALE_SITES * RAINIER_SCALE_ULTRASERVERS_PER_SITE);
    for (const stack of plan.stacks.filter((s) => s.kind === StackKind.COMPUTE)) {
      expect(stack.nodeGroups!.length).toBeGreaterThan(0);
      expect(stack.nodeGroups!.length).toBeLessThanOrEqual(NODE_GROUPS_PER_SHARD);
    }
  });

  test.each([...measured.keys()])('%s (measured) is within every per-stack quota', (id) => {
    const m = measured.get(id)!;
    expect(m.resources).toBeLessThanOrEqual(LIMITS.resources);
    expect(m.bytes).toBeLessThanOrEqual(LIMITS.templateBytes);
    expect(m.outputs).toBeLessThanOrEqual(LIMITS.outputs);
    expect(m.parameters).toBeLessThanOrEqual(LIMITS.parameters);
    expect(m.mappings).toBeLessThanOrEqual(LIMITS.mappings);
  });

  test('the measured site holds a full first shard, the largest a compute stack can be at any pool size', () => {
    const shard0 = plan.stacks.find((s) => s.site === measuredSite && s.kind === StackKind.COMPUTE && s.shard === 0)!;
    expect(shard0.nodeGroups).toHaveLength(NODE_GROUPS_PER_SHARD);
    const types = Object.values(measured.get(shard0.id)!.template.Resources ?? {}).map((r) => r.Type);
    expect(types.filter((t) => t === 'AWS::AutoScaling::AutoScalingGroup')).toHaveLength(NODE_GROUPS_PER_SHARD);
  });

  // The buildings of a zone share one fabric: both measured sites are the first of their zone, so their
  // network stacks hold the whole fabric's network (10 storage subnets, one node subnet, members' log groups).
  test('each measured network stack holds a shared fabric of 10 buildings within the quotas', () => {
    const networks = plan.stacks.filter((s) => s.kind === StackKind.NETWORK);
    expect(networks).toHaveLength(3);
    for (const id of networks.filter((s) => measured.has(s.id)).map((s) => s.id)) {
      const subnets = Object.values(measured.get(id)!.template.Resources ?? {}).filter((r) => r.Type === 'AWS::EC2::Subnet') as { Properties?: { CidrBlock: string } }[];
      // With `orchestrator: eks`, also the fabric's two EKS control-plane /27s (lib/plan/orchestrator.ts).
      const controlPlane = plan.orchestrator === undefined ? [] : ['27', '27'];
      expect(subnets.map((r) => r.Properties!.CidrBlock.split('/')[1]).sort()).toEqual(['18', ...Array(10).fill('24'), ...controlPlane]);
      // As aws-cdk-lib allocates them, no two overlap: the control-plane /27s lie past the /18 node subnet.
      const ranges = subnets.map((r) => r.Properties!.CidrBlock.split('/')).map(([ip, mask]) => {
        const start = ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);
        return [start, start + 2 ** (32 - Number(mask))];
      }).sort((a, b) => a[0] - b[0]);
      ranges.slice(1).forEach((r, i) => expect(r[0]).toBeGreaterThanOrEqual(ranges[i][1]));
    }
    expect([...measured.keys()].filter((id) => id.endsWith('-network'))).toHaveLength(2);
  });

  test('every rainier-scale stack has the shape of a measured stack', () => {
    const measuredShapes = new Set(plan.stacks.filter((s) => measured.has(s.id)).map((s) => shape(plan, s)));
    const unmeasured = plan.stacks.filter((s) => !measuredShapes.has(shape(plan, s))).map((s) => `${s.id}: ${shape(plan, s)}`);
    expect(unmeasured).toEqual([]);
    // Site names are the same length (building-01 .. building-30), so templates of one shape differ in
    // bytes only by digits; the largest measured template leaves far more headroom than that.
    expect(Math.max(...[...measured.values()].map((m) => m.bytes))).toBeLessThan(LIMITS.templateBytes * 0.8);
  });
});

describe('growing a pool', () => {
  /** Stack name of every Auto Scaling group, by logical ID, as the synthesised templates hold them. */
  function groupStacks(ultraServers: number): Map<string, string> {
    const config = resolveConfig('ultraserver', {
      sites: { ohio: { pools: { train: { ultraServers } } } },
      acknowledgements: [{ rule: 'RAIN-W107', path: 'sites', reason: 'Test configuration: synthesised only, never deployed or bought.' }],
    });
    const plan = planCluster(config);
    const where = new Map<string, string>();
    for (const [stack, m] of synthSites(plan, plan.sites.map((s) => s.name))) {
      for (const [logicalId, resource] of Object.entries(m.template.Resources ?? {})) {
        if (resource.Type === 'AWS::AutoScaling::AutoScalingGroup') {
          where.set(logicalId, stack);
        }
      }
    }
    return where;
  }

  test('adds shards and never moves an existing node group to another stack', () => {
    const before = groupStacks(NODE_GROUPS_PER_SHARD - 10);
    const after = groupStacks(NODE_GROUPS_PER_SHARD + 10);
    expect(new Set(before.values()).size).toBe(1);
    expect(new Set(after.values()).size).toBe(2);
    expect(after.size).toBe(before.size + 20);
    for (const [logicalId, stack] of before) {
      expect([logicalId, after.get(logicalId)]).toEqual([logicalId, stack]);
    }
  });
});
