import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ConfigError } from '../lib/config/errors';
import { loadConfig, mergeOverlay, resolveConfig } from '../lib/config/load';
import { PRESET_NAMES } from '../lib/config/presets';
import { CapacityKind } from '../lib/config/schema';

function problemsOf(fn: () => unknown): ConfigError['problems'] {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) {
      return e.problems;
    }
    throw e;
  }
  throw new Error('expected a ConfigError');
}

function writeTemp(name: string, text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rainier-config-'));
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

describe('presets', () => {
  test.each(PRESET_NAMES)('%s parses with every default filled in', (name) => {
    const config = resolveConfig(name);
    expect(config.compute.rootVolumeGiB).toBeGreaterThan(0);
    expect(Object.keys(config.sites).length).toBeGreaterThan(0);
  });

  test('the default preset is rainier-mini', () => {
    expect(loadConfig({})).toEqual(resolveConfig('rainier-mini'));
  });

  test('a preset alone loads no YAML parser (the default synthesis pays for every module it loads)', () => {
    jest.isolateModules(() => {
      jest.doMock('yaml', () => {
        throw new Error('yaml was loaded');
      });
      const isolated = require('../lib/config/load') as typeof import('../lib/config/load');
      expect(isolated.loadConfig({ preset: 'single-node' }).sites.ohio).toBeDefined();
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rainier-yaml-')), 'c.yaml');
      fs.writeFileSync(file, 'preset: single-node\n');
      // The same module does load it for a YAML file: the mock proves the test can fail.
      expect(() => isolated.loadConfig({ configPath: file })).toThrow('yaml was loaded');
    });
    jest.dontMock('yaml');
  });

  test('fails on an unknown preset, naming the allowed ones', () => {
    const [p] = problemsOf(() => loadConfig({ preset: 'rainier-max' }));
    expect(p.path).toBe('preset');
    expect(p.given).toBe('"rainier-max"');
    expect(p.allowed).toContain('rainier-mini, rainier-mini-eks, ultraserver, single-node, trn1-small, rainier-scale');
  });
});

describe('config file overrides', () => {
  test('a YAML file overrides one field of its preset and keeps the rest', () => {
    const file = writeTemp('c.yaml', 'preset: rainier-mini\nsites:\n  ohio:\n    pools:\n      train:\n        ultraServers: 4\n');
    const config = loadConfig({ configPath: file });
    const train = config.sites.ohio.pools.train;
    expect(train.kind === CapacityKind.ULTRASERVER_CAPACITY_BLOCK && train.ultraServers).toBe(4);
    expect(config.sites.ohio.pools.dev).toBeDefined();
  });

  test('a JSON file works the same way', () => {
    const file = writeTemp('c.json', JSON.stringify({ preset: 'single-node', compute: { rootVolumeGiB: 1024 } }));
    expect(loadConfig({ configPath: file }).compute.rootVolumeGiB).toBe(1024);
  });

  test('null removes a preset entry (dropping the development pool)', () => {
    const file = writeTemp('c.yaml', 'sites:\n  ohio:\n    pools:\n      dev: null\n');
    expect(Object.keys(loadConfig({ configPath: file }).sites.ohio.pools)).toEqual(['train']);
  });

  test('lists replace rather than merge', () => {
    expect(mergeOverlay({ a: [1, 2], b: { c: 1 } }, { a: [3], b: { d: 2 } })).toEqual({ a: [3], b: { c: 1, d: 2 } });
  });

  test('fails when the command line and the file name different presets', () => {
    const file = writeTemp('c.yaml', 'preset: ultraserver\n');
    const [p] = problemsOf(() => loadConfig({ preset: 'single-node', configPath: file }));
    expect(p.path).toBe('preset');
  });

  test('fails on a missing file, naming it', () => {
    const [p] = problemsOf(() => loadConfig({ configPath: '/nonexistent/cluster.yaml' }));
    expect(p).toMatchObject({ path: 'config', given: '"/nonexistent/cluster.yaml"' });
    expect(p.allowed).toContain('ENOENT');
  });

  test('fails on malformed YAML', () => {
    const file = writeTemp('c.yaml', 'sites: [unclosed\n');
    expect(problemsOf(() => loadConfig({ configPath: file }))[0].allowed).toMatch(/^valid YAML/);
  });

  test('fails when the file is not a mapping', () => {
    const file = writeTemp('c.yaml', '- 1\n- 2\n');
    expect(problemsOf(() => loadConfig({ configPath: file }))[0].allowed).toContain('mapping');
  });
});

describe('schema errors name the field, the value and what is allowed', () => {
  test.each([
    [
      'a misspelt field, with a suggestion',
      { sites: { ohio: { pools: { train: { ultraServer: 3 } } } } },
      'sites.ohio.pools.train.ultraServer',
      'an unknown field "ultraServer"',
      'did you mean "ultraServers"?',
    ],
    ['an unknown top-level field', { nodes: 4 }, 'nodes', 'an unknown field "nodes"', 'known fields here: name, sites'],
    [
      'an unknown instance type',
      { sites: { ohio: { pools: { train: { instanceType: 'p5.48xlarge' } } } } },
      'sites.ohio.pools.train.instanceType',
      '"p5.48xlarge"',
      'trn2.48xlarge, trn2u.48xlarge',
    ],
    [
      'an unknown capacity kind',
      { sites: { ohio: { pools: { train: { kind: 'spot' } } } } },
      'sites.ohio.pools.train.kind',
      '"spot"',
      'ultraserver-capacity-block, capacity-block, on-demand-capacity-reservation',
    ],
    [
      'a malformed reservation ID',
      { sites: { ohio: { pools: { train: { reservationIds: ['cr-123'] } } } } },
      'sites.ohio.pools.train.reservationIds.0',
      '"cr-123"',
      '"cr-" and 17 hexadecimal digits',
    ],
    [
      'a pool larger than any site can address',
      { sites: { ohio: { pools: { train: { ultraServers: 9000 } } } } },
      'sites.ohio.pools.train.ultraServers',
      '9000',
      'at most 8188',
    ],
    ['a zero count', { sites: { ohio: { pools: { dev: { nodes: 0 } } } } }, 'sites.ohio.pools.dev.nodes', '0', 'at least 1'],
    ['a fractional count', { sites: { ohio: { pools: { dev: { nodes: 1.5 } } } } }, 'sites.ohio.pools.dev.nodes', '1.5', 'whole number'],
    ['a bad AZ name', { sites: { ohio: { availabilityZone: 'ohio-1' } } }, 'sites.ohio.availabilityZone', '"ohio-1"', 'such as "us-east-2a"'],
    ['a bad CIDR', { sites: { ohio: { cidr: '10.0.0.0/8' } } }, 'sites.ohio.cidr', '"10.0.0.0/8"', '/16 to /24'],
    ['a bad end date', { sites: { ohio: { pools: { dev: { endDate: 'next week' } } } } }, 'sites.ohio.pools.dev.endDate', '"next week"', 'ISO 8601'],
    ['a bad site name', { sites: { Ohio_2: { region: 'us-east-2' } } }, 'sites.Ohio_2', '', 'lower-case'],
    ['a bad log retention', { monitoring: { logRetentionDays: 42 } }, 'monitoring.logRetentionDays', '42', '365'],
    [
      'an acknowledgement without a real reason',
      { acknowledgements: [{ rule: 'RAIN-W202', path: 'sites', reason: 'ok' }] },
      'acknowledgements.0.reason',
      '"ok"',
      'at least 20 characters',
    ],
    [
      'an acknowledgement of an error',
      { acknowledgements: [{ rule: 'RAIN-E101', path: 'sites', reason: 'this is a long enough reason' }] },
      'acknowledgements.0.rule',
      '"RAIN-E101"',
      'warning or info rule code',
    ],
  ])('fails on %s', (_what, overlay, field, given, allowed) => {
    const problems = problemsOf(() => resolveConfig('rainier-mini', overlay as Record<string, unknown>));
    const p = problems.find((q) => q.path === field);
    expect(p).toBeDefined();
    expect(p!.given).toContain(given);
    expect(p!.allowed).toContain(allowed);
  });

  test('reports every problem at once', () => {
    const problems = problemsOf(() => resolveConfig('rainier-mini', { name: 'X', compute: { rootVolumeGiB: -1 } }));
    expect(problems.map((p) => p.path).sort()).toEqual(['compute.rootVolumeGiB', 'name']);
  });

  test('the message is short and has no stack trace', () => {
    try {
      resolveConfig('rainier-mini', { sites: { ohio: { pools: { train: { instanceType: 'p5.48xlarge' } } } } });
    } catch (e) {
      const message = (e as Error).message;
      expect(message.split('\n')).toHaveLength(2);
      expect(message).not.toMatch(/at .*\.(ts|js):\d+/);
      return;
    }
    throw new Error('expected a ConfigError');
  });
});
