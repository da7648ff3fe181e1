/**
 * Regenerates the documentation that is derived from code: `npm run docs`.
 * - schema/cluster-config.schema.json, from the zod schema;
 * - the README's generated blocks (architecture diagram, configuration reference, presets, rules, common mistakes), between their markers.
 * Tests fail when any of them is out of date.
 */
import * as fs from 'fs';
import * as path from 'path';
import { renderPresetTable, renderRuleTable } from '../lib/config/docs-tables';
import { renderMistakeTable } from '../lib/config/mistakes';
import { renderConfigReference } from '../lib/config/reference';
import { loadConfig } from '../lib/config/load';
import { DEFAULT_PRESET } from '../lib/config/presets';
import { planCluster } from '../lib/plan/build';
import { renderMermaid } from '../lib/review/diagram';
import { buildReport, describeSource, renderReportMarkdown } from '../lib/review/report';
import { diffTopology, renderTopologyDiff } from '../lib/review/topology-diff';
import { ARCHITECTURE_FILE, renderArchitecture } from './diagram';
import { renderAlarmTable, renderBootBudgetTable } from '../lib/review/alarm-table';

const fence = (text: string) => `\`\`\`text\n${text.trimEnd()}\n\`\`\``;

/** `npm run report -- -c preset=ultraserver --plan-only`, as the README shows it. */
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
import { SCHEMA_FILE, renderSchema } from './schema';

export const README = path.join(__dirname, '..', 'README.md');

/** Generated README blocks, each between `<!-- NAME:start ... -->` and `<!-- NAME:end -->`. */
export const BLOCKS: Readonly<Record<string, () => string>> = {
  architecture: () => `\`\`\`mermaid\n${renderMermaid(planCluster(loadConfig({ preset: DEFAULT_PRESET }))).trimEnd()}\n\`\`\``,
  'config-reference': renderConfigReference,
  presets: renderPresetTable,
  rules: renderRuleTable,
  mistakes: renderMistakeTable,
  'report-sample': reportSample,
  'diff-sample': diffSample,
};

/** docs/operations.md and its generated blocks (node health, alarms). */
export const OPERATIONS = path.join(__dirname, '..', 'docs', 'operations.md');
export const OPERATIONS_BLOCKS: Readonly<Record<string, () => string>> = {
  'boot-budget': () => renderBootBudgetTable(planCluster(loadConfig({ preset: DEFAULT_PRESET }))).trimEnd(),
  alarms: () => renderAlarmTable(planCluster(loadConfig({ preset: DEFAULT_PRESET }))).trimEnd(),
};

/** docs/operations.md with its generated blocks replaced by their current rendering. */
export function regenerateOperations(text: string): string {
  return regenerateReadme(text, OPERATIONS_BLOCKS, 'docs/operations.md');
}

/** README text with every generated block replaced by its current rendering. */
export function regenerateReadme(readme: string, blocks: Readonly<Record<string, () => string>> = BLOCKS, file = 'README.md'): string {
  let out = readme;
  for (const [name, render] of Object.entries(blocks)) {
    const start = new RegExp(`<!-- ${name}:start[^>]*-->`).exec(out);
    const endMarker = `<!-- ${name}:end -->`;
    const end = out.indexOf(endMarker);
    if (start === null || end < start.index) {
      throw new Error(`${file} lacks the markers <!-- ${name}:start --> ... ${endMarker}`);
    }
    out = `${out.slice(0, start.index + start[0].length)}\n${render()}\n${out.slice(end)}`;
  }
  return out;
}

if (require.main === module) {
  fs.mkdirSync(path.dirname(SCHEMA_FILE), { recursive: true });
  fs.writeFileSync(SCHEMA_FILE, renderSchema());
  fs.writeFileSync(README, regenerateReadme(fs.readFileSync(README, 'utf8')));
  fs.writeFileSync(ARCHITECTURE_FILE, renderArchitecture());
  fs.writeFileSync(OPERATIONS, regenerateOperations(fs.readFileSync(OPERATIONS, 'utf8')));
  process.stdout.write('wrote schema/cluster-config.schema.json, docs/architecture.md, the generated blocks of docs/operations.md and the README generated blocks\n');
}
