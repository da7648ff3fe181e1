import * as fs from 'fs';
import * as path from 'path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import YAML from 'yaml';
import { ConfigError } from '../lib/config/errors';
import { loadConfig, mergeOverlay } from '../lib/config/load';
import { clusterConfigSchema } from '../lib/config/schema';
import { CATALOGUE_NOW, MISTAKES } from '../lib/config/mistakes';
import { PRESETS, PRESET_NAMES } from '../lib/config/presets';
import { planCluster } from '../lib/plan/build';
import { SCHEMA_FILE } from '../scripts/schema';
import { markdownExamples } from './support/examples';

/**
 * The published JSON Schema agrees with the app, checked by a real validator (ajv, draft 2020-12,
 * with formats) over every fixture, every README/docs example, every preset and the bad-input catalogue.
 */
const ROOT = path.join(__dirname, '..');
const schema = JSON.parse(fs.readFileSync(SCHEMA_FILE, 'utf8'));
const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats(ajv);
const validate = ajv.compile(schema);
const schemaAccepts = (doc: unknown) => validate(doc) === true;

/**
 * Whether the app accepts a file's content, and whether its own schema (zod) already rejects it. JSON
 * Schema must agree with the zod level; the checks after it (rules, name collisions, host bits,
 * Regions per instance type) relate fields or need arithmetic that JSON Schema cannot express.
 */
function appResult(doc: unknown): { ok: boolean; schemaLevel: boolean } {
  const dir = fs.mkdtempSync(path.join(require('os').tmpdir(), 'rainier-schema-'));
  const file = path.join(dir, 'c.json');
  fs.writeFileSync(file, JSON.stringify(doc));
  try {
    planCluster(loadConfig({ configPath: file, now: CATALOGUE_NOW }));
    return { ok: true, schemaLevel: false };
  } catch (e) {
    if (!(e instanceof ConfigError)) {
      throw e;
    }
    return { ok: false, schemaLevel: zodRejects(doc) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Whether the app's zod schema rejects the document merged onto its preset (before any later check). */
function zodRejects(doc: unknown): boolean {
  const { preset, ...overlay } = doc as { preset?: string } & Record<string, unknown>;
  const name = preset ?? 'rainier-mini';
  if (!(PRESET_NAMES as readonly string[]).includes(name)) {
    return true;
  }
  return !clusterConfigSchema.safeParse(mergeOverlay(PRESETS[name as keyof typeof PRESETS](), overlay)).success;
}

function files(dir: string, exts: RegExp): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(path.join(dir, e.name), exts) : exts.test(e.name) ? [path.join(dir, e.name)] : [],
  );
}

const fixtures = files(path.join(__dirname, 'fixtures'), /\.(ya?ml|json)$/).map((f): [string, unknown] => [path.relative(ROOT, f), YAML.parse(fs.readFileSync(f, 'utf8'))]);

describe('the JSON Schema agrees with the app (ajv, draft 2020-12)', () => {
  test('there is something to check', () => {
    expect(fixtures.length).toBeGreaterThan(5);
  });

  test.each(fixtures)('fixture %s: the schema and the app agree', (_name, doc) => {
    const app = appResult(doc);
    const accepted = schemaAccepts(doc);
    if (app.ok) {
      expect(validate.errors ?? []).toEqual([]);
    } else if (app.schemaLevel) {
      expect(accepted).toBe(false);
    }
  });

  test.each(PRESET_NAMES)('preset %s, written out as a file, is valid', (preset) => {
    expect(schemaAccepts({ preset, ...PRESETS[preset]() })).toBe(true);
  });

  const examples = markdownExamples();
  if (examples.length > 0) {
    test.each(examples)('%s: valid for the schema iff the app accepts it as a file', (_name, doc) => {
      const app = appResult(doc);
      if (app.ok || !app.schemaLevel) {
        expect(schemaAccepts(doc)).toBe(true);
      } else {
        expect(schemaAccepts(doc)).toBe(false);
      }
    });
  }

  // That every example also plans is checked in test/docs.test.ts.

  test.each(MISTAKES.filter((m) => m.file === undefined).map((m) => [m.mistake, m] as const))('catalogue: %s: rejected by the schema when the app\'s schema rejects it', (_name, m) => {
    const doc = { preset: m.preset, ...m.overlay };
    const app = appResult(doc);
    expect(app.ok).toBe(false);
    if (app.schemaLevel) {
      expect(schemaAccepts(doc)).toBe(false);
    }
  });

  test.each([
    ['a partial pool without kind (the preset supplies it)', { preset: 'ultraserver', sites: { ohio: { pools: { train: { ultraServers: 2 } } } } }, true],
    ['a partial pool of nodes only', { preset: 'single-node', sites: { ohio: { pools: { dev: { nodes: 2 } } } } }, true],
    ['a pool deleted with null', { preset: 'rainier-mini', sites: { ohio: { pools: { dev: null } } } }, true],
    ['a log retention of 2 days', { monitoring: { logRetentionDays: 2 } }, false],
    ['a log retention of 3 days', { monitoring: { logRetentionDays: 3 } }, true],
    ['an unknown field', { sites: { ohio: { pools: { dev: { node: 4 } } } } }, false],
    ['an unknown preset', { preset: 'rainier-max' }, false],
    ['a malformed end date', { preset: 'single-node', sites: { ohio: { pools: { dev: { endDate: 'tomorrow' } } } } }, false],
  ])('%s: schema %s', (_name, doc, valid) => {
    expect(schemaAccepts(doc)).toBe(valid);
    expect(appResult(doc).ok || appResult(doc).schemaLevel === false).toBe(valid);
  });
});
