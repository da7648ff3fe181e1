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
import { describeSource } from '../lib/review/report';
import { EXIT_BAD_INPUT, EXIT_INTERNAL, ROOT, parseArgs } from './review-cli';
import { ConfigError } from '../lib/config/errors';

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

async function main(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv, []);
  if (args.source.preset === undefined && args.source.configPath === undefined && args.positional.length === 0) {
    fs.mkdirSync(path.dirname(ARCHITECTURE_FILE), { recursive: true });
    fs.writeFileSync(ARCHITECTURE_SVG, await renderArchitectureSvg());
    fs.writeFileSync(ARCHITECTURE_FILE, renderArchitecture());
    process.stdout.write(`wrote ${path.relative(process.cwd(), ARCHITECTURE_SVG)} and ${path.relative(process.cwd(), ARCHITECTURE_FILE)}\n`);
    return 0;
  }
  if (args.positional.length > 1) {
    throw ConfigError.single('arguments', args.positional.map((a) => `"${a}"`).join(' '), 'at most one output file');
  }
  const svg = await drawSource(args.source);
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
  main(process.argv.slice(2)).then(
    (status) => {
      process.exitCode = status;
    },
    (e: unknown) => {
      process.stderr.write(e instanceof ConfigError ? `${e.message}\n` : `${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exitCode = e instanceof ConfigError ? EXIT_BAD_INPUT : EXIT_INTERNAL;
    },
  );
}
