/**
 * Regenerates the documentation that is derived from code: `npm run docs`.
 * - schema/cluster-config.schema.json, from the zod schema;
 * - the README's generated blocks (configuration reference, presets, rules, common mistakes), between their markers.
 * Tests fail when any of them is out of date.
 */
import * as fs from 'fs';
import * as path from 'path';
import { renderPresetTable, renderRuleTable } from '../lib/config/docs-tables';
import { renderMistakeTable } from '../lib/config/mistakes';
import { renderConfigReference } from '../lib/config/reference';
import { SCHEMA_FILE, renderSchema } from './schema';

export const README = path.join(__dirname, '..', 'README.md');

/** Generated README blocks, each between `<!-- NAME:start ... -->` and `<!-- NAME:end -->`. */
export const BLOCKS: Readonly<Record<string, () => string>> = {
  'config-reference': renderConfigReference,
  presets: renderPresetTable,
  rules: renderRuleTable,
  mistakes: renderMistakeTable,
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
  process.stdout.write('wrote schema/cluster-config.schema.json and the README generated blocks\n');
}
