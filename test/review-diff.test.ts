import * as path from 'path';
import { ResourceImpact, diffTemplate } from '@aws-cdk/cloudformation-diff';
import { ConfigError } from '../lib/config/errors';
import { ConfigSource, loadConfig } from '../lib/config/load';
import { PRESET_NAMES } from '../lib/config/presets';
import { planCluster } from '../lib/plan/build';
import { SynthesisedStack } from '../lib/review/assembly';
import { Synthesis, synthesise } from '../lib/review/synth';
import { STATEFUL_RESOURCE_TYPES, diffStacks } from '../lib/review/template-diff';
import { diffTopology, renderTopologyDiff } from '../lib/review/topology-diff';
import { EXIT_IRREVERSIBLE, EXIT_LOSES_DATA_OR_CAPACITY, EXIT_SAFE, EXIT_STATEFUL_CHANGE, EXIT_WOULD_FAIL, runDiff, sourceOf } from '../scripts/diff';
import { EXIT_BAD_INPUT, EXIT_INTERNAL, cdkJsonContext, run } from '../scripts/review-cli';

const FIXTURES = path.join(__dirname, 'fixtures', 'review');
const fixture = (name: string) => path.join(FIXTURES, name);

const plan = (source: ConfigSource) => planCluster(loadConfig(source));

describe('topology diff in people\'s terms (plans only)', () => {
  test('ultraserver -> rainier-mini: +1 UltraServer, +1 pool, +1 stack', () => {
    const d = diffTopology(plan({ preset: 'ultraserver' }), plan({ preset: 'rainier-mini' }), 'preset ultraserver', 'preset rainier-mini');
    expect(d.summary.slice(0, 3)).toEqual(['+1 UltraServer', '+6 nodes', '+96 chips']);
    expect(d.summary).toContain('+1 pool');
    expect(d.summary).toContain('+1 stack');
    expect(d.pools.map((p) => [p.pool, p.change])).toEqual([
      ['ohio/train', 'changed'],
      ['ohio/dev', 'added'],
    ]);
    expect(d.stacks.added.map((s) => s.id)).toEqual(['rainier-ohio-dev']);
    expect(d.stacks.removed).toEqual([]);
    const text = renderTopologyDiff(d);
    expect(text.split('\n')[0]).toBe('Topology: preset ultraserver → preset rainier-mini');
    expect(text).toContain('  Trainium chips              64 → 160 (+96)');
    expect(text).toContain('  + ohio/dev: 2 x trn2.48xlarge, 32 chips, On-Demand Capacity Reservation, 16 EFA per node, cluster placement group');
    expect(text).toContain('  + rainier-ohio-dev (compute)');
    expect(text).toContain('  ~ sites.ohio.pools.train.ultraServers: 1 → 2');
  });

  test('one more UltraServer: +64 chips and the file system grows with it', () => {
    const d = diffTopology(plan({ preset: 'ultraserver' }), plan({ configPath: fixture('ultraserver-x2.yaml') }), 'a', 'b');
    expect(d.summary).toEqual(['+1 UltraServer', '+4 nodes', '+64 chips', '+64 EFA interfaces', 'FSx ohio 7.2 → 14.4 TiB', 'facility power 36.8 kW → 73.6 kW']);
    expect(d.storage).toEqual([
      {
        site: 'ohio',
        fields: [
          { path: 'capacity', before: '7,200 GiB (7.2 TiB)', after: '14,400 GiB (14.4 TiB)' },
          { path: 'throughput', before: '7.2 GB/s', after: '14.4 GB/s' },
        ],
      },
    ]);
  });

  test('reversed, the same change reads as a shrink, and warns that FSx cannot shrink with it', () => {
    const d = diffTopology(plan({ configPath: fixture('ultraserver-x2.yaml') }), plan({ preset: 'ultraserver' }), 'a', 'b');
    expect(d.summary.slice(0, 3)).toEqual(['-1 UltraServer', '-4 nodes', '-64 chips']);
    expect(d.warnings).toEqual([expect.stringMatching(/^FSx ohio would shrink from 14,400 GiB \(14\.4 TiB\) to 7,200 GiB .*Pin storage\.storageCapacityGiB: 14400/)]);
    expect(renderTopologyDiff(d)).toContain('!!! THE DEPLOYMENT WOULD FAIL (1) !!!');
  });

  test('growing the file system raises no warning', () => {
    const d = diffTopology(plan({ preset: 'ultraserver' }), plan({ configPath: fixture('ultraserver-x2.yaml') }), 'a', 'b');
    expect(d.warnings).toEqual([]);
  });

  test('alarms added and removed are listed by site and ID', () => {
    const d = diffTopology(plan({ preset: 'single-node' }), plan({ preset: 'ultraserver' }), 'a', 'b');
    expect(d.alarms.added).toContain('ohio/NeuronCoreUtilizationLowTrain');
    expect(d.alarms.removed).toContain('ohio/NeuronCoreUtilizationLowDev');
    expect(renderTopologyDiff(d)).toMatch(/^Alarms:\n(  [+-] ohio\/\w+\n)+/m);
  });

  test('a change in which reservations a site watches is named', () => {
    const d = diffTopology(plan({ preset: 'single-node' }), plan({ preset: 'ultraserver' }), 'a', 'b');
    expect(d.reservationWatches).toEqual([{ site: 'ohio', before: 'its own reservations', after: 'every reservation of us-east-2 tagged with the cluster' }]);
    expect(renderTopologyDiff(d)).toContain('Capacity Reservations watched:\n  ~ ohio: its own reservations → every reservation of us-east-2 tagged with the cluster\n');
    expect(diffTopology(plan({ preset: 'ultraserver' }), plan({ configPath: fixture('ultraserver-x2.yaml') }), 'a', 'b').reservationWatches).toEqual([]);
  });

  // Each preset planned once (plans are pure data; the pairs grow with the square of the presets);
  // the second diff is built from fresh plans, so the rendering is checked against a re-planning.
  const presetPlans = new Map<string, ReturnType<typeof plan>>();
  const planOf = (preset: string) => presetPlans.get(preset) ?? presetPlans.set(preset, plan({ preset })).get(preset)!;
  test.each(PRESET_NAMES.flatMap((a) => PRESET_NAMES.filter((b) => b !== a).map((b) => [a, b])))('every pair of presets, plans only: %s -> %s', (a, b) => {
    const d = diffTopology(planOf(a), planOf(b), a, b);
    expect(d.summary.length).toBeGreaterThan(0);
    if (a === PRESET_NAMES[0]) {
      expect(renderTopologyDiff(d)).toBe(renderTopologyDiff(diffTopology(plan({ preset: a }), plan({ preset: b }), a, b)));
    } else {
      expect(renderTopologyDiff(d)).toBe(renderTopologyDiff(diffTopology(planOf(a), planOf(b), a, b)));
    }
  });

  test('identical inputs: no change', () => {
    const d = diffTopology(plan({ preset: 'ultraserver' }), plan({ preset: 'ultraserver' }), 'a', 'a');
    expect(d.summary).toEqual([]);
    expect(renderTopologyDiff(d)).toContain('Summary: no change to sites, pools, capacity or stacks');
    expect(renderTopologyDiff(d)).toContain('Configuration: identical');
  });
});

describe('stateful-resource check on hand-made templates (the diff library\'s replacement data)', () => {
  const stack = (resources: Record<string, unknown>): SynthesisedStack => ({
    id: 'rainier-ohio-storage',
    region: 'us-east-2',
    resources: Object.keys(resources).length,
    templateBytes: 0,
    template: { Resources: resources },
    logicalIdPaths: {},
  });
  const fsx = (subnet: string, capacity: number) => ({
    Type: 'AWS::FSx::FileSystem',
    DeletionPolicy: 'Retain',
    Properties: { FileSystemType: 'LUSTRE', StorageCapacity: capacity, SubnetIds: [subnet] },
  });

  test('the list of stateful types covers file system, DRA, bucket, key, log group and Capacity Reservation', () => {
    expect([...STATEFUL_RESOURCE_TYPES].sort()).toEqual([
      'AWS::EC2::CapacityReservation',
      'AWS::FSx::DataRepositoryAssociation',
      'AWS::FSx::FileSystem',
      'AWS::KMS::Key',
      'AWS::Logs::LogGroup',
      'AWS::S3::Bucket',
    ]);
  });

  test('growing FSx capacity is an in-place update: no hazard', () => {
    const [d] = diffStacks([stack({ Fs: fsx('subnet-a', 2400) })], [stack({ Fs: fsx('subnet-a', 4800) })]);
    expect(d.status).toBe('changed');
    expect(d.hazards).toEqual([]);
  });

  test('moving FSx to another subnet replaces it: flagged with the property that forces it', () => {
    const [d] = diffStacks([stack({ Fs: fsx('subnet-a', 2400) })], [stack({ Fs: fsx('subnet-b', 2400) })]);
    expect(d.hazards).toEqual([
      expect.objectContaining({ logicalId: 'Fs', type: 'AWS::FSx::FileSystem', impact: ResourceImpact.WILL_REPLACE, replacedBy: ['SubnetIds'] }),
    ]);
  });

  test('removing a retained bucket orphans it and removing a log group destroys it: both flagged; a removed queue is not', () => {
    const before = stack({
      Bucket: { Type: 'AWS::S3::Bucket', DeletionPolicy: 'Retain' },
      Logs: { Type: 'AWS::Logs::LogGroup' },
      Queue: { Type: 'AWS::SQS::Queue' },
    });
    const [d] = diffStacks([before], [stack({})]);
    expect(d.hazards.map((h) => [h.logicalId, h.impact])).toEqual([
      ['Bucket', ResourceImpact.WILL_ORPHAN],
      ['Logs', ResourceImpact.WILL_DESTROY],
    ]);
  });

  test('switching EFA on an FSx file system is flagged even though the resource spec calls it an update', () => {
    const withEfa = (efa: boolean) => ({ ...fsx('subnet-a', 4800), Properties: { ...fsx('subnet-a', 4800).Properties, LustreConfiguration: { EfaEnabled: efa } } });
    const [d] = diffStacks([stack({ Fs: withEfa(false) })], [stack({ Fs: withEfa(true) })]);
    expect(d.hazards).toEqual([
      expect.objectContaining({ logicalId: 'Fs', impact: ResourceImpact.MAY_REPLACE, replacedBy: ['LustreConfiguration.EfaEnabled'] }),
    ]);
  });

  test('a logical ID rename of a KMS key is a delete plus a create: flagged', () => {
    const key = { Type: 'AWS::KMS::Key', Properties: { EnableKeyRotation: true } };
    const [d] = diffStacks([stack({ KeyA: key })], [stack({ KeyB: key })]);
    expect(d.hazards.map((h) => [h.logicalId, h.impact])).toEqual([['KeyA', ResourceImpact.WILL_DESTROY]]);
  });

  describe('EKS access entries: one per principal and cluster, and CloudFormation creates before it deletes', () => {
    const entry = (principal: string) => ({ Type: 'AWS::EKS::AccessEntry', Properties: { ClusterName: { Ref: 'Cluster' }, PrincipalArn: `arn:aws:iam::111122223333:role/${principal}`, Type: 'STANDARD' } });
    const entries = (...principals: string[]) => stack(Object.fromEntries(principals.map((p, i) => [`AccessEntry${i}`, entry(p)])));
    const failing = (before: SynthesisedStack, after: SynthesisedStack) =>
      diffStacks([before], [after])[0].hazards.filter((h) => h.kind === 'would-fail').map((h) => [h.logicalId, h.detail?.match(/role\/(\w+) while (\S+)/)?.slice(1).join(' held by ')]);

    test.each([
      ['a reordered list: each entry is replaced by one whose principal the other still holds', ['A', 'B'], ['B', 'A'], [['AccessEntry0', 'B held by AccessEntry1'], ['AccessEntry1', 'A held by AccessEntry0']]],
      ['the first of two removed: the second principal moves into the first entry', ['A', 'B'], ['B'], [['AccessEntry0', 'B held by AccessEntry1']]],
      ['a principal added in front', ['A'], ['B', 'A'], [['AccessEntry1', 'A held by AccessEntry0']]],
    ])('fails: %s', (_, before, after, expected) => {
      expect(failing(entries(...before), entries(...after))).toEqual(expected);
    });

    test('does not fail: the entries of a replaced cluster (renamed) are entries of the new cluster', () => {
      const cluster = (name: string) => ({ Type: 'AWS::EKS::Cluster', Properties: { Name: name, RoleArn: 'arn:aws:iam::111122223333:role/c', ResourcesVpcConfig: { SubnetIds: ['s'] } } });
      const before = stack({ Cluster: cluster('rainier-fabric-ohio'), AccessEntry0: entry('A') });
      const after = stack({ Cluster: cluster('rainier-fabric-campus'), AccessEntry0: entry('A') });
      expect(failing(before, after)).toEqual([]);
    });

    test.each([
      ['a principal appended', ['A'], ['A', 'B']],
      ['the last entry removed', ['A', 'B'], ['A']],
      ['a principal replaced in place by a new one', ['A', 'B'], ['C', 'B']],
    ])('does not fail: %s', (_, before, after) => {
      expect(failing(entries(...before), entries(...after))).toEqual([]);
    });
  });

  test('an ECR pull-through cache rule created in another stack while the old holder still has it would fail; the same rule in place is no hazard', () => {
    const rule = { Type: 'AWS::ECR::PullThroughCacheRule', Properties: { EcrRepositoryPrefix: 'ecr-public', UpstreamRegistryUrl: 'public.ecr.aws' } };
    const at = (id: string, resources: Record<string, unknown>): SynthesisedStack => ({ ...stack(resources), id });
    const moved = diffStacks([at('rainier-ohio-orchestrator', { Cache: rule }), at('rainier-west-orchestrator', {})], [at('rainier-west-orchestrator', { Cache: rule })]);
    expect(moved.flatMap((d) => d.hazards).map((h) => [h.kind, h.stack, h.type, h.detail])).toEqual([
      ['would-fail', 'rainier-west-orchestrator', 'AWS::ECR::PullThroughCacheRule', expect.stringContaining('still held by Cache of rainier-ohio-orchestrator')],
    ]);
    const kept = diffStacks([at('rainier-ohio-orchestrator', { Cache: rule })], [at('rainier-ohio-orchestrator', { Cache: rule })]);
    expect(kept.flatMap((d) => d.hazards)).toEqual([]);
  });

  test('a log group or EKS cluster created under a name a still-deployed stack holds would fail; stack-dependent names and names in place are no hazard', () => {
    const at = (id: string, resources: Record<string, unknown>): SynthesisedStack => ({ ...stack(resources), id });
    const logs = (name: unknown) => ({ Type: 'AWS::Logs::LogGroup', DeletionPolicy: 'Retain', Properties: { LogGroupName: name } });
    const eksCluster = { Type: 'AWS::EKS::Cluster', Properties: { Name: 'rainier-fabric-campus', RoleArn: 'r', ResourcesVpcConfig: { SubnetIds: ['s'] } } };
    // The fabric's first member changes: its cluster and control-plane log group move to another orchestrator stack.
    const moved = diffStacks(
      [at('rainier-a-orchestrator', { Cluster: eksCluster, Logs: logs('/aws/eks/rainier-fabric-campus/cluster') }), at('rainier-b-orchestrator', {})],
      [at('rainier-b-orchestrator', { Cluster: eksCluster, Logs: logs('/aws/eks/rainier-fabric-campus/cluster') })],
    );
    expect(moved.flatMap((d) => d.hazards).filter((h) => h.kind === 'would-fail').map((h) => [h.stack, h.type, h.detail?.split(';')[0]])).toEqual([
      ['rainier-b-orchestrator', 'AWS::EKS::Cluster', 'EKS cluster name rainier-fabric-campus is still held by Cluster of rainier-a-orchestrator, which stays deployed (cdk deploy deletes no stack)'],
      ['rainier-b-orchestrator', 'AWS::Logs::LogGroup', 'log group name /aws/eks/rainier-fabric-campus/cluster is still held by Logs of rainier-a-orchestrator, which stays deployed (cdk deploy deletes no stack)'],
    ]);
    const perStack = logs({ 'Fn::Join': ['', ['/x/', { Ref: 'AWS::StackName' }]] });
    const failing = (before: SynthesisedStack[], after: SynthesisedStack[]) => diffStacks(before, after).flatMap((d) => d.hazards).filter((h) => h.kind === 'would-fail');
    expect(failing([at('a', { Logs: perStack })], [at('b', { Logs: perStack })])).toEqual([]);
    expect(failing([at('a', { Logs: logs('/same') })], [at('a', { Logs: logs('/same') })])).toEqual([]);
  });

  test('formatted diff has no colour codes and is deterministic', () => {
    const run1 = diffStacks([stack({ Fs: fsx('subnet-a', 2400) })], [stack({ Fs: fsx('subnet-b', 2400) })])[0].text;
    const run2 = diffStacks([stack({ Fs: fsx('subnet-a', 2400) })], [stack({ Fs: fsx('subnet-b', 2400) })])[0].text;
    expect(run1).toBe(run2);
    // eslint-disable-next-line no-control-regex
    expect(run1).not.toMatch(/\u001b\[/);
    expect(run1).toContain('[~] AWS::FSx::FileSystem Fs replace');
    expect(diffTemplate({}, {}).isEmpty).toBe(true);
  });
});

// Each configuration is synthesised once for the whole file.
const cache = new Map<string, Synthesis>();
const synth = (source: ConfigSource): Synthesis => {
  const key = JSON.stringify(source);
  if (!cache.has(key)) {
    cache.set(key, synthesise(source, { context: cdkJsonContext() }));
  }
  return cache.get(key)!;
};

describe('npm run diff, end to end (in-process synthesis of the small presets)', () => {

  test('scale-up by one UltraServer: topology first, then the resource diff; FSx grows with it: irreversible, exit 8', () => {
    const { text, status } = runDiff(['ultraserver', fixture('ultraserver-x2.yaml')], synth);
    expect(status).toBe(EXIT_IRREVERSIBLE);
    expect(text.indexOf('Summary: +1 UltraServer, +4 nodes, +64 chips')).toBeGreaterThan(0);
    expect(text.indexOf('Summary:')).toBeLessThan(text.indexOf('Resource changes (offline template diff'));
    expect(text).toContain('Stateful resources: none replaced or deleted.');
    expect(text).toMatch(/^Stack rainier-ohio-train \(changed\)$/m);
    expect(text).toMatch(/^\[\+\] AWS::AutoScaling::AutoScalingGroup UltraServer0001\//m);
    expect(text).toMatch(/^\[~\] AWS::FSx::FileSystem Storage\/FileSystem \w+$/m);
    expect(text.trimEnd().split('\n').pop()).toBe('Verdict: UNSAFE: IRREVERSIBLE: 1 file system grows as a side effect, not pinned (exit 8).');
    expect(runDiff(['ultraserver', fixture('ultraserver-x2.yaml')], synth).text).toBe(text);
  });

  test('from the floating image to the required NodeImageId parameter: offline, a parameter change and a new ImageId, nothing stateful (exit 0)', () => {
    const { text, status } = runDiff([fixture('single-node-latest.yaml'), 'single-node'], synth);
    expect(status).toBe(EXIT_SAFE);
    expect(text).toContain('Summary: node image changes in us-east-2');
    expect(text).toContain('→ deploy-time parameter NodeImageId (pinned by the deployer; not visible here)');
    expect(text).toMatch(/^\[-\] Parameter SsmParameterValue.*latest.*image_id/m);
    expect(text).toMatch(/^\[\+\] Parameter NodeImageId NodeImageId: \{"Type":"AWS::EC2::Image::Id"/m);
    expect(text).toMatch(/^ {13}└─ \[\+\] NodeImageId$/m);
    expect(text).toContain('Stateful resources: none replaced or deleted.');
  });

  test('switching FSx to EFA replaces the file system (exit bit 1), whose exports are in use (bit 4), and grows it unpinned (bit 8)', () => {
    const { text, status } = runDiff(['ultraserver', fixture('ultraserver-fsx-efa.yaml')], synth);
    expect(status).toBe(EXIT_STATEFUL_CHANGE | EXIT_WOULD_FAIL | EXIT_IRREVERSIBLE);
    expect(text).toContain('Summary: FSx ohio 7.2 → 9.6 TiB, FSx ohio EFA enabled');
    expect(text).toMatch(/^!!! STATEFUL RESOURCES WOULD BE REPLACED OR DELETED \(\d+\) !!!$/m);
    expect(text).toMatch(/^ {2}- rainier-ohio-storage \w+ \(AWS::FSx::FileSystem, \/rainier-ohio-storage\/Storage\/FileSystem\/Resource\) WILL BE REPLACED/m);
    expect(text).toMatch(/^ {2}- rainier-ohio-storage \w+ \(AWS::FSx::DataRepositoryAssociation, .*\) WILL BE REPLACED/m);
    expect(text).toMatch(/^Verdict: UNSAFE: WOULD FAIL: .*; IRREVERSIBLE: .*; LOSES DATA OR CAPACITY: \d+ stateful resources replaced or deleted \(exit 13\)\.$/m);
  });

  test('orchestrator eks on is safe (exit 0); off again would fail (exit 5): the orchestrator stack stays deployed and imports the control-plane subnets the network stack would drop', () => {
    const on = runDiff(['ultraserver', fixture('ultraserver-eks.yaml')], synth);
    expect(on.status).toBe(EXIT_SAFE);
    expect(on.text).toContain('+ rainier-fabric-ohio (fabric-ohio)');
    const off = runDiff([fixture('ultraserver-eks.yaml'), 'ultraserver'], synth);
    expect(off.status).toBe(EXIT_STATEFUL_CHANGE | EXIT_WOULD_FAIL);
    expect(off.text).toMatch(/^ {2}- rainier-ohio-network ExportsOutputRefEksControlPlaneControlPlaneSubnetASubnet\w+ \(Export\) WOULD FAIL: .* while rainier-ohio-orchestrator imports it/m);
    expect(off.text).toContain('stack rainier-ohio-orchestrator leaves the app, and cdk deploy deletes no stack');
    expect(off.text).toMatch(/^ {2}- rainier-ohio-orchestrator \w+ \(AWS::KMS::Key, .*\) LEAVES THE APP with its stack/m);
  });

  const SMALL = ['rainier-mini', 'ultraserver', 'single-node', 'trn1-small'];
  test.each(SMALL.flatMap((a) => SMALL.filter((b) => b !== a).map((b) => [a, b])))('%s -> %s: a verdict, an exit status made of the hazard bits, the same text twice', (a, b) => {
    const first = runDiff([a, b], synth);
    expect(first.status & ~(EXIT_STATEFUL_CHANGE | EXIT_WOULD_FAIL | EXIT_IRREVERSIBLE)).toBe(EXIT_SAFE);
    expect(first.text).toMatch(/^Topology: preset \S+ → preset \S+$/m);
    expect(first.text.trimEnd().split('\n').pop()).toMatch(/^Verdict: /);
    expect(runDiff([a, b], synth).text).toBe(first.text);
  });

  test('a pool that leaves the app takes its stack and node key with it: loses data or capacity', () => {
    // single-node's dev pool (and its compute stack with a retained KMS key) does not exist in ultraserver.
    const { text, status } = runDiff(['single-node', 'ultraserver'], synth);
    expect(status & EXIT_STATEFUL_CHANGE).toBe(EXIT_STATEFUL_CHANGE);
    expect(text).toMatch(/^Stack rainier-ohio-dev \(removed\)$/m);
    expect(text).toMatch(/rainier-ohio-dev \w+ \(AWS::KMS::Key, .*\) LEAVES THE APP with its stack \(still deployed, no longer managed; retained when that stack is destroyed\)/);
    expect(text).toContain('cdk deploy does not delete a stack that left the app');
  });
});

describe('bad input exits 2 with the message only', () => {
  test.each([
    [['nope', 'ultraserver'], 'BEFORE: got "nope"; a preset name (rainier-mini, rainier-mini-eks, ultraserver, single-node, trn1-small, rainier-scale) or the path of a config file'],
    [['ultraserver'], 'arguments: got "ultraserver"; exactly two: BEFORE AFTER'],
  ])('%j', (args, message) => {
    expect(() => runDiff(args, () => { throw new Error('must not synthesise'); })).toThrow(ConfigError);
    expect(() => runDiff(args, () => { throw new Error('must not synthesise'); })).toThrow(message);
  });

  test('an invalid config file is a ConfigError before any synthesis', () => {
    expect(sourceOf(fixture('bad-field.yaml'), 'AFTER')).toEqual({ configPath: fixture('bad-field.yaml') });
    expect(() => runDiff(['ultraserver', fixture('bad-field.yaml')], (s) => ({ plan: planCluster(loadConfig(s)), stacks: [] }))).toThrow(
      /sites\.ohio\.pools\.train\.ultraServer: got an unknown field "ultraServer".*did you mean "ultraServers"\?/,
    );
  });

  test('run() maps ConfigError to exit 2 with the message and no stack trace; other errors to 3', () => {
    const writes: string[] = [];
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      writes.push(String(chunk));
      return true;
    });
    const saved = process.exitCode;
    try {
      run(() => {
        throw ConfigError.single('BEFORE', '"nope"', 'a preset name');
      });
      expect(process.exitCode).toBe(EXIT_BAD_INPUT);
      expect(writes.join('')).toBe('Invalid cluster configuration (1 problem):\n  - BEFORE: got "nope"; a preset name\n');
      run(() => {
        throw new Error('boom');
      });
      expect(process.exitCode).toBe(EXIT_INTERNAL);
      run(() => EXIT_STATEFUL_CHANGE);
      expect(process.exitCode).toBe(1);
    } finally {
      spy.mockRestore();
      process.exitCode = saved;
    }
  });
});

// ---- verdicts against what CloudFormation would do, on real before/after pairs (docs/review.md) ----

const hazardLines = (text: string, heading: RegExp) => {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => heading.test(l));
  if (start < 0) {
    return [];
  }
  const out: string[] = [];
  for (const l of lines.slice(start + 1)) {
    if (!l.startsWith('  - ')) {
      break;
    }
    out.push(l);
  }
  return out;
};
const refused = (text: string) => hazardLines(text, /^!!! CLOUDFORMATION WOULD REFUSE/);
const lost = (text: string) => hazardLines(text, /^!!! STATEFUL RESOURCES WOULD BE REPLACED/);

describe('verdicts on real pairs', () => {
  test('a site CIDR change: exports in use change (would fail) and the file system would be replaced through the import: exit 5', () => {
    const { text, status } = runDiff(['single-node', fixture('single-node-cidr.yaml')], synth);
    expect(status).toBe(EXIT_WOULD_FAIL | EXIT_LOSES_DATA_OR_CAPACITY);
    expect(refused(text)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/rainier-ohio-network \w+ \(Export\) WOULD FAIL: export rainier-ohio-network:\w*NetworkVpc\w+ would change its value \(NetworkVpc\w+ is replaced\) while rainier-ohio-storage imports it/),
        expect.stringMatching(/ClusterSecurityGroup.* while rainier-ohio-dev, rainier-ohio-storage import it/),
      ]),
    );
    expect(lost(text)).toEqual(
      expect.arrayContaining([expect.stringMatching(/rainier-ohio-storage \w+ \(AWS::FSx::FileSystem, .*\) WILL BE REPLACED .* because SubnetIds changed \(through the import of rainier-ohio-network:/)]),
    );
    expect(text).toMatch(/^Verdict: UNSAFE: WOULD FAIL: \d+ changes .*; LOSES DATA OR CAPACITY: \d+ .* \(exit 5\)\.$/m);
  });

  test('an AZ change replaces the Capacity Reservation (capacity released) and fails on the subnet exports: exit 5', () => {
    const { text, status } = runDiff(['single-node', fixture('single-node-az.yaml')], synth);
    expect(status).toBe(EXIT_WOULD_FAIL | EXIT_LOSES_DATA_OR_CAPACITY);
    expect(lost(text)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/rainier-ohio-dev \w+ \(AWS::EC2::CapacityReservation, .*\) WILL BE REPLACED .* because AvailabilityZone changed: reserved capacity released/),
      ]),
    );
    expect(refused(text)).toEqual(expect.arrayContaining([expect.stringMatching(/export rainier-ohio-network:\w*StorageSubnet\w+ would change its value/)]));
  });

  test('moving an UltraServer site to another AZ strands its Capacity Blocks: nodes would fail to launch, exit bit 4', () => {
    const { text, status } = runDiff(['ultraserver', fixture('ultraserver-az.yaml')], synth);
    expect(status & EXIT_WOULD_FAIL).toBe(EXIT_WOULD_FAIL);
    expect(hazardLines(text, /^!!! NODES WOULD FAIL TO LAUNCH/)).toEqual([
      '  - ohio/train: its Capacity Blocks were bought in us-east-2a; the site moves to us-east-2b, where they cannot launch nodes (buy blocks there, then change the AZ)',
    ]);
  });

  test('a compute shrink that shrinks the file system: the storage update would fail: exit 4', () => {
    const { text, status } = runDiff([fixture('ultraserver-x2.yaml'), 'ultraserver'], synth);
    expect(status).toBe(EXIT_WOULD_FAIL);
    expect(refused(text)).toEqual([expect.stringMatching(/rainier-ohio-storage \w+ \(AWS::FSx::FileSystem, .*\) WOULD FAIL: StorageCapacity would shrink from 14400 to 7200 GiB/)]);
    expect(text).toContain('!!! THE DEPLOYMENT WOULD FAIL (1) !!!');
    expect(text).toMatch(/^Verdict: UNSAFE: WOULD FAIL: 1 change CloudFormation or the service would refuse \(exit 4\)\.$/m);
  });

  test('a pinned file system given back to the plan, which sizes it smaller (FSx down), would fail: exit 4', () => {
    const { text, status } = runDiff([fixture('ultraserver-fsx-9600.yaml'), 'ultraserver'], synth);
    expect(status).toBe(EXIT_WOULD_FAIL);
    expect(refused(text)).toEqual([expect.stringMatching(/StorageCapacity would shrink from 9600 to 7200 GiB; FSx for Lustre can only grow/)]);
    expect(lost(text)).toEqual([]);
  });

  test('dropping a pool takes its reservation and node key with its stack, and the file system sized from it would shrink: exit 5', () => {
    const { text, status } = runDiff(['rainier-mini', fixture('rainier-mini-drop-dev.yaml')], synth);
    expect(status).toBe(EXIT_LOSES_DATA_OR_CAPACITY | EXIT_WOULD_FAIL);
    expect(lost(text)).toEqual([
      expect.stringMatching(/^ {2}- rainier-ohio-dev \w+ \(AWS::EC2::CapacityReservation, .*\) LEAVES THE APP with its stack \(still deployed, no longer managed; deleted when that stack is destroyed\): still reserved and billed; destroying that stack releases it, and a new reservation is subject to availability/),
      expect.stringMatching(/^ {2}- rainier-ohio-dev \w+ \(AWS::KMS::Key, .*\) LEAVES THE APP with its stack \(still deployed, no longer managed; retained when that stack is destroyed\)$/),
    ]);
    expect(refused(text)).toEqual([expect.stringMatching(/StorageCapacity would shrink from 16800 to 14400 GiB/)]);
  });

  test('moving the checkpoint replica to another Region: the new replica bucket would take the name the retained one holds: exit 5', () => {
    const { text, status } = runDiff([fixture('single-node-replica-west-2.yaml'), fixture('single-node-replica-west-1.yaml')], synth);
    expect(status).toBe(EXIT_WOULD_FAIL | EXIT_LOSES_DATA_OR_CAPACITY);
    expect(refused(text)).toEqual([expect.stringMatching(/rainier-ohio-storage-replica \(us-west-1\) ReplicaBucket\w+ \(AWS::S3::Bucket.*WOULD FAIL: bucket name rainier-ohio-checkpoints-<AWS::AccountId> is still held by ReplicaBucket\w+ of rainier-ohio-storage-replica \(us-west-2\)/)]);
  });

  // Each verdict checked against CloudFormation's resource reference ("Update requires"), as
  // @aws-cdk/cloudformation-diff encodes it: AWS::EC2::Subnet CidrBlock and AWS::EC2::CapacityReservation
  // InstanceType require replacement; CapacityReservation EndDate/EndDateType, SNS topic subscriptions,
  // launch template versions and FSx PerUnitStorageThroughput update in place
  // (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ec2-capacityreservation.html,
  // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ec2-subnet.html,
  // https://docs.aws.amazon.com/fsx/latest/LustreGuide/managing-throughput-capacity.html).
  test.each([
    ['egress: nat moves the node subnet (a public subnet joins the VPC), which the compute stack imports; the storage subnet stays', 'single-node-nat.yaml', EXIT_WOULD_FAIL, /^\[~\] AWS::EC2::Subnet Network\/Vpc\/NodesSubnet1\/Subnet \w+ replace$/m],
    ['a second site joining the fabric grows the shared node subnet, which the compute stack imports', 'single-node-fabric-member.yaml', EXIT_WOULD_FAIL, /^\[~\] AWS::EC2::Subnet Network\/Vpc\/NodesSubnet1\/Subnet \w+ replace$/m],
    ['a second site in another zone: new stacks only', 'single-node-second-site.yaml', EXIT_SAFE, /^Stack rainier-ohio2-storage \(added\)$/m],
    ['a pool moved from an ODCR to a Capacity Block deletes the reservation, whose export monitoring imports', 'single-node-capacity-block.yaml', EXIT_LOSES_DATA_OR_CAPACITY | EXIT_WOULD_FAIL, /CapacityReservation\w+ \(AWS::EC2::CapacityReservation, .*\) WILL BE DELETED: reserved capacity released/],
    ['another instance type replaces the reservation (InstanceType), and EFA on trn1 replaces the file system', 'single-node-trn1.yaml', EXIT_LOSES_DATA_OR_CAPACITY | EXIT_WOULD_FAIL, /CapacityReservation\w+ \(AWS::EC2::CapacityReservation, .*\) WILL BE REPLACED .* because InstanceType changed/],
    ['an end date on the reservation is an in-place update', 'single-node-end-date.yaml', EXIT_SAFE, /^Stack rainier-ohio-dev \(changed\)$/m],
    ['an alarm address in the configuration instead of the parameter', 'single-node-alarm-email.yaml', EXIT_SAFE, /^Stack rainier-ohio-monitoring \(changed\)$/m],
    ['a pinned image instead of the NodeImageId parameter', 'single-node-image.yaml', EXIT_SAFE, /^Stack rainier-ohio-dev \(changed\)$/m],
    ['a lower throughput tier with the size pinned is an in-place update', 'single-node-tier-pinned.yaml', EXIT_SAFE, /^Stack rainier-ohio-storage \(changed\)$/m],
  ])('single-node -> %s', (_name, after, expected, marker) => {
    const { text, status } = runDiff(['single-node', fixture(after)], synth);
    expect(status).toBe(expected);
    expect(text).toMatch(marker);
    if (after === 'single-node-nat.yaml') {
      expect(text).not.toMatch(/StorageSubnet1\/Subnet \w+ replace$/m);
      expect(refused(text)).toEqual([expect.stringMatching(/NodesSubnet\w+ is replaced\) while rainier-ohio-dev imports it/)]);
    }
  });

  test('renaming the cluster renames every stack: every stateful resource of the old stacks is left behind, and the new stacks are empty copies: exit 1', () => {
    const { text, status } = runDiff(['single-node', fixture('single-node-cluster-rename.yaml')], synth);
    expect(status).toBe(EXIT_LOSES_DATA_OR_CAPACITY);
    for (const kind of ['network', 'storage', 'dev', 'monitoring']) {
      expect(text).toMatch(new RegExp(`^Stack rainier-ohio-${kind} \\(removed\\)$`, 'm'));
      expect(text).toMatch(new RegExp(`^Stack rainier2-ohio-${kind} \\(added\\)$`, 'm'));
    }
    const left = lost(text);
    expect(left.every((l) => / LEAVES THE APP with its stack /.test(l))).toBe(true);
    // The file system, both data buckets, the reservation and every key are among them.
    for (const type of ['AWS::FSx::FileSystem', 'AWS::EC2::CapacityReservation', 'AWS::KMS::Key']) {
      expect(left.some((l) => l.includes(`(${type},`))).toBe(true);
    }
    expect(left.filter((l) => l.includes('(AWS::S3::Bucket,')).length).toBeGreaterThanOrEqual(2);
    expect(text).not.toMatch(/WILL BE DELETED/);
  });

  test('renaming a pool is a drop plus an add: the old reservation goes: exit 1', () => {
    const { text, status } = runDiff(['single-node', fixture('single-node-rename.yaml')], synth);
    expect(status).toBe(EXIT_LOSES_DATA_OR_CAPACITY);
    expect(text).toMatch(/^Stack rainier-ohio-dev \(removed\)$/m);
    expect(text).toMatch(/^Stack rainier-ohio-devx \(added\)$/m);
    expect(lost(text)).toEqual(expect.arrayContaining([expect.stringMatching(/rainier-ohio-dev \w+ \(AWS::EC2::CapacityReservation/)]));
  });

  test('a scale-up that grows the file system only because compute grew is named as irreversible: exit 8', () => {
    const { text, status } = runDiff(['ultraserver', fixture('ultraserver-x2.yaml')], synth);
    expect(status).toBe(EXIT_IRREVERSIBLE);
    expect(text).toContain('FSx ohio would grow from 7200 to 14400 GiB because the plan sizes it (storage.storageCapacityGiB is not pinned), and can never shrink back. Pin storage.storageCapacityGiB: 7200 to keep it, or 14400 to grow it on purpose.');
  });

  test('the same scale-up with the file system pinned is safe: exit 0', () => {
    const { text, status } = runDiff(['ultraserver', fixture('ultraserver-x2-pinned.yaml')], synth);
    expect(status).toBe(EXIT_SAFE);
    expect(text.trimEnd().split('\n').pop()).toBe('Verdict: safe: no stateful resource is replaced or deleted, and nothing would fail (exit 0).');
  });
});

describe('cross-stack propagation on hand-made templates', () => {
  const stack = (id: string, template: Record<string, unknown>): SynthesisedStack => ({
    id,
    region: 'us-east-2',
    resources: Object.keys((template.Resources as object | undefined) ?? {}).length,
    templateBytes: 0,
    template,
    logicalIdPaths: {},
  });
  const network = (cidr: string) =>
    stack('net', {
      Resources: { Subnet: { Type: 'AWS::EC2::Subnet', Properties: { CidrBlock: cidr, VpcId: 'vpc-1' } } },
      Outputs: { SubnetOut: { Value: { Ref: 'Subnet' }, Export: { Name: 'net:Subnet' } } },
    });
  const storage = stack('store', {
    Resources: {
      Fs: { Type: 'AWS::FSx::FileSystem', Properties: { FileSystemType: 'LUSTRE', StorageCapacity: 2400, SubnetIds: [{ 'Fn::ImportValue': 'net:Subnet' }] } },
    },
  });

  test('a replaced resource behind an export in use: would fail, and the importer\'s file system is replaced through it', () => {
    const diffs = diffStacks([network('10.0.0.0/24'), storage], [network('10.0.1.0/24'), storage]);
    const net = diffs.find((d) => d.stack === 'net')!;
    const store = diffs.find((d) => d.stack === 'store')!;
    expect(store.status).toBe('unchanged'); // cdk diff alone sees nothing here
    expect(net.hazards).toEqual([
      expect.objectContaining({ kind: 'would-fail', logicalId: 'SubnetOut', type: 'Export', detail: expect.stringMatching(/^export net:Subnet would change its value \(Subnet is replaced\) while store imports it/) }),
    ]);
    expect(store.hazards).toEqual([
      expect.objectContaining({ kind: 'loses-data', logicalId: 'Fs', impact: ResourceImpact.WILL_REPLACE, replacedBy: ['SubnetIds'], via: ['net:Subnet'] }),
    ]);
  });

  test('an export removed while imported would fail; the same export with no importer is no hazard', () => {
    const bare = stack('net', { Resources: { Subnet: { Type: 'AWS::EC2::Subnet', Properties: { CidrBlock: '10.0.0.0/24', VpcId: 'vpc-1' } } } });
    const used = diffStacks([network('10.0.0.0/24'), storage], [bare, storage]).flatMap((d) => d.hazards);
    expect(used).toEqual([expect.objectContaining({ kind: 'would-fail', detail: expect.stringContaining('would be removed while store imports it') })]);
    expect(diffStacks([network('10.0.0.0/24')], [network('10.0.1.0/24')]).flatMap((d) => d.hazards)).toEqual([]);
  });

  test('a bucket created under a name that a bucket of the old app still holds (retained, or in another Region) would fail; the same bucket in place is no hazard', () => {
    const name = { 'Fn::Join': ['', ['cluster-site-checkpoints-', { Ref: 'AWS::AccountId' }]] };
    const replica = (region: string): SynthesisedStack => ({
      ...stack('replica', { Resources: { Bucket: { Type: 'AWS::S3::Bucket', Properties: { BucketName: name }, DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' } } }),
      region,
    });
    const moved = diffStacks([replica('us-west-2')], [replica('us-west-1')]);
    expect(moved.find((d) => d.stack === 'replica (us-west-1)')!.hazards).toEqual([
      expect.objectContaining({ kind: 'would-fail', logicalId: 'Bucket', type: 'AWS::S3::Bucket', detail: expect.stringMatching(/^bucket name cluster-site-checkpoints-<AWS::AccountId> is still held by Bucket of replica \(us-west-2\), retained when it leaves/) }),
    ]);
    expect(diffStacks([replica('us-west-2')], [replica('us-west-2')]).flatMap((d) => d.hazards)).toEqual([]);
  });

  test('a Capacity Reservation is stateful: replacing it loses capacity', () => {
    expect(STATEFUL_RESOURCE_TYPES).toContain('AWS::EC2::CapacityReservation');
    const cr = (az: string) => stack('c', { Resources: { Cr: { Type: 'AWS::EC2::CapacityReservation', Properties: { AvailabilityZone: az, InstanceCount: 1, InstanceType: 'trn2.48xlarge', InstancePlatform: 'Linux/UNIX' } } } });
    expect(diffStacks([cr('us-east-2a')], [cr('us-east-2b')])[0].hazards).toEqual([
      expect.objectContaining({ kind: 'loses-capacity', impact: ResourceImpact.WILL_REPLACE, replacedBy: ['AvailabilityZone'] }),
    ]);
  });
});
