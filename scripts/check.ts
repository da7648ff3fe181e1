/**
 * Runs every compliance pack (cdk-nag AwsSolutions and NIST 800-53 rev 5, AWS Control Tower
 * proactive controls through cfn-guard) on every preset and prints, per preset and pack, the
 * unacknowledged findings and the acknowledgements. Exits 1 on any unacknowledged finding.
 *
 *   npm run check                      the small presets (about 15 s each)
 *   npm run check -- --scale           rainier-scale too (all 16 sites; minutes and several GB of memory)
 *   npm run check -- --preset NAME     one preset (repeatable)
 *   npm run check -- --acks            also list every acknowledgement with its reason
 *   npm run check -- -c config=PATH    your configuration (also -c preset=NAME, or a config pinned in cdk.json)
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { buildClusterApp } from '../lib/app';
import { Acknowledgement, COMPLIANCE_PACKS, Finding, acknowledgements, addCompliancePacks, complianceFindings, ruleName } from '../lib/compliance';
import { PRESET_NAMES, PresetName, isPresetName } from '../lib/config/presets';
import { ConfigError } from '../lib/config/errors';
import { ConfigSource, loadConfig } from '../lib/config/load';
import { DEFAULT_PRESET } from '../lib/config/presets';
import { configurationLine } from '../lib/context';
import { planCluster } from '../lib/plan/build';
import { describeSource } from '../lib/review/report';
import { CliSpec, ParsedArgs, cdkJsonContext, runCli } from './review-cli';

const SCALE_PRESET: PresetName = 'rainier-scale';

interface PresetResult {
  /** The preset name, or the configuration checked. */
  readonly preset: string;
  readonly findings: readonly Finding[];
  readonly acknowledgements: readonly Acknowledgement[];
  readonly seconds: number;
}

function checkPreset(preset: string, source: ConfigSource = { preset }, context: Record<string, unknown> = cdkJsonContext()): PresetResult {
  const started = Date.now();
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'rainier-check-'));
  try {
    const app = new App({ outdir, context, builtinCloudFormationValidation: false });
    buildClusterApp(app, source);
    addCompliancePacks(app);
    const findings = complianceFindings(app);
    return { preset, findings, acknowledgements: acknowledgements(app), seconds: (Date.now() - started) / 1000 };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()).join('\n');
}

/** `rainier-ohio-train/UltraServer0003/Resource/ASG` -> `<stack>/UltraServer*` style, to group repeats. */
function constructPattern(p: string): string {
  return p
    .split('/')
    .slice(1)
    .map((part) => part.replace(/\d{4}$/, '*'))
    .join('/');
}

export const CHECK_CLI: CliSpec = {
  usage: `Usage: npm run check -- [-c preset=NAME | -c config=PATH] [--preset NAME]... [--scale] [--acks]

Runs the compliance packs (cdk-nag AwsSolutions, NIST 800-53 rev 5, Control Tower controls via
cfn-guard) and exits 1 on any unacknowledged finding. With -c (or a config pinned in cdk.json) it
checks that configuration; otherwise every small preset.`,
  options: { preset: `a preset to check (repeatable): ${PRESET_NAMES.join(', ')}` },
  flags: { scale: 'rainier-scale too (minutes, several GB of memory)', acks: 'also list every acknowledgement with its reason' },
};

function main(args: ParsedArgs): number {
  const scale = args.flags.has('--scale');
  const listAcks = args.flags.has('--acks');
  const presets: PresetName[] = [];
  for (const p of args.options.preset) {
    if (!isPresetName(p)) {
      throw ConfigError.single('--preset', `"${p}"`, `one of ${PRESET_NAMES.join(', ')}`);
    }
    presets.push(p);
  }
  const results: PresetResult[] = [];
  if (args.sourceGiven && presets.length === 0) {
    process.stderr.write(`${configurationLine(args.source, DEFAULT_PRESET)}\n`);
    // Bad input stops here with its message, before any synthesis.
    planCluster(loadConfig(args.source));
    results.push(checkPreset(describeSource(args.source), args.source, { ...args.context }));
  } else {
    if (presets.length === 0) {
      presets.push(...PRESET_NAMES.filter((p) => p !== SCALE_PRESET || scale));
    }
    for (const preset of presets) {
      process.stderr.write(`checking ${preset} ...\n`);
      results.push(checkPreset(preset));
    }
  }

  const rows: string[][] = [['preset', 'pack', 'unacknowledged', 'acknowledged on constructs', 'seconds']];
  for (const r of results) {
    for (const pack of COMPLIANCE_PACKS) {
      rows.push([
        r.preset,
        pack,
        String(r.findings.filter((f) => f.pack === pack).length),
        String(r.acknowledgements.filter((a) => a.pack === pack).length),
        pack === COMPLIANCE_PACKS[0] ? r.seconds.toFixed(1) : '',
      ]);
    }
    const other = r.findings.filter((f) => !(COMPLIANCE_PACKS as readonly string[]).includes(f.pack));
    if (other.length > 0) {
      rows.push([r.preset, 'other', String(other.length), '', '']);
    }
  }
  process.stdout.write(`${table(rows)}\n`);

  const unacknowledged = results.flatMap((r) => r.findings.map((f) => ({ preset: r.preset, ...f })));
  if (unacknowledged.length > 0) {
    process.stdout.write('\nUnacknowledged findings:\n');
    for (const f of unacknowledged) {
      process.stdout.write(`  ${f.preset}  ${f.pack}  ${f.rule}  ${f.path}\n      ${f.description}\n`);
    }
  }

  if (listAcks) {
    // One line per rule, construct pattern and reason, with the presets and construct counts it covers.
    const groups = new Map<string, { ack: Acknowledgement; pattern: string; presets: Set<string>; count: number }>();
    // Acknowledgements outside the packs are aws-cdk-lib's own, for its built-in CloudFormation validation.
    for (const r of results) {
      for (const a of r.acknowledgements.filter((ack) => ack.pack !== undefined)) {
        const pattern = constructPattern(a.path);
        const key = `${a.pack}|${ruleName(a.rule)}|${pattern}|${a.reason}`;
        const group = groups.get(key) ?? { ack: a, pattern, presets: new Set<string>(), count: 0 };
        group.presets.add(r.preset);
        group.count++;
        groups.set(key, group);
      }
    }
    process.stdout.write('\nAcknowledgements:\n');
    for (const g of [...groups.values()].sort((a, b) => `${a.ack.pack}${a.ack.rule}`.localeCompare(`${b.ack.pack}${b.ack.rule}`))) {
      process.stdout.write(`  ${g.ack.pack}  ${ruleName(g.ack.rule)}  ${g.pattern}  (${g.count} in ${[...g.presets].join(', ')})\n      ${g.ack.reason}\n`);
    }
  }

  process.stdout.write(
    unacknowledged.length === 0
      ? `\nNo unacknowledged finding in ${results.length} preset(s).\n`
      : `\n${unacknowledged.length} unacknowledged finding(s).\n`,
  );
  return unacknowledged.length === 0 ? 0 : 1;
}

runCli(CHECK_CLI, main);
