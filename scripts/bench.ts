/**
 * Synthesis benchmark: `npm run bench` (options: `--repeat N` (odd, default 3), `--cli-repeat N` (odd,
 * default 9 pairs of CLI runs), `--skip-tests`,
 * `--skip-cli`, `--only NAME,...` (app-alone cases whose name contains one of these), `--out FILE`).
 * The defaults measure everything and rewrite docs/benchmarks.md; a partial run wants `--out`.
 *
 * Two measurements, each against an empty CDK app (`new App()`, no stacks) run the same way in the
 * same run:
 * - the CLI: `npx cdk synth -q` of the default preset, start to exit, as a user runs it (the target
 *   is stated for it); the empty app goes through the same CLI with cdk.json's app command pointed at it;
 * - the app alone, for every case: cdk.json's app command run through a shell the way the CLI runs
 *   it, with the context in CDK_CONTEXT_JSON (cdk.json's context, the CLI's additions and the case's, as the CLI merges
 *   them) and the output directory in CDK_OUTDIR.
 *
 * Measured per case:
 * - wall time: from spawn to exit, in this process (includes node, ts-node and module loading);
 * - CPU time (user + system) and peak memory: the child reports `process.resourceUsage()` from an
 *   exit hook loaded through NODE_OPTIONS, so the figures are the app's own. `maxRSS` is the
 *   peak resident set size of the child. CPU time is the steadier figure on a shared machine;
 * - stacks, resources, the largest template (bytes on disk, as uploaded, and resources), the most
 *   outputs and parameters in one template: read back from the cloud assembly.
 *
 * With `--repeat N` (odd) each case runs N times and the median run by wall time (its CPU time and
 * memory too) is reported. The targets are reported, never enforced: timing depends on the machine.
 * Writes docs/benchmarks.md.
 */
import { execSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseArgs as nodeParseArgs } from 'util';
import { CLI_SYNTH_CONTEXT } from '../lib/context';
import { CFN_LIMITS } from '../lib/plan/cloudformation-limits';

const ROOT = path.join(__dirname, '..');
const CFN_RESOURCES = CFN_LIMITS.resourcesPerStack;
const CFN_TEMPLATE_BYTES = CFN_LIMITS.templateBytes;
const CFN_OUTPUTS = CFN_LIMITS.outputsPerStack;
const CFN_PARAMETERS = CFN_LIMITS.parametersPerStack;
const TARGET_DEFAULT_RATIO = 1.5;
const DEFAULT_REPEAT = 3;
/** Pairs of CLI runs: the ratio sits close to its target and one CLI run varies by ±10%, so more of them. */
const DEFAULT_CLI_REPEAT = 9;
/** The app's entry point in cdk.json's app command. */
const APP_ENTRY = 'bin/rainier.ts';
const TARGET_SCALE_SECONDS = 120;
const TARGET_SCALE_GIB = 4;
const TARGET_TEST_SECONDS = 90;
/** RAIN-W107 fires above 256 Capacity Block instances: 64 UltraServers of 4. */
const W107_ULTRASERVERS = 64;

interface Case {
  readonly name: string;
  /** Entry point: relative to the repository, or absolute. */
  readonly entry: string;
  readonly context: Record<string, string>;
  /** UltraServers in the configuration, for per-UltraServer figures. */
  readonly ultraServers?: number;
}

interface Run {
  readonly wallS: number;
  readonly cpuS: number;
  readonly maxRssMiB: number;
  readonly loadBefore: number;
  readonly outdir: string;
}

interface Assembly {
  readonly stacks: number;
  readonly resources: number;
  readonly largestBytes: number;
  readonly largestBytesStack: string;
  readonly largestResources: number;
  readonly largestResourcesStack: string;
  readonly maxOutputs: number;
  readonly maxParameters: number;
}

interface Result {
  readonly case: Case;
  readonly runs: readonly Run[];
  readonly median: Run;
  readonly assembly: Assembly;
}

const BENCH_USAGE = `Usage: npm run bench -- [options]

Measures synthesis (the CLI against an empty CDK app, the app alone at several sizes, rainier-scale)
and the test suite, and writes the tables to docs/benchmarks.md.

Options:
  --repeat N       runs per app-alone case, odd (default ${DEFAULT_REPEAT}); the median run is shown
  --cli-repeat N   back-to-back CLI pairs, odd (default ${DEFAULT_CLI_REPEAT})
  --only A,B       only the app-alone cases whose names are listed
  --out FILE       where to write the tables (default docs/benchmarks.md)
  --skip-tests     do not time npm test
  --skip-cli       do not time the CLI
  --help           print this and exit
`;

/** The options, parsed by Node's util.parseArgs; a bad one throws an Error whose message names it. */
function parseBenchArgs(argv: readonly string[]) {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = nodeParseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        repeat: { type: 'string' },
        'cli-repeat': { type: 'string' },
        only: { type: 'string' },
        out: { type: 'string' },
        'skip-tests': { type: 'boolean' },
        'skip-cli': { type: 'boolean' },
        help: { type: 'boolean' },
      },
    }));
  } catch (e) {
    throw new Error(`${e instanceof Error ? e.message : String(e)}\n\n${BENCH_USAGE}`);
  }
  const odd = (flag: 'repeat' | 'cli-repeat', fallback: number) => {
    const given = values[flag] as string | undefined;
    const n = Number(given ?? String(fallback));
    if (!Number.isInteger(n) || n < 1 || n % 2 === 0) {
      throw new Error(`--${flag}: got "${given}"; expected an odd whole number (1, 3, 5, ...), so that the median is one run`);
    }
    return n;
  };
  return {
    help: values.help === true,
    repeat: odd('repeat', DEFAULT_REPEAT),
    cliRepeat: odd('cli-repeat', DEFAULT_CLI_REPEAT),
    skipTests: values['skip-tests'] === true,
    skipCli: values['skip-cli'] === true,
    only: (values.only as string | undefined)?.split(','),
    out: path.resolve(ROOT, (values.out as string | undefined) ?? 'docs/benchmarks.md'),
  };
}

/** A one-site config with one UltraServer pool of `n` (the `ultraserver` preset, resized). */
function ultraServerConfig(dir: string, n: number): string {
  const file = path.join(dir, `ultraservers-${n}.yaml`);
  const lines = ['preset: ultraserver', 'sites:', '  ohio:', '    pools:', '      train:', `        ultraServers: ${n}`];
  if (n > W107_ULTRASERVERS) {
    lines.push(
      'acknowledgements:',
      '  - rule: RAIN-W107',
      '    path: sites',
      '    reason: "Benchmark configuration: synthesised to measure synthesis cost, never deployed, so no Capacity Block is bought."',
    );
  }
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/** Written into the work directory: reports the child's own resource usage as it exits. */
const USAGE_HOOK = `
process.on('exit', () => {
  const u = process.resourceUsage();
  require('fs').writeFileSync(process.env.BENCH_USAGE_FILE, JSON.stringify({ maxRSS: u.maxRSS, user: u.userCPUTime, system: u.systemCPUTime }));
});
`;

/** cdk.json's app command with the entry point replaced (the empty app runs through the same command). */
function appCommand(appTemplate: string, entry: string): string {
  if (!appTemplate.includes(APP_ENTRY)) {
    throw new Error(`cdk.json's app command "${appTemplate}" does not name ${APP_ENTRY}`);
  }
  return appTemplate.replace(APP_ENTRY, entry === APP_ENTRY ? entry : shellQuote(entry));
}

/** A POSIX shell word for any string: single quotes, with embedded ones closed and escaped. */
function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function runCase(c: Case, work: string, cdk: CdkJson, index: number): Run {
  const outdir = fs.mkdtempSync(path.join(work, `out-${c.name.replace(/[^a-z0-9]+/gi, '-')}-`));
  const usageFile = path.join(work, `usage-${index}.json`);
  const loadBefore = os.loadavg()[0];
  const start = process.hrtime.bigint();
  // cdk.json's app command through a shell, as the CLI runs it; NODE_OPTIONS adds the usage hook.
  const child = spawnSync(appCommand(cdk.app, c.entry), {
    cwd: ROOT,
    shell: true,
    env: {
      ...process.env,
      // Node splits NODE_OPTIONS on spaces and honours double quotes (mkdtemp paths hold neither kind).
      NODE_OPTIONS: `--require "${path.join(work, 'usage-hook.js')}"`,
      // What the CLI passes: cdk.json's context, the CLI's own additions, then the case's.
      CDK_CONTEXT_JSON: JSON.stringify({ ...cdk.context, ...CLI_SYNTH_CONTEXT, ...c.context }),
      CDK_OUTDIR: outdir,
      BENCH_USAGE_FILE: usageFile,
    },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const wallS = Number(process.hrtime.bigint() - start) / 1e9;
  if (child.status !== 0 || !fs.existsSync(usageFile)) {
    throw new Error(`${c.name} failed (exit ${child.status}${child.signal ? `, signal ${child.signal}` : ''}):\n${child.stderr}`);
  }
  const usage = JSON.parse(fs.readFileSync(usageFile, 'utf8')) as { maxRSS: number; user: number; system: number };
  return {
    wallS,
    cpuS: (usage.user + usage.system) / 1e6,
    maxRssMiB: usage.maxRSS / 1024,
    loadBefore,
    outdir,
  };
}

interface CdkJson {
  readonly app: string;
  readonly context: Record<string, unknown>;
}

/** One `npx cdk synth` through the CLI, as a user runs it. */
interface CliRun {
  readonly wallS: number;
  readonly loadBefore: number;
}

interface CliResult {
  readonly name: string;
  readonly runs: readonly CliRun[];
  readonly median: CliRun;
}

/**
 * `npx cdk synth -q` from the repository, into a temporary assembly; with `app`, the CLI runs that
 * command instead of cdk.json's (the empty app). The CLI fails an assembly without stacks after
 * synthesising it, so for the empty app that one failure is expected.
 */
function runCli(work: string, app?: string): CliRun {
  const outdir = fs.mkdtempSync(path.join(work, 'cli-'));
  const loadBefore = os.loadavg()[0];
  const start = process.hrtime.bigint();
  const child = spawnSync('npx', ['cdk', 'synth', '-q', '-o', outdir, ...(app ? ['-a', app] : [])], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const wallS = Number(process.hrtime.bigint() - start) / 1e9;
  fs.rmSync(outdir, { recursive: true, force: true });
  const expected = app ? /This app contains no stacks/.test(child.stderr) : child.status === 0;
  if (!expected) {
    throw new Error(`npx cdk synth${app ? ` -a ${app}` : ''} failed (exit ${child.status}):\n${child.stderr}`);
  }
  return { wallS, loadBefore };
}

/** The empty app and the default preset through the CLI, alternating so that drift in load hits both alike. */
function measureCli(work: string, cdk: CdkJson, emptyApp: string, repeat: number): CliMeasurement {
  const runs: CliRun[][] = [[], []];
  for (let r = 0; r < repeat; r++) {
    runs[0].push(runCli(work, appCommand(cdk.app, emptyApp)));
    runs[1].push(runCli(work));
    process.stderr.write(`npx cdk synth: empty app ${fmt(runs[0][r].wallS, 2)} s, default preset ${fmt(runs[1][r].wallS, 2)} s\n`);
  }
  return {
    results: ['empty CDK app', 'default preset (rainier-mini)'].map((name, i) => ({ name, runs: runs[i], median: medianBy(runs[i], (x) => x.wallS) })),
    // Each pair ran back to back, so its ratio is the least disturbed by the machine's drift.
    pairRatios: runs[1].map((run, i) => run.wallS / runs[0][i].wallS),
  };
}

interface CliMeasurement {
  readonly results: readonly CliResult[];
  /** Default preset over empty app, pair by pair. */
  readonly pairRatios: readonly number[];
}

function medianBy<T>(items: readonly T[], key: (t: T) => number): T {
  return [...items].sort((a, b) => key(a) - key(b))[Math.floor(items.length / 2)];
}

function readAssembly(outdir: string): Assembly {
  const files = fs.readdirSync(outdir).filter((f) => f.endsWith('.template.json'));
  let resources = 0;
  let largestBytes = 0;
  let largestBytesStack = '-';
  let largestResources = 0;
  let largestResourcesStack = '-';
  let maxOutputs = 0;
  let maxParameters = 0;
  for (const f of files) {
    const text = fs.readFileSync(path.join(outdir, f), 'utf8');
    const template = JSON.parse(text) as { Resources?: object; Outputs?: object; Parameters?: object };
    const count = Object.keys(template.Resources ?? {}).length;
    const bytes = Buffer.byteLength(text);
    const stack = f.replace(/\.template\.json$/, '');
    resources += count;
    if (bytes > largestBytes) {
      largestBytes = bytes;
      largestBytesStack = stack;
    }
    if (count > largestResources) {
      largestResources = count;
      largestResourcesStack = stack;
    }
    maxOutputs = Math.max(maxOutputs, Object.keys(template.Outputs ?? {}).length);
    maxParameters = Math.max(maxParameters, Object.keys(template.Parameters ?? {}).length);
  }
  return { stacks: files.length, resources, largestBytes, largestBytesStack, largestResources, largestResourcesStack, maxOutputs, maxParameters };
}

const fmt = (n: number, digits = 1) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const int = (n: number) => n.toLocaleString('en-US');

function main(): void {
  const args = parseBenchArgs(process.argv.slice(2));
  if (args.help) {
    process.stdout.write(BENCH_USAGE);
    return;
  }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'rainier-bench-'));
  fs.writeFileSync(path.join(work, 'usage-hook.js'), USAGE_HOOK);
  const emptyApp = path.join(work, 'empty-app.ts');
  // Outside the repository, so it names aws-cdk-lib by its resolved path.
  fs.writeFileSync(emptyApp, `const { App } = require(${JSON.stringify(require.resolve('aws-cdk-lib', { paths: [ROOT] }))});\nnew App();\n`);
  const cdkJson = JSON.parse(fs.readFileSync(path.join(ROOT, 'cdk.json'), 'utf8')) as { app: string; context?: Record<string, unknown> };
  const cdk: CdkJson = { app: cdkJson.app, context: cdkJson.context ?? {} };

  const cli = args.skipCli ? undefined : measureCli(work, cdk, emptyApp, args.cliRepeat);

  const app = APP_ENTRY;
  const sizes: Case[] = [1, 16, 256, 2048].map((n) => ({
    name: `${int(n)} UltraServer${n === 1 ? '' : 's'}`,
    entry: app,
    context: { config: ultraServerConfig(work, n) },
    ultraServers: n,
  }));
  const all: Case[] = [
    { name: 'empty CDK app', entry: emptyApp, context: {} },
    { name: 'default preset (rainier-mini)', entry: app, context: {}, ultraServers: 2 },
    ...sizes,
    { name: 'rainier-scale', entry: app, context: { preset: 'rainier-scale' }, ultraServers: 7808 },
  ];
  const cases = all.filter((c) => args.only === undefined || c.name === 'empty CDK app' || args.only.some((o) => c.name.includes(o)));

  const results: Result[] = [];
  let index = 0;
  for (const c of cases) {
    const runs: Run[] = [];
    for (let r = 0; r < args.repeat; r++) {
      const run = runCase(c, work, cdk, index++);
      process.stderr.write(`${c.name}: ${fmt(run.wallS, 2)} s wall, ${fmt(run.cpuS, 2)} s CPU, ${fmt(run.maxRssMiB, 0)} MiB, load ${fmt(run.loadBefore, 2)}\n`);
      runs.push(run);
    }
    const median = medianBy(runs, (run) => run.wallS);
    results.push({ case: c, runs, median, assembly: readAssembly(median.outdir) });
    for (const run of runs) {
      fs.rmSync(run.outdir, { recursive: true, force: true });
    }
  }

  let tests: { wallS: number; summary: string; passed: boolean } | undefined;
  if (!args.skipTests) {
    // The whole README test command: type-check, then Jest.
    process.stderr.write('npm test ...\n');
    const start = process.hrtime.bigint();
    const run = spawnSync('npm', ['test'], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const wallS = Number(process.hrtime.bigint() - start) / 1e9;
    const summary = /^Tests:.*$/m.exec(run.stderr)?.[0] ?? `exit ${run.status}`;
    tests = { wallS, summary, passed: run.status === 0 };
    process.stderr.write(`npm test: ${fmt(wallS, 1)} s (${summary})\n`);
  }

  fs.writeFileSync(args.out, render(cli, results, tests, args.repeat, cdk.app));
  fs.rmSync(work, { recursive: true, force: true });
  process.stderr.write(`wrote ${path.relative(ROOT, args.out)}\n`);
}

function render(cli: CliMeasurement | undefined, results: readonly Result[], tests: { wallS: number; summary: string; passed: boolean } | undefined, repeat: number, appCommandLine: string): string {
  const empty = results.find((r) => r.case.name === 'empty CDK app')!;
  const [cliEmpty, cliDefault] = cli?.results ?? [];
  const cliRatio = cli ? medianBy(cli.pairRatios, (r) => r) : undefined;
  const date = execSync('date', { encoding: 'utf8' }).trim();
  const cpu = os.cpus();
  const lines: string[] = [];
  lines.push('# Synthesis benchmarks', '');
  lines.push('Generated by `npm run bench` (scripts/bench.ts). Numbers depend on the machine and on what else runs on it; they are not enforced by tests.', '');
  lines.push(
    `- Machine: ${cpu.length} cores (${cpu[0]?.model.trim() ?? 'unknown CPU'}), ${fmt(os.totalmem() / 2 ** 30, 0)} GiB memory, ${os.type()} ${os.release()}`,
    `- Node ${process.version}; aws-cdk-lib ${packageVersion('aws-cdk-lib')}, cdk-nag ${packageVersion('cdk-nag')}, ts-node ${packageVersion('ts-node')}`,
    `- Date: ${date}`,
    `- Runs per case: ${repeat} (the median by wall time is shown). Load average (1 min) before each run is in the tables: the machine may be shared.`,
    '',
  );
  lines.push('## Method', '');
  lines.push(
    `- **The CLI**: \`npx cdk synth -q\` of the default preset, from start to exit, as a user runs it; the target is stated for this figure. The baseline is an empty CDK app (\`new App()\`, no stacks) in a \`.ts\` file, synthesised by the same CLI with cdk.json's app command (\`${appCommandLine}\`) pointed at it (\`-a\`). The CLI fails an assembly without stacks after synthesising it; that failure is expected. The two alternate, run by run, ${cli?.pairRatios.length ?? 0} pairs; the target is judged on the median of the pairs' ratios (each pair ran back to back), shown beside the ratio of the medians.`,
    `- **The app alone**: cdk.json's app command, run through a shell as the CLI runs it, with cdk.json's context, the CLI's own additions (path and asset metadata on) and the case's in \`CDK_CONTEXT_JSON\` and the output directory in \`CDK_OUTDIR\`. The app plans, builds, synthesises (cdk-nag AwsSolutions included) and writes the topology report. The CLI's own start-up and its reading of the assembly are not included, so "x empty" here is the app's own cost over the empty app's.`,
    '',
    '- **Wall**: spawn to exit. **CPU**: user + system time of the app process (`process.resourceUsage()`, reported by an exit hook loaded through `NODE_OPTIONS`), the steadier figure when other work shares the cores. **Peak memory**: the app process\'s maximum resident set size from the same hook.',
    '- **Stacks / resources / largest template**: read back from the cloud assembly; template bytes are the file as written (what CloudFormation receives from S3).',
    '- **N UltraServers**: one site, one UltraServer Capacity Block pool of N (the `ultraserver` preset resized); above 64 UltraServers the generated config acknowledges RAIN-W107 with a reason.',
    '- **x empty**: wall time over the empty CDK app\'s, measured the same way.',
    '',
  );
  lines.push('## The CLI: `npx cdk synth`', '');
  if (cli) {
    lines.push('| app | wall s (median) | runs, s | load | x empty |', '|---|--:|---|--:|--:|');
    for (const r of cli.results) {
      lines.push(`| ${r.name} | ${fmt(r.median.wallS, 2)} | ${r.runs.map((x) => fmt(x.wallS, 2)).join(', ')} | ${fmt(r.median.loadBefore, 1)} | ${fmt(r.median.wallS / cliEmpty.median.wallS, 2)} |`);
    }
    lines.push('', `Ratio pair by pair: ${cli.pairRatios.map((r) => fmt(r, 2)).join(', ')}; median ${fmt(cliRatio!, 2)}.`);
  } else {
    lines.push('Not measured (`--skip-cli`).');
  }
  lines.push('');
  lines.push('## The app alone', '');
  lines.push('| case | wall s | CPU s | peak MiB | load | x empty | stacks | resources | largest template bytes | largest template resources | max outputs / params | (wall - empty) ms per UltraServer |');
  lines.push('|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|');
  for (const r of results) {
    const a = r.assembly;
    const perUs = r.case.ultraServers ? fmt(((r.median.wallS - empty.median.wallS) * 1000) / r.case.ultraServers, 1) : '-';
    lines.push(
      `| ${r.case.name} | ${fmt(r.median.wallS, 2)} | ${fmt(r.median.cpuS, 2)} | ${fmt(r.median.maxRssMiB, 0)} | ${fmt(r.median.loadBefore, 1)} | ${fmt(r.median.wallS / empty.median.wallS, 1)} | ${int(a.stacks)} | ${int(a.resources)} | ${a.stacks ? `${int(a.largestBytes)} (${a.largestBytesStack})` : '-'} | ${a.stacks ? `${int(a.largestResources)} (${a.largestResourcesStack})` : '-'} | ${a.stacks ? `${a.maxOutputs} / ${a.maxParameters}` : '-'} | ${perUs} |`,
    );
  }
  lines.push('', 'Per-UltraServer cost between sizes (marginal: extra time over extra UltraServers):', '');
  const sized = results.filter((r) => r.case.ultraServers !== undefined && r.case.name !== 'default preset (rainier-mini)');
  lines.push('| from | to | marginal wall ms per UltraServer | marginal CPU ms per UltraServer |', '|---|---|--:|--:|');
  for (let i = 1; i < sized.length; i++) {
    const [a, b] = [sized[i - 1], sized[i]];
    const dn = b.case.ultraServers! - a.case.ultraServers!;
    lines.push(`| ${a.case.name} | ${b.case.name} | ${fmt(((b.median.wallS - a.median.wallS) * 1000) / dn, 2)} | ${fmt(((b.median.cpuS - a.median.cpuS) * 1000) / dn, 2)} |`);
  }
  if (tests) {
    lines.push('', `Test suite (\`npm test\`: tsc --noEmit, then jest; once): ${fmt(tests.wallS, 1)} s wall (${tests.summary}).`);
  }
  lines.push('', '## Targets', '');
  const def = results.find((r) => r.case.name.startsWith('default preset'));
  const scale = results.find((r) => r.case.name === 'rainier-scale');
  const verdict = (ok: boolean | undefined) => (ok === undefined ? 'not measured' : ok ? 'met' : '**missed**');
  lines.push('| target | measured | verdict |', '|---|---|---|');
  lines.push(
    `| default preset \`npx cdk synth\` <= ${TARGET_DEFAULT_RATIO} x the empty app's | ${cliRatio === undefined ? '-' : `${fmt(cliRatio, 2)} x, median of ${cli!.pairRatios.length} pairs (medians: ${fmt(cliDefault.median.wallS, 2)} s / ${fmt(cliEmpty.median.wallS, 2)} s)`}; the app alone: ${def ? `${fmt(def.median.wallS / empty.median.wallS, 1)} x` : '-'} | ${verdict(cliRatio === undefined ? undefined : cliRatio <= TARGET_DEFAULT_RATIO)} |`,
  );
  const linear = sized.length >= 3 ? linearity(sized, empty) : undefined;
  lines.push(`| cost no worse than linear in UltraServers | ${linear ? linear.text : '-'} | ${verdict(linear?.ok)} |`);
  lines.push(
    `| rainier-scale <= ${TARGET_SCALE_SECONDS} s and <= ${TARGET_SCALE_GIB} GiB | ${scale ? `${fmt(scale.median.wallS, 1)} s, ${fmt(scale.median.maxRssMiB / 1024, 2)} GiB` : '-'} | ${verdict(scale && scale.median.wallS <= TARGET_SCALE_SECONDS && scale.median.maxRssMiB / 1024 <= TARGET_SCALE_GIB)} |`,
  );
  const limitsOk = results.every(
    (r) =>
      r.assembly.largestResources <= CFN_RESOURCES &&
      r.assembly.largestBytes <= CFN_TEMPLATE_BYTES &&
      r.assembly.maxOutputs <= CFN_OUTPUTS &&
      r.assembly.maxParameters <= CFN_PARAMETERS,
  );
  lines.push(`| every stack within ${CFN_RESOURCES} resources, ${int(CFN_TEMPLATE_BYTES)} bytes, ${CFN_OUTPUTS} outputs, ${CFN_PARAMETERS} parameters | see table | ${verdict(limitsOk)} |`);
  lines.push(`| npm test <= ${TARGET_TEST_SECONDS} s | ${tests ? `${fmt(tests.wallS, 1)} s` : '-'} | ${tests && !tests.passed ? '**failed** (the suite did not pass)' : verdict(tests && tests.wallS <= TARGET_TEST_SECONDS)} |`);
  lines.push('');
  return `${lines.join('\n')}\n`;
}

/**
 * Linear or better: the CPU cost per UltraServer (case CPU less the empty app's, over UltraServers)
 * does not grow from one large case to the next (20% slack for noise). Average rather than marginal
 * cost, because the last step to rainier-scale also adds 15 sites of fixed per-site stacks; cases
 * under 256 UltraServers are shown but not judged, fixed costs dominate them.
 */
function linearity(sized: readonly Result[], empty: Result): { ok: boolean; text: string } {
  const perUltraServer = sized
    .filter((r) => r.case.ultraServers! >= 256)
    .map((r) => ((r.median.cpuS - empty.median.cpuS) * 1000) / r.case.ultraServers!);
  const ok = perUltraServer.length > 1 && perUltraServer.every((m, i) => i === 0 || m <= perUltraServer[i - 1] * 1.2);
  return { ok, text: `CPU ms per UltraServer, 256 UltraServers and up: ${perUltraServer.map((m) => fmt(m, 2)).join(' -> ')}` };
}

function packageVersion(name: string): string {
  try {
    return (JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

try {
  main();
} catch (e) {
  // Bad arguments and failed cases: the message says what and why (a failed case carries its stderr).
  process.stderr.write(`bench: ${(e as Error).message}\n`);
  process.exit(1);
}
