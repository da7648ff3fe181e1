import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');

/** cdk.json, whose app command the CDK CLI runs. */
const CDK_JSON = JSON.parse(fs.readFileSync(path.join(ROOT, 'cdk.json'), 'utf8'));
const APP_COMMAND: string = CDK_JSON.app;

/** Runs cdk.json's app command the way the CDK CLI does: context in CDK_CONTEXT_JSON, output in CDK_OUTDIR. */
function runApp(context: Record<string, string>) {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'rainier-cli-'));
  const result = spawnSync(APP_COMMAND, {
    cwd: ROOT,
    shell: true,
    env: { ...process.env, CDK_CONTEXT_JSON: JSON.stringify(context), CDK_OUTDIR: outdir },
    encoding: 'utf8',
  });
  const templates = fs.readdirSync(outdir).filter((f) => f.endsWith('.template.json'));
  return { status: result.status, stderr: result.stderr, templates, outdir };
}

function configFile(yaml: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rainier-cli-'));
  const file = path.join(dir, 'cluster.yaml');
  fs.writeFileSync(file, yaml);
  return file;
}

describe('the app on bad input exits non-zero with a short error naming the field, and writes nothing', () => {
  test.each([
    ['an unknown preset', { preset: 'rainier-max' }, /preset: got "rainier-max"; expected one of rainier-mini/],
    [
      'a misspelt field',
      { config: configFile('sites:\n  ohio:\n    pools:\n      train:\n        ultraserver: 2\n') },
      /sites\.ohio\.pools\.train\.ultraserver: got an unknown field "ultraserver"; did you mean "ultraServers"\?/,
    ],
    [
      'an UltraServer pool of 3 nodes',
      { config: configFile('sites:\n  ohio:\n    pools:\n      train:\n        ultraServers: null\n        nodes: 3\n') },
      /\[RAIN-E102\] sites\.ohio\.pools\.train\.nodes: got 3 nodes/,
    ],
    [
      'an unknown instance type',
      { config: configFile('sites:\n  ohio:\n    pools:\n      dev:\n        instanceType: trn3.48xlarge\n') },
      /sites\.ohio\.pools\.dev\.instanceType: got "trn3\.48xlarge"; expected one of/,
    ],
    ['a mistyped context key (the default cluster must not be built instead)', { conifg: 'cluster.yaml' }, /context conifg: got an unknown context key "conifg"; did you mean "config"\?/],
  ])('%s', (_what, context, message) => {
    const { status, stderr, templates } = runApp(context);
    expect(status).toBe(1);
    expect(stderr).toMatch(message);
    expect(stderr).not.toMatch(/^\s+at /m);
    expect(stderr.trim().split('\n').length).toBeLessThanOrEqual(3);
    expect(templates).toEqual([]);
  });

  test("a good preset synthesises its templates, with cdk.json's context and no creation stack traces", () => {
    const { status, templates, outdir, stderr } = runApp({ ...CDK_JSON.context, preset: 'single-node' });
    expect(status).toBe(0);
    expect(stderr).toContain('rainier: building preset single-node\n');
    expect(templates).toContain('rainier-ohio-network.template.json');
    const metadata = fs.readdirSync(outdir).filter((f) => f.endsWith('.metadata.json'));
    expect(metadata.length).toBe(templates.length);
    for (const f of metadata) {
      expect(fs.readFileSync(path.join(outdir, f), 'utf8')).not.toContain('aws:cdk:creationStack');
    }
    // @aws-cdk/core:explicitStackTags: the stacks carry the cluster tag themselves (lib/stacks/cluster.ts).
    const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8'));
    const stacks = Object.values(manifest.artifacts as Record<string, { type: string; properties?: { tags?: Record<string, string> } }>).filter(
      (a) => a.type === 'aws:cloudformation:stack',
    );
    expect(stacks.length).toBe(templates.length);
    for (const stack of stacks) {
      expect(stack.properties?.tags?.['rainier:cluster']).toBe('rainier');
    }
  });
});

describe('cdk.json', () => {
  // `npx cdk synth` must need no network beyond the npm registry: the CLI (2.1100 and later) sends
  // telemetry unless the context opts out, and fetches its notices unless told not to.
  test('opts out of the CDK CLI telemetry and notices', () => {
    expect(CDK_JSON.context['cli-telemetry']).toBe(false);
    expect(CDK_JSON.notices).toBe(false);
  });

  // The CLI warns about every `aws:` key in cdk.json's context (the app sets them: lib/context.ts).
  test('holds no context key the CDK CLI reserves', () => {
    expect(Object.keys(CDK_JSON.context).filter((k) => k.startsWith('aws:'))).toEqual([]);
  });

  // `cdk init` of the pinned CLI writes these flags into a new project's cdk.json; the CLI warns
  // ("N feature flags are not configured") about any recommended flag left unset.
  test('sets every feature flag `cdk init` of the pinned CLI sets, deviating only where it says why', () => {
    const recommended: Record<string, unknown> = JSON.parse(
      fs.readFileSync(path.join(ROOT, 'node_modules', 'aws-cdk', 'lib', 'init-templates', '.recommended-feature-flags.json'), 'utf8'),
    );
    const deviations = Object.entries(recommended)
      .filter(([flag, value]) => JSON.stringify(CDK_JSON.context[flag]) !== JSON.stringify(value))
      .map(([flag]) => `${flag}=${JSON.stringify(CDK_JSON.context[flag])}`);
    // Strong references (CloudFormation exports) make CloudFormation refuse to delete or change an
    // exported value while a consumer stack uses it, which protects the storage and network stacks.
    expect(deviations).toEqual(['@aws-cdk/core:defaultCrossStackReferences="strong"']);
  });
});
