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
  });
});

describe('cdk.json', () => {
  // `npx cdk synth` must need no network beyond the npm registry: the CLI (2.1100 and later) sends
  // telemetry unless the context opts out, and fetches its notices unless told not to.
  test('opts out of the CDK CLI telemetry and notices', () => {
    expect(CDK_JSON.context['cli-telemetry']).toBe(false);
    expect(CDK_JSON.notices).toBe(false);
  });
});
