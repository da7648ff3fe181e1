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
import { configurationLine } from '../lib/context';
import { describeSource } from '../lib/review/report';
import { CliSpec, ROOT, helpText, parseArgs, run } from './review-cli';

export const ARCHITECTURE_FILE = path.join(ROOT, 'docs', 'architecture.md');

/** The file's expected content: the default preset's plan, rendered. */
export function renderArchitecture(): string {
  return renderArchitectureDoc(planCluster(loadConfig({ preset: DEFAULT_PRESET })), DEFAULT_PRESET);
}

export const DIAGRAM_CLI: CliSpec = {
  usage: `Usage: npm run diagram -- [-c preset=NAME] [-c config=PATH]

Without -c (and no config pinned in cdk.json): regenerates docs/architecture.md from the default
preset. With -c: prints the diagram of that configuration to stdout and writes nothing.`,
};

if (require.main === module) {
  run(() => {
    const args = parseArgs(process.argv.slice(2), DIAGRAM_CLI);
    if (args.help) {
      process.stdout.write(helpText(DIAGRAM_CLI));
      return 0;
    }
    process.stderr.write(`${configurationLine(args.sourceGiven ? args.source : { preset: DEFAULT_PRESET }, DEFAULT_PRESET)}\n`);
    if (args.sourceGiven) {
      process.stdout.write(renderArchitectureDoc(planCluster(loadConfig(args.source)), describeSource(args.source)));
      return 0;
    }
    fs.mkdirSync(path.dirname(ARCHITECTURE_FILE), { recursive: true });
    fs.writeFileSync(ARCHITECTURE_FILE, renderArchitecture());
    process.stdout.write(`wrote ${path.relative(process.cwd(), ARCHITECTURE_FILE)}\n`);
    return 0;
  });
}
