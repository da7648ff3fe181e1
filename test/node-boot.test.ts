import { execFileSync, spawnSync } from 'child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { resolveConfig } from '../lib/config/load';
import { PRESETS } from '../lib/config/presets';
import { renderBootstrap, scratchVolumeSection } from '../lib/constructs/node-bootstrap';
import { lifecycleHelperScript, nodeCheckScript, nodeLifecycleSection, nodeSelfCheckSection } from '../lib/constructs/node-health';
import { nodeTelemetryForPool } from '../lib/constructs/node-telemetry';
import { nodeTopologyForPool } from '../lib/constructs/node-topology';
import { lustreMountSection, lustreSetupScript } from '../lib/constructs/storage';
import { planScratchVolume } from '../lib/plan/compute';
import { planNodeHealth } from '../lib/plan/health';
import { planCluster } from '../lib/plan/build';
import { ClusterPlan, PoolPlan, SitePlan } from '../lib/plan/types';
import { SHELLCHECK, shellcheckIssues } from './support/shellcheck';
import { synthCluster } from './support/synth';
import { bootScriptOf } from './support/user-data';

/**
 * Tests that run the boot: the generated scripts are linted with shellcheck, then the lifecycle
 * helper, the Lustre step and the self-check run under bash with stub commands (a PATH of stub
 * scripts in a temporary directory, and RAINIER_ROOT pointing at a scratch root), for a healthy node
 * and for each failure, asserting what the node reports: its log line, the metric it publishes and
 * the lifecycle action result it sends.
 */

const DNS = 'fs-0123456789abcdef0.fsx.us-east-2.amazonaws.com';
const MOUNT_NAME = 'abcdefgh';

const plans = new Map<string, ClusterPlan>();
function planOf(preset: string): ClusterPlan {
  if (!plans.has(preset)) plans.set(preset, planCluster(resolveConfig(preset)));
  return plans.get(preset)!;
}

function poolOf(preset: string, poolName?: string, siteName?: string): { site: SitePlan; pool: PoolPlan; cluster: string } {
  const plan = planOf(preset);
  for (const site of plan.sites) {
    for (const pool of site.pools) {
      if ((poolName === undefined || pool.name === poolName) && (siteName === undefined || site.name === siteName)) return { site, pool, cluster: plan.name };
    }
  }
  throw new Error(`no pool ${poolName} in ${preset}`);
}

/** The whole boot script of a pool, as the compute stack renders it (with a literal file system name). */
function bootScript(preset: string, poolName?: string, siteName?: string): string {
  const plan = planOf(preset);
  const { site, pool } = poolOf(preset, poolName, siteName);
  const health = planNodeHealth(site, pool);
  const scratch = planScratchVolume(pool.shape);
  return renderBootstrap([
    nodeLifecycleSection({ cluster: plan.name, site: site.name, pool: pool.name, region: site.region }, health),
    ...(scratch ? [scratchVolumeSection(scratch)] : []),
    nodeTelemetryForPool(plan, site.name, pool.name),
    nodeTopologyForPool(plan, site.name, pool.name),
    lustreMountSection(DNS, MOUNT_NAME, site.storage.mountPoint, health.lustreOverEfa),
    nodeSelfCheckSection(health),
  ]);
}

/** The section names of a rendered boot script, in order. */
function sectionsOf(script: string): string[] {
  return [...script.matchAll(/^export RAINIER_STEP=(\S+)$/gm)].map((m) => m[1]);
}

describe('the boot script as the compute stack renders it', () => {
  // One synthesis of the smallest UltraServer preset: the seams between the slices that contribute sections.
  const synthesised = synthCluster({ preset: 'ultraserver' });
  const { site, pool } = poolOf('ultraserver');
  const rendered = (() => {
    const stack = synthesised.stackIds().find((id) => id.includes(`-${pool.name}`))!;
    const lt = Object.values(synthesised.template(stack).findResources('AWS::EC2::LaunchTemplate'))[0] as any;
    return bootScriptOf(lt.Properties.LaunchTemplateData.UserData);
  })();

  test('has the sections these tests lint and run, in the same order', () => {
    const renderedSections = [...rendered.matchAll(/export RAINIER_STEP=([a-z-]+)/g)].map((m) => m[1]);
    expect(renderedSections).toEqual(sectionsOf(bootScript('ultraserver')));
  });

  test('every section after the lifecycle trap has a time budget in the launch hook, in boot order', () => {
    const budgets = planNodeHealth(site, pool).steps.map((s) => s.step);
    expect(budgets[0]).toBe('instance-boot');
    expect(sectionsOf(bootScript('ultraserver')).filter((s) => s !== 'node-lifecycle')).toEqual(budgets.slice(1));
  });
});

// ---------------------------------------------------------------------------------------------
// shellcheck

const lint = SHELLCHECK ? describe : describe.skip;
if (!SHELLCHECK) {
  // eslint-disable-next-line no-console
  console.warn('shellcheck not found: the boot-script lint is skipped here (it is required when CI=true)');
}

lint('shellcheck', () => {
  // One pool per preset and instance type: sites differ only in names and counts.
  const cases = Object.keys(PRESETS).flatMap((preset) => {
    const seen = new Set<string>();
    return planOf(preset).sites.flatMap((site) =>
      site.pools.filter((pool) => !seen.has(pool.instanceType) && seen.add(pool.instanceType)).map((pool) => [preset, site.name, pool.name] as const),
    );
  });
  test.each(cases)('%s site %s pool %s: the boot script and every script it installs are clean', (preset, siteName, poolName) => {
    const { site, pool } = poolOf(preset, poolName, siteName);
    const health = planNodeHealth(site, pool);
    expect(shellcheckIssues(bootScript(preset, poolName, siteName))).toBe('');
    expect(shellcheckIssues(nodeCheckScript(health))).toBe('');
    expect(shellcheckIssues(lustreSetupScript(DNS, MOUNT_NAME, site.storage.mountPoint, health.lustreOverEfa))).toBe('');
  });
  test('the lifecycle helper is clean', () => {
    expect(shellcheckIssues(lifecycleHelperScript())).toBe('');
  });
});

// ---------------------------------------------------------------------------------------------
// no internet

describe('the boot needs no internet', () => {
  test.each(Object.keys(PRESETS))('%s: no URL but instance metadata, no package download', (preset) => {
    const plan = planOf(preset);
    for (const site of plan.sites) {
      for (const pool of site.pools) {
        const script = bootScript(preset, pool.name, site.name);
        const urls = script.match(/https?:\/\/[^\s"'`)]+/g) ?? [];
        expect(urls.filter((u) => !u.startsWith('http://169.254.169.254/'))).toEqual([]);
        expect(script).not.toMatch(/\b(curl|wget)\b(?![^\n]*169\.254\.169\.254)/);
        expect(script).not.toMatch(/\b(apt-get|dnf|yum|dpkg|pip)\b/);
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------
// stubbed runs

interface NodeState {
  neuronDevices: number;
  coresPerDevice: number | readonly number[];
  efaDevices: number;
  /** The launch lifecycle action was completed by an earlier boot (a reboot of a node in service). */
  hookDone?: boolean;
  scratchFs: string;
  fsxFs: string;
  mountFails: boolean;
  agentInImage: boolean;
  kefalnd: boolean;
  infiniband: number;
}

const STUBS: Record<string, string> = {
  aws: [
    'echo "aws $*" >> "$STUB_LOG/aws.log"',
    'case "$*" in *complete-lifecycle-action*)',
    '  n=$(($(cat "$STUB_LOG/complete.n" 2>/dev/null || echo 0) + 1)); echo "$n" > "$STUB_LOG/complete.n"',
    '  if [ "${STUB_COMPLETE_FAILS:-0}" -lt 0 ] || [ "$n" -le "${STUB_COMPLETE_FAILS:-0}" ]; then echo "Could not connect to the endpoint URL" >&2; exit 255; fi ;;',
    'esac',
  ].join('\n'),
  sleep: 'echo "sleep $*" >> "$STUB_LOG/sleep.log"',
  curl: [
    'case "$*" in',
    '  *api/token*) n=$(($(cat "$STUB_LOG/token.n" 2>/dev/null || echo 0) + 1)); echo "$n" > "$STUB_LOG/token.n"',
    '    if [ "$n" -le "${STUB_TOKEN_FAILS:-0}" ]; then exit 28; fi; echo token ;;',
    '  *"metadata-token: token"*instance-id*) echo i-0123456789abcdef0 ;;',
    '  *"metadata-token: token"*groupName*) echo rainier-ohio-train-UltraServer0001 ;;',
    '  *) exit 22 ;;',
    'esac',
  ].join('\n'),
  logger: 'echo "logger $*" >> "$STUB_LOG/logger.log"',
  'neuron-ls': `python3 -c 'import json, os; c = [int(x) for x in os.environ["STUB_CORES"].split(",")]; print(json.dumps([{"neuron_device": i, "nc_count": c[min(i, len(c) - 1)]} for i in range(int(os.environ["STUB_DEVICES"]))]))'`,
  fi_info: 'for i in $(seq 1 "$STUB_EFA"); do echo "    domain: rdmap${i}s0-rdm"; echo "    domain: rdmap${i}s0-rdm"; done',
  findmnt: ['for a in "$@"; do last="$a"; done', 'case "$*" in *OPTIONS*) echo "${STUB_FSX_OPTIONS:-rw,relatime,flock}"; exit 0 ;; esac', 'case "$last" in', '  */scratch) echo "$STUB_SCRATCH_FS" ;;', '  */fsx) echo "$STUB_FSX_FS" ;;', 'esac'].join('\n'),
  systemctl: 'echo "systemctl $*" >> "$STUB_LOG/systemctl.log"; if [ "$1" = show ]; then echo "${STUB_RESTARTS:-0}"; fi',
  timeout: 'shift; exec "$@"',
  stat: 'exit 0',
  modinfo: '[ "$1" != kefalnd ] || [ "$STUB_KEFALND" = yes ]',
  modprobe: 'echo "modprobe $*" >> "$STUB_LOG/lnet.log"',
  lnetctl: ['echo "lnetctl $*" >> "$STUB_LOG/lnet.log"', 'if [ "$1 $2" = "net show" ]; then [ "$STUB_LNET_UP" = yes ] && echo "status: up"; fi', 'exit 0'].join('\n'),
  ip: 'echo "default via 10.0.0.1 dev ens5 proto dhcp"',
  mountpoint: 'exit 1',
  mount: 'echo "mount $*" >> "$STUB_LOG/mount.log"; [ "$STUB_MOUNT_FAILS" = no ]',
};

function runNode(script: string, state: NodeState, extraEnv: Record<string, string> = {}): { status: number; stderr: string; aws: string; logger: string; lnet: string; sleeps: string } {
  const dir = mkdtempSync(join(tmpdir(), 'rainier-node-'));
  try {
    const bin = join(dir, 'bin');
    const root = join(dir, 'root');
    const log = join(dir, 'log');
    for (const d of [bin, root, log, join(root, 'etc'), join(root, 'sys/class/infiniband')]) mkdirSync(d, { recursive: true });
    for (const [name, body] of Object.entries(STUBS)) {
      writeFileSync(join(bin, name), `#!/bin/bash\n${body}\n`);
      chmodSync(join(bin, name), 0o755);
    }
    for (let i = 0; i < state.infiniband; i++) mkdirSync(join(root, `sys/class/infiniband/rdmap${i}s0`));
    if (state.hookDone) {
      mkdirSync(join(root, 'var/lib/rainier'), { recursive: true });
      writeFileSync(join(root, 'var/lib/rainier/launch-hook-completed'), 'CONTINUE i-0123456789abcdef0 rainier-ohio-train-UltraServer0001\n');
    }
    if (state.agentInImage) {
      const agent = join(root, 'opt/aws/amazon-cloudwatch-agent/bin');
      mkdirSync(agent, { recursive: true });
      writeFileSync(join(agent, 'amazon-cloudwatch-agent-ctl'), '#!/bin/bash\n');
      chmodSync(join(agent, 'amazon-cloudwatch-agent-ctl'), 0o755);
    }
    const r = spawnSync('bash', ['-c', script], {
      encoding: 'utf8',
      env: {
        PATH: `${bin}:${process.env.PATH}`,
        HOME: dir,
        RAINIER_ROOT: root,
        STUB_LOG: log,
        STUB_DEVICES: String(state.neuronDevices),
        STUB_CORES: typeof state.coresPerDevice === 'number' ? String(state.coresPerDevice) : state.coresPerDevice.join(','),
        STUB_EFA: String(state.efaDevices),
        STUB_SCRATCH_FS: state.scratchFs,
        STUB_FSX_FS: state.fsxFs,
        STUB_MOUNT_FAILS: state.mountFails ? 'yes' : 'no',
        STUB_KEFALND: state.kefalnd ? 'yes' : 'no',
        STUB_LNET_UP: 'no',
        ...extraEnv,
      },
    });
    const read = (f: string) => (existsSync(join(log, f)) ? readFileSync(join(log, f), 'utf8') : '');
    return { status: r.status ?? -1, stderr: r.stderr, aws: read('aws.log'), logger: read('logger.log'), lnet: read('lnet.log'), sleeps: read('sleep.log') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The parts of the boot that can run off a node: lifecycle, Lustre step, self-check. */
function stubbableBoot(preset: string, poolName?: string): string {
  const plan = planOf(preset);
  const { site, pool } = poolOf(preset, poolName);
  const health = planNodeHealth(site, pool);
  return renderBootstrap([
    nodeLifecycleSection({ cluster: plan.name, site: site.name, pool: pool.name, region: site.region }, health),
    lustreMountSection(DNS, MOUNT_NAME, site.storage.mountPoint, health.lustreOverEfa),
    nodeSelfCheckSection(health),
  ]);
}

const TRN2_HEALTHY: NodeState = {
  neuronDevices: 16,
  coresPerDevice: 4, // LNC=2: 64 logical NeuronCores
  efaDevices: 16,
  scratchFs: 'xfs',
  fsxFs: 'lustre',
  mountFails: false,
  agentInImage: true,
  kefalnd: false,
  infiniband: 16,
};

const bashAvailable = (() => {
  try {
    execFileSync('bash', ['-c', 'true']);
    return true;
  } catch {
    return false;
  }
})();

(bashAvailable ? describe : describe.skip)('a stubbed trn2.48xlarge node (rainier-mini)', () => {
  const script = stubbableBoot('rainier-mini');

  test('healthy: passes every check and completes the lifecycle action with CONTINUE', () => {
    const r = runNode(script, TRN2_HEALTHY);
    expect(r.status).toBe(0);
    expect(r.aws).toMatch(/autoscaling complete-lifecycle-action --cli-connect-timeout 5 --cli-read-timeout 15 --region us-east-2 --lifecycle-hook-name rainier-node-health --auto-scaling-group-name rainier-ohio-train-UltraServer0001 --instance-id i-0123456789abcdef0 --lifecycle-action-result CONTINUE/);
    expect(r.aws).not.toContain('put-metric-data');
    expect(r.aws).not.toContain('ABANDON');
    expect(r.logger).toContain('rainier-health: PASSED');
  });

  test.each([
    ['a missing EFA device', { efaDevices: 15 }, 'efa-devices', 'expected 16 EFA device(s), found 15'],
    ['a missing Neuron device', { neuronDevices: 15 }, 'neuron-devices', 'expected 16 Neuron device(s), found 15'],
    ['missing NeuronCores', { coresPerDevice: 3 }, 'neuron-cores', 'found 48'],
    ['no scratch array', { scratchFs: '' }, 'scratch', '/scratch is not the XFS scratch array'],
    ['/fsx on the root volume', { fsxFs: '' }, 'lustre-mount', '/fsx is not a Lustre mount'],
    ['no CloudWatch agent in the image', { agentInImage: false }, 'image:amazon-cloudwatch-agent', 'is not in the image'],
  ] as const)('fails on %s: says why (log and metric) and is abandoned', (_what, change, check, detail) => {
    const r = runNode(script, { ...TRN2_HEALTHY, ...change });
    expect(r.status).not.toBe(0);
    expect(r.logger).toContain(`rainier-health: FAILED check=${check}: `);
    expect(r.logger).toContain(detail);
    expect(r.aws).toContain('cloudwatch put-metric-data --region us-east-2 --namespace Rainier');
    expect(r.aws).toContain(`{"Name":"Check","Value":"${check}"}`);
    expect(r.aws).toContain('"MetricName":"NodeHealthCheckFailed"');
    expect(r.aws).toContain('{"Name":"Pool","Value":"train"}');
    expect(r.aws).toMatch(/complete-lifecycle-action .* --lifecycle-action-result ABANDON/);
    expect(r.aws).not.toContain('CONTINUE');
    // Reported once, not again by the boot script's EXIT trap.
    expect(r.aws.match(/complete-lifecycle-action/g)).toHaveLength(1);
  });

  test('fails on a failed mount: the boot stops in the Lustre step, the EXIT trap abandons the node naming it', () => {
    const r = runNode(script, { ...TRN2_HEALTHY, mountFails: true });
    expect(r.status).not.toBe(0);
    expect(r.logger).toContain('rainier-health: FAILED check=boot:lustre-mount: boot script stopped with status 1');
    expect(r.aws).toContain('{"Name":"Check","Value":"boot:lustre-mount"}');
    expect(r.aws).toMatch(/complete-lifecycle-action .* --lifecycle-action-result ABANDON/);
    expect(r.aws).not.toContain('CONTINUE');
  });

  test('fails when an UltraServer node cannot read its topology tags: the EXIT trap abandons it naming node-topology, within its budget', () => {
    const plan = planOf('ultraserver');
    const { site, pool } = poolOf('ultraserver');
    const health = planNodeHealth(site, pool);
    const topology = renderBootstrap([
      nodeLifecycleSection({ cluster: plan.name, site: site.name, pool: pool.name, region: site.region }, health),
      nodeTopologyForPool(plan, site.name, pool.name),
    ]);
    // The stub IMDS has no rainier:* tags; sleep is stubbed so the retries take no time.
    const r = runNode(`sleep() { :; }\n${topology}`, TRN2_HEALTHY, { RAINIER_TOPOLOGY_FILE: join(tmpdir(), 'rainier-topology-unused.json') });
    expect(r.status).not.toBe(0);
    expect(r.logger).toContain('rainier-health: FAILED check=boot:node-topology: boot script stopped with status 1');
    expect(r.aws).toMatch(/complete-lifecycle-action .* --lifecycle-action-result ABANDON/);
    // Every IMDS read is bounded, so the retries cannot outlast the step's budget.
    expect(topology).not.toMatch(/curl (?![^\n]*--max-time)[^\n]*169\.254\.169\.254/);
  });

  // Hostile review (third wave): failure families the first tests did not run.
  test('the Auto Scaling endpoint fails twice: the node retries and still goes into service', () => {
    const r = runNode(script, TRN2_HEALTHY, { STUB_COMPLETE_FAILS: '2' });
    expect(r.status).toBe(0);
    expect(r.aws.match(/complete-lifecycle-action/g)).toHaveLength(3);
    expect(r.aws).toMatch(/--lifecycle-action-result CONTINUE/);
  });

  test("the Auto Scaling endpoint is down: 4 bounded tries within the self-check budget, then the hook's ABANDON at its timeout; no false check failure", () => {
    const r = runNode(script, TRN2_HEALTHY, { STUB_COMPLETE_FAILS: '-1' });
    expect(r.status).not.toBe(0);
    const calls = r.aws.trim().split('\n').filter((c) => c.includes('complete-lifecycle-action'));
    expect(calls).toHaveLength(4);
    for (const call of calls) expect(call).toContain('--cli-connect-timeout 5 --cli-read-timeout 15');
    const slept = [...r.sleeps.matchAll(/sleep (\d+)/g)].reduce((sum, m) => sum + Number(m[1]), 0);
    // Self-check budget 380 s = 240 s of check timeouts + 140 s for the helper (lib/plan/health.ts).
    expect(4 * (5 + 15) + slept + 5 * 2 + 15).toBeLessThanOrEqual(140);
    expect(r.stderr).toContain("the hook's default result (ABANDON) applies at its timeout");
    expect(r.aws).not.toContain('put-metric-data');
  });

  test('the IMDS token fails twice: the node retries it and still goes into service', () => {
    const r = runNode(script, TRN2_HEALTHY, { STUB_TOKEN_FAILS: '2' });
    expect(r.status).toBe(0);
    expect(r.aws).toMatch(/--instance-id i-0123456789abcdef0 --lifecycle-action-result CONTINUE/);
  });

  test.each([
    ['/fsx mounted read-only', { STUB_FSX_OPTIONS: 'ro,relatime,flock' }, {}, 'lustre-mount', '/fsx is mounted read-only'],
    ['/fsx on the wrong file system type', {}, { fsxFs: 'nfs4' }, 'lustre-mount', 'is not a Lustre mount (found: nfs4)'],
    ['/fsx automount never triggered', {}, { fsxFs: 'autofs' }, 'lustre-mount', 'is not a Lustre mount (found: autofs)'],
    ['the Neuron publisher dying right after start (systemd restarts it)', { STUB_RESTARTS: '3' }, {}, 'telemetry', 'restarted 3 time(s)'],
    ['one device at LNC 1 among devices at LNC 2 (the total 8 + 0 + 14 x 4 = 64 matches)', {}, { coresPerDevice: [8, 0, 4] }, 'neuron-cores', 'mixed Logical NeuronCore settings'],
  ] as const)('fails on %s: says why and is abandoned', (_what, env, change, check, detail) => {
    const r = runNode(script, { ...TRN2_HEALTHY, ...change }, env);
    expect(r.status).not.toBe(0);
    expect(r.logger).toContain(`rainier-health: FAILED check=${check}: `);
    expect(r.logger).toContain(detail);
    expect(r.aws).toMatch(/complete-lifecycle-action .* --lifecycle-action-result ABANDON/);
    expect(r.aws).not.toContain('CONTINUE');
  });

  test('a reboot of a node in service (the boot run again) calls no lifecycle action and reports no failure', () => {
    const healthy = runNode(script, { ...TRN2_HEALTHY, hookDone: true });
    expect(healthy.status).toBe(0);
    expect(healthy.aws).toBe('');
    expect(healthy.stderr).toContain('launch lifecycle action already completed');
    const lost = runNode(script, { ...TRN2_HEALTHY, hookDone: true, efaDevices: 15 });
    expect(lost.aws).not.toContain('complete-lifecycle-action');
    expect(lost.stderr).toContain('check efa-devices failed');
  });

  test('trn2 never configures Lustre over EFA (FSx EFA clients exclude trn2, REFERENCE.md §12)', () => {
    const r = runNode(script, TRN2_HEALTHY);
    expect(r.lnet).toBe('');
  });
});

(bashAvailable ? describe : describe.skip)('a stubbed trn1.32xlarge node at an EFA-enabled file system (trn1-small)', () => {
  const { site, pool } = poolOf('trn1-small');
  const health = planNodeHealth(site, pool);
  const script = stubbableBoot('trn1-small');
  const healthy: NodeState = { ...TRN2_HEALTHY, neuronDevices: 16, coresPerDevice: 2, efaDevices: pool.efaInterfaces, infiniband: pool.efaInterfaces, kefalnd: true };

  test('the plan expects Lustre over EFA on these nodes', () => {
    expect(health.lustreOverEfa).toBe(true);
  });

  test('configures LNet from the documented steps, one efa network per EFA device, before mounting', () => {
    const r = runNode(script, healthy, { STUB_LNET_UP: 'yes' });
    // LNet already up: the setup leaves it alone; the self-check sees EFA up and passes.
    expect(r.aws).toMatch(/--lifecycle-action-result CONTINUE/);
    const fresh = runNode(lustreOnly(), healthy);
    expect(fresh.status).toBe(0);
    const efa = Array.from({ length: pool.efaInterfaces }, (_, i) => `lnetctl net add --net efa --if rdmap${i}s0 --peer-credits 32`).sort();
    expect(fresh.lnet.trim().split('\n')).toEqual([
      'lnetctl net show --net efa',
      'modprobe lnet',
      'modprobe kefalnd ipif_name=ens5',
      'modprobe ksocklnd',
      'lnetctl lnet configure',
      'lnetctl net del --net tcp',
      'lnetctl net add --net tcp --if ens5',
      ...efa,
      'lnetctl set discovery 1',
      'lnetctl udsp add --src efa --priority 0',
    ]);
  });

  test('fails when Lustre is mounted but no EFA LNet interface is up (Lustre would stay on TCP)', () => {
    const r = runNode(script, healthy, { STUB_LNET_UP: 'no' });
    expect(r.logger).toContain('rainier-health: FAILED check=lustre-efa');
    expect(r.aws).toMatch(/--lifecycle-action-result ABANDON/);
  });

  test('fails when the image has no Lustre EFA driver (kefalnd): the boot stops in the Lustre step', () => {
    const r = runNode(script, { ...healthy, kefalnd: false });
    expect(r.stderr).toContain('no EFA network driver (kefalnd)');
    expect(r.logger).toContain('FAILED check=boot:lustre-mount');
  });

  function lustreOnly(): string {
    return lustreSetupScript(DNS, MOUNT_NAME, site.storage.mountPoint, true);
  }
});
