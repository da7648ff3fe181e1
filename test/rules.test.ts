import * as fs from 'fs';
import * as path from 'path';
import { ConfigError } from '../lib/config/errors';
import { resolveConfig } from '../lib/config/load';
import { PresetName } from '../lib/config/presets';
import { planCluster } from '../lib/plan/build';
import { RULES, RuleLevel } from '../lib/plan/rules';
import { STALE_ACKNOWLEDGEMENT } from '../lib/plan/rules/run';
import { formatFindings } from '../lib/review/findings';

/** Plans a preset with an overlay; returns the codes of every finding, errors included. */
function codesFor(preset: PresetName, overlay: Record<string, unknown>): string[] {
  try {
    return planCluster(resolveConfig(preset, overlay)).findings.map((f) => f.code);
  } catch (e) {
    if (e instanceof ConfigError) {
      return e.problems.map((p) => p.code ?? 'schema');
    }
    throw e;
  }
}

const ohioPool = (pool: string, fields: Record<string, unknown>) => ({ sites: { ohio: { pools: { [pool]: fields } } } });

// Each rule: a configuration that breaks it and the nearest one that does not.
const CASES: [code: string, preset: PresetName, breaks: Record<string, unknown>, passes: Record<string, unknown>][] = [
  ['RAIN-E101', 'ultraserver', ohioPool('train', { instanceType: 'trn2.48xlarge' }), ohioPool('train', { instanceType: 'trn2u.48xlarge' })],
  ['RAIN-E102', 'ultraserver', ohioPool('train', { ultraServers: null, nodes: 3 }), ohioPool('train', { ultraServers: null, nodes: 8 })],
  ['RAIN-E102', 'ultraserver', ohioPool('train', { nodes: 4 }), ohioPool('train', { ultraServers: 1 })],
  ['RAIN-E103', 'single-node', ohioPool('dev', { instanceType: 'trn2u.48xlarge' }), ohioPool('dev', { instanceType: 'trn2.3xlarge' })],
  [
    'RAIN-E103',
    'single-node',
    ohioPool('dev', { kind: 'capacity-block', instanceType: 'trn1n.32xlarge' }),
    ohioPool('dev', { kind: 'capacity-block', instanceType: 'trn1.32xlarge' }),
  ],
  ['RAIN-E104', 'single-node', ohioPool('dev', { nodes: 3, reservedNodes: 2 }), ohioPool('dev', { nodes: 2, reservedNodes: 3 })],
  ['RAIN-E104', 'ultraserver', ohioPool('train', { ultraServers: 2, reservedUltraServers: 1 }), ohioPool('train', { ultraServers: 1, reservedUltraServers: 2 })],
  [
    'RAIN-E105',
    'single-node',
    ohioPool('dev', { kind: 'capacity-block', nodes: 3 }),
    ohioPool('dev', { kind: 'capacity-block', nodes: 3, reservedNodes: 4 }),
  ],
  ['RAIN-E106', 'single-node', ohioPool('dev', { nodes: 1001 }), ohioPool('dev', { nodes: 1000 })],
  ['RAIN-E106', 'single-node', ohioPool('dev', { nodes: 2, reservedNodes: 1001 }), ohioPool('dev', { nodes: 2, reservedNodes: 1000 })],
  [
    'RAIN-E110',
    'rainier-mini',
    ohioPool('train', { reservationIds: ['cr-00000000000000001'] }),
    ohioPool('train', { reservationIds: ['cr-00000000000000001', 'cr-00000000000000002'] }),
  ],
  [
    'RAIN-E110',
    'ultraserver',
    ohioPool('train', { reservedUltraServers: 2, reservationIds: ['cr-00000000000000001'] }),
    ohioPool('train', { reservedUltraServers: 2, reservationIds: ['cr-00000000000000001', 'cr-00000000000000002'] }),
  ],
  [
    'RAIN-W210',
    'ultraserver',
    { sites: { ohio2: { region: 'us-east-2', availabilityZone: 'us-east-2b', cidr: '10.1.0.0/16', pools: { train: { kind: 'ultraserver-capacity-block', instanceType: 'trn2u.48xlarge', ultraServers: 1 } } } } },
    {},
  ],
  [
    'RAIN-W211',
    'ultraserver',
    { sites: { ohio: { fabric: 'campus-a' }, ohio2: { region: 'us-east-2', availabilityZone: 'us-east-2a', cidr: '10.1.0.0/16', fabric: 'campus-a', pools: { train: { kind: 'ultraserver-capacity-block', instanceType: 'trn2u.48xlarge', ultraServers: 1 } } } } },
    { sites: { ohio: { fabric: 'campus-a' }, ohio2: { region: 'us-east-2', availabilityZone: 'us-east-2a', cidr: '10.0.0.0/16', fabric: 'campus-a', pools: { train: { kind: 'ultraserver-capacity-block', instanceType: 'trn2u.48xlarge', ultraServers: 1 } } } } },
  ],
  ['RAIN-W107', 'ultraserver', ohioPool('train', { ultraServers: 65 }), ohioPool('train', { ultraServers: 64 })],
  ['RAIN-E201', 'single-node', { sites: { ohio: { availabilityZone: 'us-east-1a' } } }, { sites: { ohio: { availabilityZone: 'us-east-2c' } } }],
  ['RAIN-W202', 'ultraserver', ohioPool('train', { placementGroup: true }), ohioPool('train', { placementGroup: false })],
  ['RAIN-W203', 'single-node', ohioPool('dev', { placementGroup: false }), ohioPool('dev', { placementGroup: true })],
  ['RAIN-E204', 'trn1-small', { sites: { virginia: { pools: { train: { efaInterfaces: 9 } } } } }, { sites: { virginia: { pools: { train: { efaInterfaces: 8 } } } } }],
  ['RAIN-W205', 'single-node', ohioPool('dev', { efaInterfaces: 15 }), ohioPool('dev', { efaInterfaces: 16 })],
  ['RAIN-W206', 'single-node', ohioPool('dev', { instanceType: 'trn2.3xlarge', nodes: 2 }), ohioPool('dev', { instanceType: 'trn2.3xlarge', nodes: 1 })],
  ['RAIN-W206', 'single-node', ohioPool('dev', { nodes: 2, efaInterfaces: 0 }), ohioPool('dev', { nodes: 2, efaInterfaces: 1 })],
  ['RAIN-E207', 'ultraserver', { sites: { ohio: { cidr: '10.0.0.0/24' } } }, { sites: { ohio: { cidr: '10.0.0.0/23' } } }],
  [
    'RAIN-E207',
    'ultraserver',
    { sites: { ohio: { cidr: '10.0.0.0/23', egress: 'nat' } } },
    { sites: { ohio: { cidr: '10.0.0.0/22', egress: 'nat' } } },
  ],
];

describe.each(CASES)('%s', (code, preset, breaks, passes) => {
  test(`is raised by ${JSON.stringify(breaks)}`, () => {
    expect(codesFor(preset, breaks)).toContain(code);
  });
  test(`is not raised by ${JSON.stringify(passes)}`, () => {
    expect(codesFor(preset, passes)).not.toContain(code);
  });
});

describe('rule errors', () => {
  test('an UltraServer pool of 3 nodes names the field and the nearest valid sizes', () => {
    try {
      planCluster(resolveConfig('ultraserver', ohioPool('train', { ultraServers: null, nodes: 3 })));
    } catch (e) {
      const p = (e as ConfigError).problems[0];
      expect(p).toMatchObject({ code: 'RAIN-E102', path: 'sites.ohio.pools.train.nodes' });
      expect(p.given).toBe('3 nodes (0.75 UltraServers)');
      expect(p.allowed).toContain('nearest valid 4');
      expect((e as Error).message).toContain('[RAIN-E102] sites.ohio.pools.train.nodes');
      return;
    }
    throw new Error('expected a ConfigError');
  });

  test('a non-UltraServer instance type in an UltraServer pool suggests the right capacity kind', () => {
    expect(() => planCluster(resolveConfig('ultraserver', ohioPool('train', { instanceType: 'trn2.48xlarge' })))).toThrow(
      /\[RAIN-E101\] sites\.ohio\.pools\.train\.instanceType: got "trn2\.48xlarge"; UltraServer pools use "trn2u\.48xlarge"/,
    );
  });

  test('an AZ outside the site Region names both', () => {
    expect(() => planCluster(resolveConfig('single-node', { sites: { ohio: { availabilityZone: 'us-west-2a' } } }))).toThrow(
      /\[RAIN-E201\] sites\.ohio\.availabilityZone: got "us-west-2a"; an Availability Zone of the site's Region us-east-2/,
    );
  });
});

describe('a site too large for any VPC', () => {
  test('is told to split its pools across sites, not to use a CIDR the schema forbids', () => {
    const twoBigPools = {
      sites: {
        ohio: {
          pools: {
            dev: { kind: 'on-demand-capacity-reservation', instanceType: 'trn2.48xlarge', nodes: 1000 },
            train: { kind: 'ultraserver-capacity-block', instanceType: 'trn2u.48xlarge', ultraServers: 8000 },
          },
        },
      },
      acknowledgements: [{ rule: 'RAIN-W107', path: 'sites', reason: 'Scale test of the subnet rule, not a purchase.' }],
    };
    expect(() => planCluster(resolveConfig('single-node', twoBigPools))).toThrow(/\[RAIN-E207\] sites\.ohio\.cidr: .*no VPC is larger than a \/16: split the site's pools across two sites/);
  });
});

describe('acknowledgements', () => {
  // With a subscriber, so RAIN-W701 stays out of the way of these assertions.
  const forcedPg = {
    ...ohioPool('train', { placementGroup: true }),
    monitoring: { emailSubscriptions: ['oncall@example.com'] },
    compute: { image: { amiIds: { 'us-east-2': 'ami-0123456789abcdef0' } } },
  };

  test('an unacknowledged warning is reported without a reason', () => {
    const f = planCluster(resolveConfig('ultraserver', forcedPg)).findings.find((x) => x.code === 'RAIN-W202');
    expect(f).toMatchObject({ level: RuleLevel.WARNING, path: 'sites.ohio.pools.train.placementGroup' });
    expect(f!.acknowledgedBecause).toBeUndefined();
  });

  test('an acknowledgement on a parent path carries its reason to the finding', () => {
    const reason = 'Testing placement-group behaviour on a block, knowingly.';
    const plan = planCluster(
      resolveConfig('ultraserver', { ...forcedPg, acknowledgements: [{ rule: 'RAIN-W202', path: 'sites.ohio.pools.train', reason }] }),
    );
    expect(plan.findings.find((x) => x.code === 'RAIN-W202')!.acknowledgedBecause).toBe(reason);
    expect(plan.findings.map((x) => x.code)).not.toContain(STALE_ACKNOWLEDGEMENT);
  });

  test('an acknowledgement of a pool the configuration does not have is an error naming the path (a typo, never a match)', () => {
    const reason = 'A reason that is long enough to count.';
    expect(() => planCluster(resolveConfig('ultraserver', { ...forcedPg, acknowledgements: [{ rule: 'RAIN-W202', path: 'sites.ohio.pools.trainer', reason }] }))).toThrow(
      /acknowledgements\.0\.path: got "sites\.ohio\.pools\.trainer", which names no pool of site ohio; a path in this configuration: did you mean "sites\.ohio\.pools\.train"\?/,
    );
  });

  test.each([
    ['a site that does not exist', 'sites.ohoi', /acknowledgements\.0\.path: got "sites\.ohoi", which names no site; a path in this configuration: did you mean "sites\.ohio"\?/],
    ['a field under a section that does not exist', 'sites.ohio.network.cidr', /acknowledgements\.0\.path: got "sites\.ohio\.network\.cidr", which names nothing in this configuration/],
    ['a top-level section that does not exist', 'monitor.alarmSubscribers', /acknowledgements\.0\.path: got "monitor\.alarmSubscribers", which names nothing in this configuration/],
  ])('an acknowledgement at %s is an error', (_name, at, expected) => {
    expect(() => planCluster(resolveConfig('ultraserver', { acknowledgements: [{ rule: 'RAIN-W202', path: at, reason: 'A reason that is long enough to count.' }] }))).toThrow(expected);
  });

  test('an acknowledgement at an existing field whose warning no longer fires is stale (info), and an unset optional field counts as existing', () => {
    const reason = 'A reason that is long enough to count.';
    for (const at of ['sites.ohio.pools.train', 'sites.ohio.pools.train.placementGroup', 'storage.storageCapacityGiB']) {
      const plan = planCluster(resolveConfig('ultraserver', { acknowledgements: [{ rule: 'RAIN-W202', path: at, reason }] }));
      expect(plan.findings.find((x) => x.code === STALE_ACKNOWLEDGEMENT)).toMatchObject({ path: 'acknowledgements.0' });
    }
  });

  test('the app prints open warnings as warnings and acknowledged ones with their reason', () => {
    const reason = 'Testing placement-group behaviour on a block, knowingly.';
    const open = formatFindings(planCluster(resolveConfig('ultraserver', forcedPg)).findings);
    expect(open).toBe('Warning [RAIN-W202] sites.ohio.pools.train.placementGroup: got true; false (the default) for Capacity Block pools');
    const acked = formatFindings(
      planCluster(resolveConfig('ultraserver', { ...forcedPg, acknowledgements: [{ rule: 'RAIN-W202', path: 'sites.ohio', reason }] })).findings,
    );
    expect(acked).toBe(`Acknowledged warning [RAIN-W202] sites.ohio.pools.train.placementGroup: got true; false (the default) for Capacity Block pools (reason: ${reason})`);
  });

  test('rainier-scale acknowledges the Capacity Block account limit with a reason', () => {
    const f = planCluster(resolveConfig('rainier-scale')).findings.find((x) => x.code === 'RAIN-W107');
    expect(f!.acknowledgedBecause).toMatch(/capacity agreement/);
  });
});

describe('the rule catalogue', () => {
  test('codes are unique and their level matches their letter', () => {
    const codes = RULES.map((r) => r.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const r of RULES) {
      const letter = { [RuleLevel.ERROR]: 'E', [RuleLevel.WARNING]: 'W', [RuleLevel.INFO]: 'I' }[r.level];
      expect(r.code).toMatch(new RegExp(`^RAIN-${letter}\\d{3}$`));
      expect(r.explanation.length).toBeGreaterThan(40);
    }
  });

  test('every rule is exercised by some test file', () => {
    const testDir = __dirname;
    const text = fs
      .readdirSync(testDir)
      .filter((f) => f.endsWith('.test.ts'))
      .map((f) => fs.readFileSync(path.join(testDir, f), 'utf8'))
      .join('\n');
    const untested = RULES.map((r) => r.code).filter((code) => !text.includes(`'${code}'`));
    expect(untested).toEqual([]);
  });

  // Who is paged and which image the nodes boot are the deployer's decisions: with neither
  // configured, they are required deploy-time parameters (AlarmEmail, NodeImageId), so no preset
  // raises RAIN-W701 or RAIN-W702 and no preset acknowledges them.
  test.each(['rainier-mini', 'ultraserver', 'single-node', 'trn1-small', 'rainier-scale'] as const)('preset %s plans with no unacknowledged warning and no acknowledgement', (preset) => {
    const findings = planCluster(resolveConfig(preset)).findings;
    expect(findings.filter((f) => f.level === RuleLevel.WARNING && !f.acknowledgedBecause).map((f) => f.code)).toEqual([]);
    expect(findings.filter((f) => f.code === 'RAIN-W701' || f.code === 'RAIN-W702')).toEqual([]);
  });

  describe('RAIN-W701: no alarm subscriber', () => {
    const external = { monitoring: { alarmSubscribers: 'external' } };
    test('warns when the configuration opts out (alarmSubscribers: external) and lists no address, naming the field', () => {
      const f = planCluster(resolveConfig('ultraserver', external)).findings.find((x) => x.code === 'RAIN-W701');
      expect(f).toMatchObject({ level: RuleLevel.WARNING, path: 'monitoring.alarmSubscribers', given: 'external (no subscriber this app knows of)' });
      expect(f!.allowed).toMatch(/acknowledgement naming the pager or chat integration/);
    });
    test.each([
      ['the default (a required AlarmEmail parameter)', {}],
      ['an e-mail address', { monitoring: { emailSubscriptions: ['oncall@example.com'] } }],
      ['external with an e-mail address', { monitoring: { alarmSubscribers: 'external', emailSubscriptions: ['oncall@example.com'] } }],
    ])('is quiet with %s', (_, override) => {
      const plan = planCluster(resolveConfig('ultraserver', override));
      expect(plan.findings.some((x) => x.code === 'RAIN-W701')).toBe(false);
    });
    test('can be acknowledged with where the alarms go', () => {
      const reason = 'The alarm topics are subscribed to our pager integration by the platform team.';
      const plan = planCluster(resolveConfig('ultraserver', { ...external, acknowledgements: [{ rule: 'RAIN-W701', path: 'monitoring', reason }] }));
      expect(plan.findings.find((x) => x.code === 'RAIN-W701')!.acknowledgedBecause).toBe(reason);
    });
  });
});
