import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as fc from 'fast-check';
import { ConfigError, MAX_PROBLEMS_SHOWN } from '../lib/config/errors';
import { MAX_CONFIG_FILE_BYTES, MAX_POOLS_PER_SITE, MAX_SITES, loadConfig } from '../lib/config/load';
import { PRESETS } from '../lib/config/presets';
import { planCluster } from '../lib/plan/build';

/**
 * The families of bad input found by a held-out corpus: each gives a ConfigError naming the field,
 * the value and what is allowed, before any plan exists; none gives another exception or a hang.
 */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rainier-bad-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
let n = 0;
function file(content: string | Buffer, ext = 'yaml'): string {
  const f = path.join(dir, `c${n++}.${ext}`);
  fs.writeFileSync(f, content);
  return f;
}
/** Plans a file (end dates checked against a fixed moment); returns the error message, or undefined. */
function errorOf(content: string | Buffer, ext = 'yaml', now = '2026-11-30T00:00:00Z'): string | undefined {
  try {
    planCluster(loadConfig({ configPath: file(content, ext), now }));
    return undefined;
  } catch (e) {
    if (e instanceof ConfigError) {
      return e.message;
    }
    throw e;
  }
}

const POOL = 'kind: on-demand-capacity-reservation, instanceType: trn2.48xlarge, nodes: 1';

describe('each family gives one named error', () => {
  test.each([
    // names colliding once joined into stack names or construct IDs
    ['a pool named like a site stack', `preset: single-node\nsites: {ohio: {pools: {storage: {${POOL}}}}}`, /sites\.ohio\.pools\.storage: got the pool name "storage"; a name other than network, storage, monitoring/],
    ['a pool named like another pool\'s shard stack', `preset: single-node\nsites: {ohio: {pools: {dev-01: {${POOL}}}}}`, /sites\.ohio\.pools\.dev-01: got the pool name "dev-01"; a name that does not end in "-NN" after another pool's name \("dev"/],
    ['names that differ only by a hyphen', `preset: single-node\nsites: {ohio: {pools: {dev-1x: {${POOL}}, dev1x: {${POOL}}}}}`, /sites\.ohio\.pools\.dev1x: got the name "dev1x"; a name that differs from "dev-1x" by more than hyphens \(both become construct ID "Dev1x"\)/],
    ['site and pool names joining into the same stack name', `preset: single-node\nsites: {ohio: {pools: {x-dev: {${POOL}}}}, ohio-x: {region: us-east-2, availabilityZone: us-east-2b, cidr: 10.1.0.0/16, pools: {dev: {${POOL}}}}}`, /makes the stack "rainier-ohio-x-dev"/],
    // CIDRs
    ['a CIDR octet above 255 (aws-cdk-lib throws on it)', 'preset: single-node\nsites: {ohio: {cidr: 10.0.0.300/16}}', /sites\.ohio\.cidr: got "10\.0\.0\.300\/16"; expected an IPv4 CIDR block from \/16 to \/24, four numbers from 0 to 255/],
    ['a CIDR octet with a leading zero', 'preset: single-node\nsites: {ohio: {cidr: 10.01.0.0/16}}', /sites\.ohio\.cidr: got "10\.01\.0\.0\/16"; expected an IPv4 CIDR block from \/16 to \/24, four numbers from 0 to 255 without leading zeros/],
    ['a CIDR with host bits set', 'preset: single-node\nsites: {ohio: {cidr: 10.0.1.0/16}}', /sites\.ohio\.cidr: got "10\.0\.1\.0\/16"; a network address with no host bits set: did you mean "10\.0\.0\.0\/16"\?/],
    // Regions
    ['an unknown Region', 'preset: single-node\nsites: {ohio: {region: us-east-9, availabilityZone: us-east-9a}}', /sites\.ohio\.region: got "us-east-9"; an AWS Region aws-cdk-lib knows/],
    ['a Region without the instance type', 'preset: single-node\nsites: {ohio: {region: eu-west-1, availabilityZone: eu-west-1a}}', /sites\.ohio\.region: got "eu-west-1" for trn2\.48xlarge \(pool dev\); a Region known to offer trn2\.48xlarge: us-east-2/],
    // reservations
    ['a reservation ID used twice in one pool', 'preset: ultraserver\nsites: {ohio: {pools: {train: {ultraServers: 2, reservationIds: [cr-0123456789abcdef0, cr-0123456789abcdef0]}}}}', /sites\.ohio\.pools\.train\.reservationIds\.1: got "cr-0123456789abcdef0"; a reservation not used elsewhere: sites\.ohio\.pools\.train\.reservationIds\.0 already targets it/],
    ['a reservation ID used by two pools', 'preset: rainier-mini\nsites: {ohio: {pools: {train: {reservationIds: [cr-0123456789abcdef0]}, dev: {kind: capacity-block, nodes: 2, reservationId: cr-0123456789abcdef0}}}}', /already targets it/],
    ['an end date in the past', 'preset: single-node\nsites: {ohio: {pools: {dev: {endDate: "2020-01-01T00:00:00Z"}}}}', /sites\.ohio\.pools\.dev\.endDate: got "2020-01-01T00:00:00Z"; a date after 2026-11-30T00:00:00\.000Z/],
    // capacities beyond the service
    ['a file system larger than the FSx API can express', 'preset: single-node\nstorage: {storageCapacityGiB: 2400000000000}', /storage\.storageCapacityGiB: got 2400000000000; expected at most 2147481600/],
    ['sizing targets no file system can meet', 'preset: single-node\nstorage: {sizing: {checkpoint: {modelParametersBillions: 1e300}}}', /storage\.sizing: got targets that need an unbounded file system/],
    // prototype pollution
    ['__proto__ in JSON', ['{"__proto__": {"polluted": true}}', 'json'], /__proto__: got the key "__proto__"; any key but __proto__, constructor, prototype/],
    ['constructor deep in YAML', 'sites: {ohio: {pools: {dev: {constructor: {nodes: 9}}}}}', /sites\.ohio\.pools\.dev\.constructor: got the key "constructor"/],
    ['prototype as a site name', 'sites: {prototype: {region: us-east-2}}', /sites\.prototype: got the key "prototype"/],
    // resource exhaustion
    ['JSON nested 100,000 deep', ['{"sites":' + '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000) + '}', 'json'], /sites(\.a){31}: got values nested more than 32 levels deep; at most 32 levels/],
    ['YAML flow collections nested 100,000 deep', 'sites: ' + '['.repeat(100_000) + ']'.repeat(100_000), /with values nested more than 32 levels deep; at most 32 levels/],
    ['a YAML alias bomb', 'a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n', /valid YAML: Excessive alias count indicates a resource exhaustion attack/],
    // files and messages
    ['an empty file', '', /config: got ".*", an empty file; a YAML or JSON mapping/],
    ['a file of comments only', '# just a comment\n', /which holds no configuration \(empty, or only comments\)/],
    ['a binary file', [Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00]), 'yaml'], /a binary file \(a zero byte at offset 8\); a UTF-8 YAML or JSON text file/],
    ['a Latin-1 file', [Buffer.from('name: caf\xe9\n', 'latin1'), 'yaml'], /which is not valid UTF-8; a UTF-8 text file/],
    ['a UTF-16 file', [Buffer.from('\ufeffname: x\n', 'utf16le'), 'yaml'], /encoded as UTF-16; a UTF-8 text file/],
    ['a duplicate key in JSON', ['{"preset": "single-node", "sites": {"ohio": {"cidr": "10.0.0.0/16", "cidr": "10.1.0.0/16"}}}', 'json'], /sites\.ohio\.cidr: got the key "cidr" twice/],
    ['a duplicate key in YAML', 'preset: single-node\npreset: ultraserver\n', /preset: got the key "preset" twice in .*\.yaml; each key once per mapping/],
    ['a duplicate key deep in YAML', 'preset: single-node\nsites:\n  ohio:\n    pools:\n      dev: {nodes: 1, nodes: 2}\n', /sites\.ohio\.pools\.dev\.nodes: got the key "nodes" twice in .*\.yaml/],
    ['an enum value outside the enum', 'preset: single-node\nsites: {ohio: {egress: maybe}}', /sites\.ohio\.egress: got "maybe"; expected one of none, nat/],
    ['an enum given a number', 'preset: single-node\nsites: {ohio: {egress: 5}}', /sites\.ohio\.egress: got 5; expected one of none, nat/],
    ['an unknown pool kind', 'preset: single-node\nsites: {ohio: {pools: {dev: {kind: spot}}}}', /got "spot"; expected one of ultraserver-capacity-block, capacity-block, on-demand-capacity-reservation/],
    ['null for a required field', 'preset: single-node\nsites: {ohio: {region: null}}', /sites\.ohio\.region: got null \(which removes the preset's value\); this field is required/],
    ['an acknowledgement of a rule that never existed', 'preset: single-node\nacknowledgements: [{rule: RAIN-W999, path: sites, reason: "a reason long enough to pass the schema"}]', /acknowledgements\.0\.rule: got "RAIN-W999", a rule that does not exist; a warning or info rule of this app: RAIN-/],
  ] as [string, string | [string | Buffer, string], RegExp][])('%s', (_name, input, message) => {
    const [content, ext] = Array.isArray(input) ? input : [input, 'yaml'];
    const error = errorOf(content, ext);
    expect(error).toMatch(message);
    expect(error).not.toMatch(/^\s+at /m);
    // One problem, on one line under the heading.
    expect(error!.split('\n')).toHaveLength(2);
  });

  test('an end date is checked only against the moment given: no clock below the command line', () => {
    const past = 'preset: single-node\nsites: {ohio: {pools: {dev: {endDate: "2027-01-01T00:00:00Z"}}}}';
    expect(errorOf(past, 'yaml', '2026-06-01T00:00:00Z')).toBeUndefined();
    expect(errorOf(past, 'yaml', '2027-06-01T00:00:00Z')).toMatch(/endDate/);
  });

  test.each([
    ['a directory', () => dir, /config: got ".*"; a regular YAML or JSON file \(not a directory, device or pipe\)/],
    ['a device that never ends', () => '/dev/zero', /config: got "\/dev\/zero"; a regular YAML or JSON file/],
    ['a file that does not exist', () => path.join(dir, 'missing.yaml'), /config: got ".*missing\.yaml"; a readable YAML or JSON file \(ENOENT\)/],
  ])('%s as the config file: an error, not a hang', (_name, where, message) => {
    expect(() => loadConfig({ configPath: where() })).toThrow(message);
  });

  test('a pollution attempt changes no object of the program', () => {
    errorOf('{"__proto__": {"polluted": true}, "sites": {"constructor": {"prototype": {"polluted": true}}}}', 'json');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('scale', () => {
  test(`thousands of problems come out one per line, capped at ${MAX_PROBLEMS_SHOWN} with a count`, () => {
    const keys = Array.from({ length: 2000 }, (_, i) => `k${i}: 1`).join(', ');
    const lines = errorOf(`preset: single-node\nsites: {ohio: {pools: {dev: {${keys}}}}}`)!.split('\n');
    expect(lines[0]).toBe('Invalid cluster configuration (2000 problems):');
    expect(lines).toHaveLength(MAX_PROBLEMS_SHOWN + 2);
    expect(lines[1]).toMatch(/^ {2}- sites\.ohio\.pools\.dev\.k0: got an unknown field "k0"/);
    expect(lines[lines.length - 1]).toBe(`  ... and ${2000 - MAX_PROBLEMS_SHOWN} more problems (fix these first)`);
  });

  test('a file near the size limit gives a bounded message: every shown problem renders its value in bounded length', () => {
    // One pool with thousands of unknown fields, each with a long value. Speed is measured by the
    // benchmark, not here (timed tests are flaky on a shared machine); what is tested is the bound
    // that keeps the work per problem constant: the value rendered into each line is capped.
    const fields = 10_000;
    const text = JSON.stringify({ preset: 'single-node', sites: { ohio: { pools: { dev: Object.fromEntries(Array.from({ length: fields }, (_, i) => [`note${i}`, 'x'.repeat(60)])) } } } });
    expect(text.length).toBeGreaterThan(600_000);
    expect(text.length).toBeLessThan(MAX_CONFIG_FILE_BYTES);
    const f = file(text, 'json');
    let message = '';
    try {
      planCluster(loadConfig({ configPath: f }));
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      message = (e as Error).message;
    }
    const lines = message.split('\n');
    expect(lines[0]).toBe(`Invalid cluster configuration (${fields} problems):`);
    expect(lines).toHaveLength(MAX_PROBLEMS_SHOWN + 2);
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThan(1_000);
  });
});

describe('YAML as people write it', () => {
  test('a merge key (<<: *anchor) merges the anchored pool, and its own fields win', () => {
    const text = `preset: single-node\nsites:\n  ohio:\n    pools:\n      dev: &pool\n        kind: on-demand-capacity-reservation\n        instanceType: trn2.48xlarge\n        nodes: 1\n      dev2:\n        <<: *pool\n        nodes: 2\n`;
    const config = loadConfig({ configPath: file(text), now: '2026-11-30T00:00:00Z' });
    expect(config.sites.ohio.pools.dev2).toMatchObject({ kind: 'on-demand-capacity-reservation', instanceType: 'trn2.48xlarge', nodes: 2 });
  });
  test('a merge key that brings __proto__ is refused like any other', () => {
    expect(errorOf('preset: single-node\nx: &p {__proto__: {cidr: 0.0.0.0/0}}\nsites:\n  ohio:\n    <<: *p\n')).toMatch(/__proto__: got the key "__proto__"/);
  });
  test.each([
    ['a byte-order mark', '\ufeffpreset: single-node\n'],
    ['CRLF line endings', 'preset: single-node\r\nsites:\r\n  ohio:\r\n    cidr: 10.1.0.0/16\r\n'],
  ])('%s: read as the same configuration', (_name, text) => {
    expect(errorOf(text)).toBeUndefined();
  });
  test('tabs as indentation: a YAML error naming the line', () => {
    expect(errorOf('preset: single-node\nsites:\n\tohio:\n\t\tcidr: 10.1.0.0/16\n')).toMatch(/config: got ".*"; valid YAML: Tabs are not allowed as indentation at line 3/);
  });
  test('comments in a JSON file: a JSON error (JSON has no comments; use YAML)', () => {
    expect(errorOf('{\n // note\n "preset": "single-node"\n}\n', 'json')).toMatch(/config: got ".*\.json"; valid JSON: /);
  });
});

describe('numbers as written', () => {
  test.each([
    ['1e3 for a count is the number 1000', 'nodes: 1e3', undefined],
    ['2.0 for a count is the whole number 2', 'nodes: 2.0', undefined],
    ['"2" for a count is a string, named as one', 'nodes: "2"', /sites\.ohio\.pools\.dev\.nodes: got "2"; expected a number/],
    ['-0 for a count is zero, below the minimum', 'nodes: -0', /sites\.ohio\.pools\.dev\.nodes: got 0; expected at least 1/],
    ['2.5 for a count is not whole', 'nodes: 2.5', /sites\.ohio\.pools\.dev\.nodes: got 2\.5; expected a whole number|sites\.ohio\.pools\.dev\.nodes: got 2\.5; expected an? int/],
  ])('%s', (_name, field, expected) => {
    const error = errorOf(`preset: single-node\nsites: {ohio: {pools: {dev: {${field}}}}}`);
    if (expected === undefined) {
      expect(error).toBeUndefined();
    } else {
      expect(error!.split('\n')).toHaveLength(2);
      expect(error).toMatch(expected);
    }
  });

  test('2^53 + 1 for a count: one problem with the field\'s own bound, saying the number was rounded', () => {
    const error = errorOf('preset: single-node\nsites: {ohio: {pools: {dev: {nodes: 9007199254740993}}}}')!;
    expect(error.split('\n')).toHaveLength(2);
    expect(error).toMatch(/sites\.ohio\.pools\.dev\.nodes: got 9007199254740992 \(a whole number beyond 2\^53 - 1, rounded when the file was read\); expected at most 32752/);
  });
});

describe('limits, enforced before the schema, the plan or synthesis', () => {
  const site = (i: number) => `  s${i}: {region: us-east-2, availabilityZone: us-east-2b, cidr: 10.${Math.floor((2 * i) / 256)}.${(2 * i) % 256}.0/23, pools: {dev: {${POOL}}}}`;
  test('a duplicate key at the end of a 40,000-key YAML mapping is found (in one pass: lib/config/load.ts)', () => {
    // The yaml library's own check (uniqueKeys) compared every key with every other: this took half a minute.
    const keys = Array.from({ length: 40_000 }, (_, i) => `        k${i}: 1`).join('\n');
    const f = file(`preset: single-node\nsites:\n  ohio:\n    pools:\n      dev:\n${keys}\n        k0: 2\n`);
    expect(() => loadConfig({ configPath: f })).toThrow(/sites\.ohio\.pools\.dev\.k0: got the key "k0" twice in /);
  });
  test(`more than ${MAX_SITES} sites: a named limit error, before the schema runs`, () => {
    const text = `preset: single-node\nsites:\n${Array.from({ length: 5_000 }, (_, i) => site(i)).join('\n')}\n`;
    expect(errorOf(text)).toMatch(new RegExp(`^  - sites: got 5001 sites; at most ${MAX_SITES} sites \\(a policy limit`, 'm'));
  });
  test(`more than ${MAX_POOLS_PER_SITE} pools in a site: a named limit error`, () => {
    const pools = Array.from({ length: MAX_POOLS_PER_SITE + 1 }, (_, i) => `p${i}: {${POOL}}`).join(', ');
    expect(errorOf(`preset: single-node\nsites: {ohio: {pools: {${pools}}}}`)).toMatch(
      new RegExp(`sites\\.ohio\\.pools: got ${MAX_POOLS_PER_SITE + 2} pools; at most ${MAX_POOLS_PER_SITE} pools in a site \\(a policy limit`),
    );
  });
  test('a file over the size limit is refused before it is read', () => {
    const text = `preset: single-node\n# ${'x'.repeat(MAX_CONFIG_FILE_BYTES)}\n`;
    expect(errorOf(text)).toMatch(new RegExp(`config: got ".*" of ${text.length} bytes; a file of at most ${MAX_CONFIG_FILE_BYTES} bytes`));
  });
  test('the limits are the documented ones', () => {
    const doc = fs.readFileSync(path.join(__dirname, '..', 'docs', 'configuration.md'), 'utf8');
    expect(doc).toContain(`at most ${MAX_SITES} sites`);
    expect(doc).toContain(`${MAX_POOLS_PER_SITE} pools a site`);
    expect(doc).toContain(`over ${MAX_CONFIG_FILE_BYTES / 1024 / 1024} MiB`);
  });
});

describe('fuzz: hostile edits of presets never crash', () => {
  const HOSTILE_KEYS = ['__proto__', 'constructor', 'prototype', 'storage', 'network', 'monitoring', 'dev-01', 'a'.repeat(200), ''];
  const hostileValue = fc.oneof(
    fc.constantFrom<unknown>(null, '', '10.0.0.1/16', '300.0.0.0/16', 'us-east-9', 'cr-0123456789abcdef0', '2000-01-01T00:00:00Z', -1, 1e308, Number.MAX_SAFE_INTEGER + 2, [], {}, [[[]]], 'RAIN-W999'),
    fc.jsonValue({ maxDepth: 2 }),
  );
  test('any key, anywhere, with any value: a plan or a ConfigError', () => {
    const presetNames = ['single-node', 'ultraserver', 'rainier-mini', 'trn1-small'] as const;
    fc.assert(
      fc.property(
        fc.constantFrom(...presetNames),
        fc.array(fc.tuple(fc.array(fc.constantFrom('sites', 'ohio', 'virginia', 'pools', 'dev', 'train', 'storage', 'monitoring', 'compute', 'cidr', 'region', 'acknowledgements', 'reservationIds', '0'), { maxLength: 5 }), fc.constantFrom(...HOSTILE_KEYS), hostileValue), { minLength: 1, maxLength: 4 }),
        (preset, edits) => {
          // Built as JSON text so __proto__ stays an own key, as a parsed file has it.
          let doc: Record<string, unknown> = { preset, ...JSON.parse(JSON.stringify(PRESETS[preset]())) };
          for (const [at, key, value] of edits) {
            let cur: Record<string, unknown> = doc;
            for (const k of at) {
              const next = cur[k];
              cur = next !== null && typeof next === 'object' && !Array.isArray(next) ? (next as Record<string, unknown>) : (cur[k] = {} as Record<string, unknown>) as Record<string, unknown>;
            }
            Object.defineProperty(cur, key, { value, enumerable: true, writable: true, configurable: true });
          }
          doc = JSON.parse(JSON.stringify(doc));
          const f = file(JSON.stringify(doc), 'json');
          try {
            planCluster(loadConfig({ configPath: f, now: '2026-11-30T00:00:00Z' }));
          } catch (e) {
            if (!(e instanceof ConfigError)) {
              throw new Error(`${JSON.stringify(edits).slice(0, 300)} threw ${(e as Error).name}: ${(e as Error).message}`);
            }
          }
          expect(({} as Record<string, unknown>).polluted).toBeUndefined();
        },
      ),
      { seed: 20_261_130, numRuns: 300 },
    );
  });

  test('arbitrary bytes as a file: a ConfigError, never another exception', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.constantFrom('yaml', 'json'), (bytes, ext) => {
        try {
          planCluster(loadConfig({ configPath: file(Buffer.from(bytes), ext) }));
        } catch (e) {
          if (!(e instanceof ConfigError)) {
            throw e;
          }
        }
      }),
      { seed: 20_261_130, numRuns: 200 },
    );
  });
});
