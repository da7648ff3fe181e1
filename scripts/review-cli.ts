/**
 * Shared plumbing of the review scripts (report, diagram, diff): argument parsing, the cdk.json
 * context, and exit codes. Exit status 2 means bad input (the ConfigError message, no stack trace);
 * 3 means the tool itself failed.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ConfigError } from '../lib/config/errors';
import { ConfigSource } from '../lib/config/load';
import { APP_CONTEXT } from '../lib/context';

export const ROOT = path.join(__dirname, '..');
export const EXIT_BAD_INPUT = 2;
export const EXIT_INTERNAL = 3;

/** The `context` block of cdk.json and the app's own (APP_CONTEXT), so in-process synthesis matches `cdk synth`. */
export function cdkJsonContext(): Record<string, unknown> {
  const file = path.join(ROOT, 'cdk.json');
  return { ...APP_CONTEXT, ...(JSON.parse(fs.readFileSync(file, 'utf8')) as { context?: Record<string, unknown> }).context };
}

export interface ParsedArgs {
  readonly source: ConfigSource;
  readonly flags: ReadonlySet<string>;
  readonly positional: readonly string[];
}

/** Parses `-c preset=NAME`, `-c config=PATH` (also `--context`), `--flag`s and positional arguments. */
export function parseArgs(argv: readonly string[], knownFlags: readonly string[]): ParsedArgs {
  const context: Record<string, string> = {};
  const flags = new Set<string>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-c' || arg === '--context') {
      const kv = argv[++i];
      const eq = kv === undefined ? -1 : kv.indexOf('=');
      if (eq <= 0) {
        throw ConfigError.single(arg, kv === undefined ? 'nothing' : `"${kv}"`, 'KEY=VALUE, e.g. -c preset=ultraserver or -c config=cluster.yaml');
      }
      context[kv.slice(0, eq)] = kv.slice(eq + 1);
    } else if (arg.startsWith('--')) {
      if (!knownFlags.includes(arg)) {
        throw ConfigError.single('arguments', `"${arg}"`, `one of ${[...knownFlags, '-c preset=NAME', '-c config=PATH'].join(', ')}`);
      }
      flags.add(arg);
    } else {
      positional.push(arg);
    }
  }
  for (const key of Object.keys(context)) {
    if (key !== 'preset' && key !== 'config') {
      throw ConfigError.single(`-c ${key}`, `"${context[key]}"`, 'the context keys preset and config');
    }
  }
  return { source: { preset: context.preset, configPath: context.config }, flags, positional };
}

/** Runs a script body: its return value is the exit status; ConfigError exits 2 with its message only. */
export function run(main: () => number): void {
  let status: number;
  try {
    status = main();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      status = EXIT_BAD_INPUT;
    } else {
      process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      status = EXIT_INTERNAL;
    }
  }
  process.exitCode = status;
}
