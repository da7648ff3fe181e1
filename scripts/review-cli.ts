/**
 * Shared plumbing of the review scripts (report, diagram, diff): argument parsing, the cdk.json
 * context, and exit codes. Exit status 2 means bad input (the ConfigError message, no stack trace);
 * 3 means the tool itself failed.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs as nodeParseArgs } from 'util';
import { ConfigError } from '../lib/config/errors';
import { ConfigSource } from '../lib/config/load';
import { APP_CONTEXT, KNOWN_CONTEXT_KEYS, resolveContext } from '../lib/context';

export const ROOT = path.join(__dirname, '..');
export const EXIT_BAD_INPUT = 2;
export const EXIT_INTERNAL = 3;

/** The `context` block of cdk.json and the app's own (APP_CONTEXT), so in-process synthesis matches `cdk synth`. */
export function cdkJsonContext(): Record<string, unknown> {
  const file = path.join(ROOT, 'cdk.json');
  return { ...APP_CONTEXT, ...(JSON.parse(fs.readFileSync(file, 'utf8')) as { context?: Record<string, unknown> }).context };
}

export interface CliSpec {
  /** Usage and description printed by --help. */
  readonly usage: string;
  /** Boolean flags, e.g. `{ json: 'print JSON' }` for `--json`. */
  readonly flags?: Readonly<Record<string, string>>;
  /** Options taking a value (repeatable), e.g. `{ preset: 'NAME ...' }` for `--preset NAME`. */
  readonly options?: Readonly<Record<string, string>>;
  /** How many positional arguments are allowed: [min, max]. @default [0, 0] */
  readonly positionals?: readonly [number, number];
}

export interface ParsedArgs {
  /** The configuration named by cdk.json's context and `-c` (one module: lib/context.ts). */
  readonly source: ConfigSource;
  /** Whether `-c preset=` or `-c config=` was given (on the command line or pinned in cdk.json). */
  readonly sourceGiven: boolean;
  readonly context: Readonly<Record<string, unknown>>;
  readonly flags: ReadonlySet<string>;
  readonly options: Readonly<Record<string, readonly string[]>>;
  readonly positional: readonly string[];
  /** `--help` was asked for: the caller prints `helpText(spec)` and exits 0. */
  readonly help: boolean;
}

/** The --help text of a script. */
export function helpText(spec: CliSpec): string {
  const rows: [string, string][] = [
    ['-c, --context KEY=VALUE', `context, as cdk synth takes it: ${KNOWN_CONTEXT_KEYS.join(', ')} (cdk.json's context applies first)`],
    ...Object.entries(spec.options ?? {}).map(([k, d]): [string, string] => [`--${k} VALUE`, d]),
    ...Object.entries(spec.flags ?? {}).map(([k, d]): [string, string] => [`--${k}`, d]),
    ['-h, --help', 'print this help'],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return `${spec.usage.trim()}\n\nOptions:\n${rows.map(([k, d]) => `  ${k.padEnd(width)}  ${d}`).join('\n')}\n`;
}

/**
 * Parses a review script's command line with Node's util.parseArgs: `-c KEY=VALUE` (also
 * `--context`), the script's flags and options, positionals, `--help`. The configuration comes from
 * cdk.json's context with `-c` on top, exactly as `cdk synth` reads it (lib/context.ts); unknown
 * context keys, flags and extra positionals are ConfigErrors naming what is allowed.
 */
export function parseArgs(argv: readonly string[], spec: CliSpec, cdkJson: Readonly<Record<string, unknown>> = cdkJsonContext()): ParsedArgs {
  const allowed = [
    '-c KEY=VALUE',
    ...Object.keys(spec.options ?? {}).map((k) => `--${k} VALUE`),
    ...Object.keys(spec.flags ?? {}).map((k) => `--${k}`),
    '--help',
  ].join(', ');
  let parsed: ReturnType<typeof nodeParseArgs>;
  try {
    parsed = nodeParseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        context: { type: 'string', short: 'c', multiple: true },
        help: { type: 'boolean', short: 'h' },
        ...Object.fromEntries(Object.keys(spec.flags ?? {}).map((k) => [k, { type: 'boolean' as const }])),
        ...Object.fromEntries(Object.keys(spec.options ?? {}).map((k) => [k, { type: 'string' as const, multiple: true }])),
      },
    });
  } catch (e) {
    throw ConfigError.single('arguments', `"${argv.join(' ')}"`, `${(e as Error).message.split('\n')[0]}; allowed: ${allowed}`);
  }
  const values = parsed.values as Record<string, unknown>;
  const commandLine: Record<string, string> = {};
  for (const kv of (values.context as string[] | undefined) ?? []) {
    const eq = kv.indexOf('=');
    if (eq <= 0) {
      throw ConfigError.single('-c', `"${kv}"`, 'KEY=VALUE, e.g. -c preset=ultraserver or -c config=cluster.yaml');
    }
    commandLine[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  const { context, source } = resolveContext(cdkJson, commandLine, () => new Date());
  const [min, max] = spec.positionals ?? [0, 0];
  const positional = parsed.positionals;
  if (values.help !== true && (positional.length < min || positional.length > max)) {
    throw ConfigError.single('arguments', positional.length === 0 ? 'nothing' : `"${positional.join(' ')}"`, `${min === max ? `exactly ${min}` : `${min} to ${max}`} positional argument(s); allowed: ${allowed}`);
  }
  return {
    source,
    sourceGiven: source.preset !== undefined || source.configPath !== undefined,
    context,
    flags: new Set(Object.keys(spec.flags ?? {}).filter((k) => values[k] === true).map((k) => `--${k}`)),
    options: Object.fromEntries(Object.keys(spec.options ?? {}).map((k) => [k, (values[k] as string[] | undefined) ?? []])),
    positional,
    help: values.help === true,
  };
}

/** The exit status of a script body that threw: ConfigError exits 2 with its message only. */
function failed(e: unknown): number {
  if (e instanceof ConfigError) {
    process.stderr.write(`${e.message}\n`);
    return EXIT_BAD_INPUT;
  }
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  return EXIT_INTERNAL;
}

/** Runs a script body: its return value (or what its promise resolves to) is the exit status. */
export function run(main: () => number | Promise<number>): void {
  let result: number | Promise<number>;
  try {
    result = main();
  } catch (e) {
    process.exitCode = failed(e);
    return;
  }
  if (typeof result === 'number') {
    process.exitCode = result;
    return;
  }
  result.then(
    (status) => {
      process.exitCode = status;
    },
    (e: unknown) => {
      process.exitCode = failed(e);
    },
  );
}

/**
 * Runs a script's command line: parses it against `spec` (cdk.json's context, then -c), answers
 * `--help` with the usage, and otherwise hands the arguments to `main`, whose result is the exit status.
 */
export function runCli(spec: CliSpec, main: (args: ParsedArgs) => number | Promise<number>, argv: readonly string[] = process.argv.slice(2)): void {
  run(() => {
    const args = parseArgs(argv, spec);
    if (args.help) {
      process.stdout.write(helpText(spec));
      return 0;
    }
    return main(args);
  });
}
