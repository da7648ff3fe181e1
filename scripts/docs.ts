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
import { planCluster } from '../lib/plan/build';
import { buildReport, describeSource, renderReportMarkdown } from '../lib/review/report';
import { diffTopology, renderTopologyDiff } from '../lib/review/topology-diff';
import { ARCHITECTURE_FILE, ARCHITECTURE_SVG, renderArchitecture, renderArchitectureSvg } from './diagram';

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
  'config-reference': renderConfigReference,
  presets: renderPresetTable,
  rules: renderRuleTable,
  mistakes: renderMistakeTable,
  'report-sample': reportSample,
  'diff-sample': diffSample,
};

/** README text with every generated block replaced by its current rendering. */
export function regenerateReadme(readme: string): string {
  let out = readme;
  for (const [name, render] of Object.entries(BLOCKS)) {
    const start = new RegExp(`<!-- ${name}:start[^>]*-->`).exec(out);
    const endMarker = `<!-- ${name}:end -->`;
    const end = out.indexOf(endMarker);
    if (start === null || end < start.index) {
      throw new Error(`README.md lacks the markers <!-- ${name}:start --> ... ${endMarker}`);
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
  void renderArchitectureSvg().then((svg) => fs.writeFileSync(ARCHITECTURE_SVG, svg));
  process.stdout.write('wrote schema/cluster-config.schema.json, docs/architecture.md and the README generated blocks\n');
}
