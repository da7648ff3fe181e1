/**
 * Regenerates docs/architecture.md (a Mermaid diagram of the default preset, from its plan):
 *
 *   npm run diagram
 *
 * A test fails when the committed file differs from this output.
 */
import * as fs from 'fs';
import * as path from 'path';
import { loadConfig } from '../lib/config/load';
import { DEFAULT_PRESET } from '../lib/config/presets';
import { planCluster } from '../lib/plan/build';
import { renderArchitectureDoc } from '../lib/review/diagram';
import { ROOT, run } from './review-cli';

export const ARCHITECTURE_FILE = path.join(ROOT, 'docs', 'architecture.md');

/** The file's expected content: the default preset's plan, rendered. */
export function renderArchitecture(): string {
  return renderArchitectureDoc(planCluster(loadConfig({ preset: DEFAULT_PRESET })), DEFAULT_PRESET);
}

if (require.main === module) {
  run(() => {
    fs.mkdirSync(path.dirname(ARCHITECTURE_FILE), { recursive: true });
    fs.writeFileSync(ARCHITECTURE_FILE, renderArchitecture());
    process.stdout.write(`wrote ${path.relative(process.cwd(), ARCHITECTURE_FILE)}\n`);
    return 0;
  });
}
