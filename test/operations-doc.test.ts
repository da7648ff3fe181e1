import * as fs from 'fs';
import * as path from 'path';
import { resolveConfig } from '../lib/config/load';
import { planCluster } from '../lib/plan/build';
import { planNodeHealth } from '../lib/plan/health';

// Its generated blocks (boot budgets, alarm table) are checked with every generated file in test/docs.test.ts.
const OPERATIONS = path.join(__dirname, '..', 'docs', 'operations.md');

describe('docs/operations.md', () => {
  test('the alarm table lists the node-health alarms', () => {
    const text = fs.readFileSync(OPERATIONS, 'utf8');
    for (const id of ['NodesBelowPlan<Pool>', 'NodeHealthCheckFailed<Pool>', 'NodeStatusCheckFailed', 'ReservedCapacityIdle']) {
      expect(text).toContain(`| \`${id}\` |`);
    }
  });
});

describe('launch hook timeout', () => {
  const plan = planCluster(resolveConfig('ultraserver'));
  const [site, pool] = [plan.sites[0], plan.sites[0].pools[0]];

  test('is the sum of the boot step budgets, within the API range', () => {
    const h = planNodeHealth(site, pool);
    expect(h.heartbeatTimeoutSeconds).toBe(h.steps.reduce((s, x) => s + x.seconds, 0));
    expect(h.heartbeatTimeoutSeconds).toBeGreaterThanOrEqual(30);
    expect(h.heartbeatTimeoutSeconds).toBeLessThanOrEqual(7200);
    expect(h.steps.map((s) => s.step)).toEqual(['instance-boot', 'scratch-volume', 'node-telemetry', 'node-topology', 'lustre-mount', 'self-check']);
  });

  test.each([
    ['ultraserver', 600, 'sites.ohio.pools.train'],
    ['single-node', 1000, 'sites.ohio.pools.dev'],
  ] as const)('RAIN-W704 warns when compute.launchHookTimeoutSeconds is shorter than the boot budget (%s, %i s): healthy nodes would be abandoned', (preset, seconds, path) => {
    const p = planCluster(resolveConfig(preset, { compute: { launchHookTimeoutSeconds: seconds } }));
    const budget = planNodeHealth(p.sites[0], p.sites[0].pools[0]).steps.reduce((s, x) => s + x.seconds, 0);
    expect(p.findings.filter((f) => f.code === 'RAIN-W704')).toEqual([
      expect.objectContaining({ level: 'warning', path: 'compute.launchHookTimeoutSeconds', given: `${seconds} s, shorter than the ${budget} s boot budget of ${path}` }),
    ]);
  });

  test('RAIN-W704 stays quiet when the timeout covers every pool\'s budget, or is unset', () => {
    expect(planCluster(resolveConfig('rainier-mini', { compute: { launchHookTimeoutSeconds: 3600 } })).findings.some((f) => f.code === 'RAIN-W704')).toBe(false);
    expect(planCluster(resolveConfig('rainier-mini')).findings.some((f) => f.code === 'RAIN-W704')).toBe(false);
  });

  test('compute.launchHookTimeoutSeconds overrides it, and the schema rejects values outside 30-7,200', () => {
    const custom = planCluster(resolveConfig('ultraserver', { compute: { launchHookTimeoutSeconds: 3600 } }));
    expect(planNodeHealth(custom.sites[0], custom.sites[0].pools[0], custom.config.compute.launchHookTimeoutSeconds).heartbeatTimeoutSeconds).toBe(3600);
    expect(() => resolveConfig('ultraserver', { compute: { launchHookTimeoutSeconds: 7201 } })).toThrow(/compute\.launchHookTimeoutSeconds: got 7201/);
  });
});
