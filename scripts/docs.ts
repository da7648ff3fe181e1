/**
 * Regenerates the documentation that is derived from code: `npm run docs`.
 * - schema/cluster-config.schema.json, from the zod schema;
 * - the generated blocks, between their markers, of the README (presets) and of the reference in
 *   docs/ (configuration reference and common mistakes, rules, report and diff samples);
 * - docs/architecture.md and docs/architecture.svg (scripts/diagram.ts).
 * Tests fail when any of them is out of date.
 */
import * as fs from 'fs';
import * as path from 'path';
import { renderPresetTable, renderRuleTable } from '../lib/config/docs-tables';
import { renderMistakeTable } from '../lib/config/mistakes';
import { renderConfigReference } from '../lib/config/reference';
import { loadConfig } from '../lib/config/load';
import { planCluster } from '../lib/plan/build';
import { buildReport, describeSource, renderReportMarkdown } from '../lib/review/report';
import { diffTopology, renderTopologyDiff } from '../lib/review/topology-diff';
import { ARCHITECTURE_FILE, ARCHITECTURE_SVG, renderArchitecture, renderArchitectureSvg } from './diagram';
import { SCHEMA_FILE, renderSchema } from './schema';
import { renderAlarmTable, renderBootBudgetTable } from '../lib/review/alarm-table';
import { DEFAULT_PRESET } from '../lib/config/presets';

const fence = (text: string) => `\`\`\`text\n${text.trimEnd()}\n\`\`\``;

/** `npm run report -- -c preset=ultraserver --plan-only`, as docs/review.md shows it. */
function reportSample(): string {
  const plan = planCluster(loadConfig({ preset: 'ultraserver' }));
  return fence(renderReportMarkdown(buildReport(plan, { source: describeSource({ preset: 'ultraserver' }) })));
}

/** The first part of `npm run diff -- ultraserver test/fixtures/review/ultraserver-x2.yaml`. */
function diffSample(): string {
  const fixture = 'test/fixtures/review/ultraserver-x2.yaml';
  const before = planCluster(loadConfig({ preset: 'ultraserver' }));
  const after = planCluster(loadConfig({ configPath: path.join(__dirname, '..', fixture) }));
  return fence(renderTopologyDiff(diffTopology(before, after, 'preset ultraserver', `config ${fixture}`)));
}

const ROOT = path.join(__dirname, '..');
export const README = path.join(ROOT, 'README.md');

/**
 * Every file with generated blocks, and its blocks: each between `<!-- NAME:start ... -->` and
 * `<!-- NAME:end -->`, rendered by the function named.
 */
export const GENERATED: Readonly<Record<string, Readonly<Record<string, () => string>>>> = {
  [README]: { presets: renderPresetTable },
  [path.join(ROOT, 'docs', 'configuration.md')]: { mistakes: renderMistakeTable, 'config-reference': renderConfigReference },
  [path.join(ROOT, 'docs', 'rules.md')]: { rules: renderRuleTable },
  [path.join(ROOT, 'docs', 'review.md')]: { 'report-sample': reportSample, 'diff-sample': diffSample },
  // Node health and alarms of the default preset.
  [path.join(ROOT, 'docs', 'operations.md')]: {
    'boot-budget': () => renderBootBudgetTable(planCluster(loadConfig({ preset: DEFAULT_PRESET }))).trimEnd(),
    alarms: () => renderAlarmTable(planCluster(loadConfig({ preset: DEFAULT_PRESET }))).trimEnd(),
  },
};

/** `text` (the content of `file`) with every generated block replaced by its current rendering. */
export function regenerate(file: string, text: string): string {
  let out = text;
  for (const [name, render] of Object.entries(GENERATED[file] ?? {})) {
    const start = new RegExp(`<!-- ${name}:start[^>]*-->`).exec(out);
    const endMarker = `<!-- ${name}:end -->`;
    const end = out.indexOf(endMarker);
    if (start === null || end < start.index) {
      throw new Error(`${path.relative(ROOT, file)} lacks the markers <!-- ${name}:start --> ... ${endMarker}`);
    }
    out = `${out.slice(0, start.index + start[0].length)}\n${render()}\n${out.slice(end)}`;
  }
  return out;
}

async function main(): Promise<void> {
  fs.mkdirSync(path.dirname(SCHEMA_FILE), { recursive: true });
  fs.writeFileSync(SCHEMA_FILE, renderSchema());
  for (const file of Object.keys(GENERATED)) {
    fs.writeFileSync(file, regenerate(file, fs.readFileSync(file, 'utf8')));
  }
  fs.writeFileSync(ARCHITECTURE_FILE, renderArchitecture());
  fs.writeFileSync(ARCHITECTURE_SVG, await renderArchitectureSvg());
  const written = [SCHEMA_FILE, ...Object.keys(GENERATED), ARCHITECTURE_FILE, ARCHITECTURE_SVG].map((f) => path.relative(ROOT, f));
  process.stdout.write(`wrote ${written.join(', ')}\n`);
}

if (require.main === module) {
  main().catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  });
}
