/**
 * Draws the architecture picture (SVG, from the plan, offline: lib/review/picture.ts).
 *
 *   npm run diagram                                   regenerate docs/architecture.svg and .md (default preset)
 *   npm run diagram -- -c preset=rainier-scale out.svg   any preset, to a file
 *   npm run diagram -- -c config=cluster.yaml            any configuration, to standard output
 *
 * A test fails when the committed docs/architecture.* differ from this output.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ConfigSource, loadConfig } from '../lib/config/load';
import { DEFAULT_PRESET } from '../lib/config/presets';
import { planCluster } from '../lib/plan/build';
import { ARCHITECTURE_SVG_NAME, renderArchitectureDoc } from '../lib/review/diagram';
import { renderSvg } from '../lib/review/picture';
import { configurationLine } from '../lib/context';
import { describeSource } from '../lib/review/report';
import { CliSpec, ParsedArgs, ROOT, runCli } from './review-cli';

export const ARCHITECTURE_FILE = path.join(ROOT, 'docs', 'architecture.md');
export const ARCHITECTURE_SVG = path.join(ROOT, 'docs', ARCHITECTURE_SVG_NAME);

/** docs/architecture.md's expected content: the default preset's plan, rendered. */
export function renderArchitecture(): string {
  return renderArchitectureDoc(planCluster(loadConfig({ preset: DEFAULT_PRESET })), DEFAULT_PRESET);
}

/** The picture of a configuration source (the default preset when it names none). */
export function drawSource(source: ConfigSource): Promise<string> {
  return renderSvg(planCluster(loadConfig(source)), describeSource(source));
}

/** docs/architecture.svg's expected content. */
export function renderArchitectureSvg(): Promise<string> {
  return drawSource({ preset: DEFAULT_PRESET });
}

export const DIAGRAM_CLI: CliSpec = {
  usage: `Usage: npm run diagram -- [-c preset=NAME] [-c config=PATH] [OUT.svg]

Without -c (and no config pinned in cdk.json): redraws docs/architecture.svg and docs/architecture.md
from the default preset. With -c: draws that configuration as SVG into OUT.svg, or to stdout.`,
  positionals: [0, 1],
};

async function main(args: ParsedArgs): Promise<number> {
  process.stderr.write(`${configurationLine(args.sourceGiven ? args.source : { preset: DEFAULT_PRESET }, DEFAULT_PRESET)}\n`);
  if (!args.sourceGiven && args.positional.length === 0) {
    fs.mkdirSync(path.dirname(ARCHITECTURE_FILE), { recursive: true });
    fs.writeFileSync(ARCHITECTURE_SVG, await renderArchitectureSvg());
    fs.writeFileSync(ARCHITECTURE_FILE, renderArchitecture());
    process.stdout.write(`wrote ${path.relative(process.cwd(), ARCHITECTURE_SVG)} and ${path.relative(process.cwd(), ARCHITECTURE_FILE)}\n`);
    return 0;
  }
  const svg = await drawSource(args.sourceGiven ? args.source : { preset: DEFAULT_PRESET });
  const out = args.positional[0];
  if (out === undefined) {
    process.stdout.write(svg);
  } else {
    fs.writeFileSync(out, svg);
    process.stderr.write(`wrote ${out}\n`);
  }
  return 0;
}

if (require.main === module) {
  runCli(DIAGRAM_CLI, main);
}
