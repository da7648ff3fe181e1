import { spawnSync } from 'child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { IResolvable, Stack, Token, Tokenization } from 'aws-cdk-lib';
import { buildClusterApp } from '../lib/app';
import { ConfigError } from '../lib/config/errors';
import { renderBootstrap } from '../lib/constructs/node-bootstrap';
import {
  BOOT_SCRIPT_FILE,
  LARGE_TOKEN_VALUE_BUDGET_BYTES,
  TOKEN_VALUE_BUDGET_BYTES,
  USER_DATA_LIMIT_BYTES,
  gzipDeterministic,
  packBootScript,
} from '../lib/constructs/node-user-data';
import { ComputeStack } from '../lib/stacks/compute-stack';
import { lintTest, shellcheckIssues } from './support/shellcheck';
import { testApp } from './support/synth';

/**
 * The launch template's user data (lib/constructs/node-user-data.ts): a prelude carrying the boot
 * script gzip+base64, because EC2 takes at most 16 KB of raw user data. For every preset and the
 * all-options fixtures (construct trees only, no template synthesis: cheap), the raw size stays under
 * the limit with a margin, and the prelude, run under bash with stub token values and a stub `bash`
 * that prints the script it is handed, reproduces the boot script byte for byte.
 */

/** Head room kept under EC2's limit for the boot script to grow, at the tokens' budgets. */
const MARGIN_BYTES = 512;

const CASES: [string, { preset?: string; configPath?: string }][] = [
  ['rainier-mini', { preset: 'rainier-mini' }],
  ['rainier-mini-eks', { preset: 'rainier-mini-eks' }],
  ['ultraserver', { preset: 'ultraserver' }],
  ['single-node', { preset: 'single-node' }],
  ['trn1-small', { preset: 'trn1-small' }],
  ['perimeter/every-option.yaml', { configPath: 'test/fixtures/perimeter/every-option.yaml' }],
  ['orchestrator/eks-access.yaml', { configPath: 'test/fixtures/orchestrator/eks-access.yaml' }],
  ['fabrics/shared-fabric.yaml', { configPath: 'test/fixtures/fabrics/shared-fabric.yaml' }],
  ['user-data/longest-names.yaml (the largest)', { configPath: 'test/fixtures/user-data/longest-names.yaml' }],
];

interface Pool {
  name: string;
  stack: ComputeStack;
}

/** The shard-0 compute stacks (each renders its pool's boot script) of a configuration. */
function poolsOf(source: { preset?: string; configPath?: string }): Pool[] {
  const app = testApp();
  buildClusterApp(app, source);
  return app.node.children
    .filter((c): c is ComputeStack => c instanceof ComputeStack)
    .filter((s) => s.launch.launchTemplateProps !== undefined && s.capacity !== undefined)
    .map((stack) => ({ name: stack.node.id, stack }));
}

/** Deterministic stub values for a string's tokens, some with characters a naive substitution mangles. */
function stubber(): (text: string) => string {
  const values = new Map<IResolvable, string>();
  const valueOf = (t: IResolvable) => {
    if (!values.has(t)) {
      const i = values.size;
      values.set(t, i % 2 === 0 ? `stub-${i}.example` : `stub-${i}&\\1'"$HOME*`);
    }
    return values.get(t)!;
  };
  return (text) => Tokenization.reverseString(text).mapTokens({ mapToken: valueOf }).join({ join: (a: any, b: any) => `${a}${b}` }) ?? '';
}

let work: string;
let stubs: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'rainier-user-data-'));
  stubs = join(work, 'bin');
  mkdirSync(stubs);
  // The prelude ends with `exec bash "$boot"`: this `bash` prints the script instead of running it.
  writeFileSync(join(stubs, 'bash'), '#!/bin/sh\necho "stub-bash $*" >&2\ncat "$1"\n');
  chmodSync(join(stubs, 'bash'), 0o755);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

let runs = 0;
/** Runs a prelude (literal text) under the real bash with the stub `bash` first on PATH. */
function runPrelude(prelude: string) {
  const root = join(work, `root-${runs++}`);
  mkdirSync(root);
  const file = join(root, 'user-data');
  writeFileSync(file, prelude);
  const r = spawnSync('/bin/bash', [file], { env: { PATH: `${stubs}:${process.env.PATH}`, RAINIER_ROOT: root }, encoding: 'utf8' });
  const boot = join(root, BOOT_SCRIPT_FILE);
  return { ...r, root, boot, written: existsSync(boot) ? readFileSync(boot, 'utf8') : undefined };
}

describe.each(CASES)('%s', (_name, source) => {
  const pools = poolsOf(source);

  test('has pools to check', () => {
    expect(pools.length).toBeGreaterThan(0);
  });

  test.each(pools.map((p) => [p.name, p] as const))('%s: the raw user data stays under 16 KB with the margin, at the tokens\' budgets', (_id, { stack }) => {
    const packed = stack.launch.userData;
    // Measured here, not taken from packBootScript: the bytes EC2 would decode, each deploy-time value
    // as long as its budget (the EKS certificate authority's is the large one).
    const resolved = stack.resolve(packed.userData);
    const parts: unknown[] = typeof resolved === 'string' ? [resolved] : resolved['Fn::Join'][1];
    const budgetOf = (token: unknown) => (JSON.stringify(token).includes('CertificateAuthorityData') ? LARGE_TOKEN_VALUE_BUDGET_BYTES : TOKEN_VALUE_BUDGET_BYTES);
    const raw = parts.map((p) => (typeof p === 'string' ? p : 'v'.repeat(budgetOf(p)))).join('');
    expect(parts.filter((p) => typeof p !== 'string')).toHaveLength(packed.tokens);
    expect(Buffer.byteLength(raw, 'utf8')).toBe(packed.boundBytes);
    expect(packed.boundBytes).toBeLessThanOrEqual(USER_DATA_LIMIT_BYTES - MARGIN_BYTES);
    // The whole boot script is over the limit itself: the prelude is what makes it fit.
    expect(packed.scriptBytes).toBeGreaterThan(USER_DATA_LIMIT_BYTES);
  });

  test.each(pools.map((p) => [p.name, p] as const))('%s: the launch template carries the prelude, not the script', (_id, { stack }) => {
    expect(stack.launch.launchTemplateProps.userData.render()).toBe(stack.launch.userData.userData);
    // The prelude fetches nothing either (the script itself is scanned in test/node-boot.test.ts).
    expect(stubber()(stack.launch.userData.userData)).not.toMatch(/https?:\/\/|\b(curl|wget|apt-get|dnf|yum|dpkg|pip)\b/);
  });

  test.each(pools.map((p) => [p.name, p] as const))('%s: the prelude, run with stub values, hands bash exactly the boot script', (_id, { stack }) => {
    const fill = stubber();
    const expected = fill(stack.launch.bootScript);
    const r = runPrelude(fill(stack.launch.userData.userData));
    expect(r.stderr).toBe(`stub-bash ${r.boot}\n`);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(expected);
    expect(r.written).toBe(expected);
    expect(statSync(r.boot).mode & 0o777).toBe(0o700);
  });
});

describe('packBootScript', () => {
  const stack = new Stack();
  const fsId = Token.asString({ Ref: 'FileSystem' });
  const ca = Token.asString({ 'Fn::GetAtt': ['Cluster', 'CertificateAuthorityData'] });
  const script = renderBootstrap([
    { name: 'one', commands: [`mount -t lustre ${fsId}.fsx.example:/x /fsx`, `echo "${fsId}" >> /etc/fstab`] },
    { name: 'two', commands: [`ca='${ca}'`, 'printf "%s\\n" "a & b"'] },
  ]);
  const packed = packBootScript(script, { pool: 'ohio/train', largeValues: [{ value: ca, budgetBytes: LARGE_TOKEN_VALUE_BUDGET_BYTES }] });
  const literal = (fill: (s: string) => string) => fill(packed.userData);

  test('each distinct token is carried once and counted at its budget', () => {
    expect(packed.tokens).toBe(2);
    expect(packed.boundBytes).toBe(packed.literalBytes + TOKEN_VALUE_BUDGET_BYTES + LARGE_TOKEN_VALUE_BUDGET_BYTES);
    expect(stack.resolve(packed.userData)['Fn::Join'][1].filter((p: unknown) => typeof p !== 'string')).toEqual([
      { Ref: 'FileSystem' },
      { 'Fn::GetAtt': ['Cluster', 'CertificateAuthorityData'] },
    ]);
  });

  test('deterministic: the same script gives the same bytes; gzip header with mtime 0 and OS 3', () => {
    expect(packBootScript(script, { pool: 'ohio/train' }).userData).toBe(packed.userData);
    const gz = gzipDeterministic('#!/bin/bash\n');
    expect([...gz.subarray(0, 10)]).toEqual([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 3]);
  });

  test('values with &, backslashes, quotes and globs are put back literally', () => {
    const fill = stubber();
    const r = runPrelude(literal(fill));
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(fill(script));
    expect(r.stdout).toContain(`ca='stub-1&\\1'"$HOME*'`);
  });

  test('a script without tokens needs no substitution step', () => {
    const plain = packBootScript('#!/bin/bash\necho hi\n', { pool: 'p' });
    expect(plain.tokens).toBe(0);
    expect(plain.userData).not.toContain('value[');
    expect(runPrelude(plain.userData).stdout).toBe('#!/bin/bash\necho hi\n');
  });

  const corruptions: [string, (lines: string[]) => string[]][] = [
    ['a flipped character', (lines) => lines.map((l, i) => (i === 14 ? `${l[0] === 'A' ? 'B' : 'A'}${l.slice(1)}` : l))],
    ['a lost line', (lines) => lines.filter((_, i) => i !== 14)],
    ['its last line cut off', (lines) => lines.filter((_, i) => i !== lines.indexOf('RAINIER_BOOT_BLOB') - 1)],
  ];
  test.each(corruptions)('fails, writes no boot script and runs nothing, with %s in the blob', (_name, corrupt) => {
    const big = packBootScript(`#!/bin/bash\n${Array.from({ length: 400 }, (_, i) => `echo "line ${i} ${(i * 7919) % 104729}"`).join('\n')}\n`, { pool: 'p' });
    const lines = big.userData.split('\n');
    const corrupted = corrupt(lines).join('\n');
    expect(corrupted).not.toBe(big.userData);
    const r = runPrelude(corrupted);
    expect(r.status).not.toBe(0);
    expect(r.stderr).not.toContain('stub-bash');
    expect(r.written).toBeUndefined();
  });

  test('fails when a value was not filled in (the sentinel is left)', () => {
    const fill = stubber();
    const broken = literal(fill).replace(/for i in .*; done\n/, '');
    const r = runPrelude(broken);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('a deploy-time value was not filled in');
    expect(r.written).toBeUndefined();
  });

  test('fails with a ConfigError naming the pool and the size when the user data could be over 16 KB', () => {
    // Incompressible: a pseudo-random hex line per step.
    let x = 1;
    const noise = Array.from({ length: 700 }, () => `echo ${Array.from({ length: 4 }, () => ((x = (x * 48271) % 2147483647), x.toString(16))).join('')}`);
    const pack = () => packBootScript(`#!/bin/bash\n${noise.join('\n')}\n`, { pool: 'sites.ohio.pools.train' });
    expect(pack).toThrow(ConfigError);
    expect(pack).toThrow(/sites\.ohio\.pools\.train: got node user data of up to \d+ bytes .*; at most 16384 bytes of raw user data, EC2's limit/);
    // Just under the limit passes: the check is the limit, not a rounder number.
    const under = packBootScript(`#!/bin/bash\n${noise.slice(0, 100).join('\n')}\n`, { pool: 'p' });
    expect(() => packBootScript(`#!/bin/bash\n${noise.slice(0, 100).join('\n')}\n`, { pool: 'p', limitBytes: under.boundBytes })).not.toThrow();
    expect(() => packBootScript(`#!/bin/bash\n${noise.slice(0, 100).join('\n')}\n`, { pool: 'p', limitBytes: under.boundBytes - 1 })).toThrow(ConfigError);
  });

  test('refuses a script that already holds the sentinel', () => {
    expect(() => packBootScript('echo @@RAINIER_TOKEN_0@@\n', { pool: 'ohio/dev' })).toThrow(/pool ohio\/dev already contains the sentinel/);
  });

  lintTest('shellcheck finds nothing in the prelude', () => {
    expect(shellcheckIssues(literal(stubber()))).toBe('');
  });
});
