import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { GENERATED, README, regenerate } from '../scripts/docs';
import { SCHEMA_FILE, renderSchema } from '../scripts/schema';
import { renderPresetTable } from '../lib/config/docs-tables';
import { loadConfig } from '../lib/config/load';
import { planCluster } from '../lib/plan/build';
import { CATALOGUE_NOW } from '../lib/config/mistakes';
import { markdownExamples } from './support/examples';
import { deployParametersOf } from '../lib/plan/deploy-parameters';

describe('derived documentation is up to date (run `npm run docs` if not)', () => {
  test('schema/cluster-config.schema.json matches the zod schema', () => {
    expect(fs.readFileSync(SCHEMA_FILE, 'utf8')).toBe(renderSchema());
  });

  test.each(Object.keys(GENERATED).map((f) => [path.relative(path.join(__dirname, '..'), f), f]))("%s: the generated blocks are current", (_name, file) => {
    const text = fs.readFileSync(file, 'utf8');
    expect(text).toBe(regenerate(file, text));
  });

  test('every configuration field has a description', () => {
    const schema = renderSchema();
    const undocumented: string[] = [];
    const walk = (node: unknown, at: string) => {
      if (node === null || typeof node !== 'object') {
        return;
      }
      const props = (node as { properties?: Record<string, Record<string, unknown>> }).properties;
      for (const [key, child] of Object.entries(props ?? {})) {
        if (child.description === undefined && key !== 'kind') {
          undocumented.push(`${at}${key}`);
        }
      }
      for (const [key, child] of Object.entries(node)) {
        walk(child, key === 'properties' ? at : at);
      }
    };
    walk(JSON.parse(schema), '');
    expect(undocumented).toEqual([]);
  });
});

describe('configuration examples in the README and docs/ work', () => {
  // Written out as files and planned as `cdk synth -c config=` would: schema, checks and rules.
  // (The JSON Schema test checks the same blocks against the published schema.)
  test.each(markdownExamples())('%s plans without an error', (_name, doc) => {
    const dir = fs.mkdtempSync(path.join(require('os').tmpdir(), 'rainier-example-'));
    const file = path.join(dir, 'example.json');
    try {
      fs.writeFileSync(file, JSON.stringify(doc));
      expect(() => planCluster(loadConfig({ configPath: file, now: CATALOGUE_NOW }))).not.toThrow();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the README is a front door, not a reference', () => {
  const readme = fs.readFileSync(README, 'utf8');

  test('is at most about 15 KB', () => {
    expect(Buffer.byteLength(readme)).toBeLessThanOrEqual(15 * 1024);
  });

  test("keeps a newcomer's order: picture, quickstart, budget, review, deploy, operate, tear down, limitations", () => {
    const order = ['architecture.svg', '## Quickstart', '## Adapt it to your budget', '## Review a change', '## Deploy', '## Operate', '## Tear down', '## Limitations'];
    const at = order.map((heading) => readme.indexOf(heading));
    expect(at.filter((i) => i < 0)).toEqual([]);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
  });

  test('says plainly that no deployment has been tried', () => {
    expect(readme).toMatch(/No deployment has been tried/);
  });

  test('every docs/ link in the README points at a file that exists', () => {
    const links = [...readme.matchAll(/\]\((docs\/[^)#\s]+)/g)].map((m) => m[1]);
    expect(links.length).toBeGreaterThan(0);
    expect(links.filter((l) => !fs.existsSync(path.join(__dirname, '..', l)))).toEqual([]);
  });
});

describe('README.md and docs/ point only at what exists', () => {
  const root = path.join(__dirname, '..');
  const files = ['README.md', ...fs.readdirSync(path.join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
  // Outside code blocks (examples there are not links).
  const prose = (file: string) => fs.readFileSync(path.join(root, file), 'utf8').replace(/```[\s\S]*?```/g, '');
  // GitHub's heading anchors: lower case, punctuation dropped, spaces as hyphens.
  const anchors = (file: string) =>
    new Set([...fs.readFileSync(path.join(root, file), 'utf8').matchAll(/^#+\s+(.*)$/gm)].map((m) => m[1].replace(/`/g, '').trim().toLowerCase().replace(/[^\p{L}\p{N}_\- ]/gu, '').replace(/ /g, '-')));

  test.each(files.map((f) => [f]))('%s: every relative link names a file (and heading) that exists', (file) => {
    const broken: string[] = [];
    for (const [, link] of prose(file).matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(link)) {
        continue;
      }
      const [target, heading] = link.split('#');
      const resolved = target === '' ? file : path.normalize(path.join(path.dirname(file), target));
      if (!fs.existsSync(path.join(root, resolved))) {
        broken.push(link);
      } else if (heading !== undefined && resolved.endsWith('.md') && !anchors(resolved).has(heading)) {
        broken.push(link);
      }
    }
    expect(broken).toEqual([]);
  });

  test.each(files.map((f) => [f]))('%s: every `npm run` names a script of package.json', (file) => {
    const scripts = Object.keys(JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).scripts as object);
    const named = [...fs.readFileSync(path.join(root, file), 'utf8').matchAll(/npm run ([a-z][a-z0-9:-]*)/g)].map((m) => m[1]);
    expect(named.filter((n) => !scripts.includes(n))).toEqual([]);
  });
});

describe("the deploy commands of the README and docs/deploy.md fit the README's example configuration", () => {
  // The README's "Adapt it to your budget" example, saved as mine.yaml, is what the deploy command
  // names (-c config=mine.yaml): it must pass each parameter those stacks declare, and no other
  // (CloudFormation refuses a value for a parameter a template does not declare).
  const root = path.join(__dirname, '..');
  const [[, mine]] = markdownExamples([path.join(root, 'README.md')]);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rainier-mine-'));
  const file = path.join(dir, 'mine.yaml');
  fs.writeFileSync(file, JSON.stringify(mine));

  test.each([['README.md'], ['docs/deploy.md']])('%s: the same stack parameters as the templates of mine.yaml', (doc) => {
    const plan = planCluster(loadConfig({ configPath: file }));
    const declared = plan.stacks.flatMap((s) => deployParametersOf(plan, s).map((p) => `${s.id}:${p}`)).sort();
    const text = fs.readFileSync(path.join(root, doc), 'utf8');
    // Code blocks may be indented (inside a numbered list).
    const command = [...text.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]).find((b) => b.includes('cdk deploy --all -c config=mine.yaml'));
    expect(command).toBeDefined();
    const passed = [...command!.matchAll(/--parameters ([\w-]+:\w+)=/g)].map((m) => m[1]).sort();
    expect(passed).toEqual(declared);
  });
});

describe('docs/security.md names every interface endpoint', () => {
  const text = fs.readFileSync(path.join(__dirname, '..', 'docs', 'security.md'), 'utf8');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { INTERFACE_ENDPOINT_POLICIES } = require('../lib/plan/network') as typeof import('../lib/plan/network');
  const egressRow = text.split('\n').find((l) => l.startsWith("| the interface endpoints' security group"))!;

  test.each(Object.entries(INTERFACE_ENDPOINT_POLICIES))('%s: in the egress table, and in the list of its policy scope', (service, scope) => {
    expect(egressRow).toContain(`\`${service}\``);
    if (scope === 'any') {
      const line = text.split('\n').find((l) => l.includes('carry the principal condition only'))!;
      expect(line).toContain(`\`${service}\``);
    }
  });
});

describe('the README preset table never sums EFA bandwidth across fabrics', () => {
  const row = (preset: string) => renderPresetTable().split('\n').find((l) => l.startsWith(`| \`${preset}\``))!;

  test('rainier-scale: 3 fabrics of 33,280 Tbit/s each, not one network of 99,840', () => {
    expect(renderPresetTable()).toContain('| EFA per fabric (Tbit/s) |');
    expect(row('rainier-scale')).toContain('| 3 x 33,280 |');
    expect(row('rainier-scale')).not.toContain('99,840 |');
  });

  test('a one-fabric preset shows its one figure', () => {
    expect(row('rainier-mini')).toContain('| 32 |');
  });
});
