/**
 * What a configuration change does, before anything is deployed:
 *
 *   npm run diff -- BEFORE AFTER        (each a preset name or the path of a config file)
 *
 * Prints, in order: the change in people's terms (UltraServers, chips, capacity, pools, stacks,
 * findings, configuration fields), the stateful-resource check, then the resource-level diff of
 * every stack as `cdk diff` shows it, computed offline by synthesising both sides in-process
 * (fresh App per side, cdk.json context) and comparing the templates with @aws-cdk/cloudformation-diff.
 *
 * Exit status: 0 when no stateful resource (FSx file system or data repository association, S3
 * bucket, KMS key, log group) would be replaced or deleted; 1 when one would; 2 on bad input
 * (the configuration error, no stack trace); 3 when the tool itself fails.
 */
import * as fs from 'fs';
import { ConfigError } from '../lib/config/errors';
import { ConfigSource } from '../lib/config/load';
import { PRESET_NAMES, isPresetName } from '../lib/config/presets';
import { describeSource } from '../lib/review/report';
import { Synthesis, synthesise } from '../lib/review/synth';
import { describeHazard, diffStacks } from '../lib/review/template-diff';
import { diffTopology, renderTopologyDiff } from '../lib/review/topology-diff';
import { cdkJsonContext, run } from './review-cli';

export const EXIT_SAFE = 0;
export const EXIT_STATEFUL_CHANGE = 1;

/** A preset name, or else the path of an existing config file. */
export function sourceOf(arg: string, side: 'BEFORE' | 'AFTER'): ConfigSource {
  if (isPresetName(arg)) {
    return { preset: arg };
  }
  if (fs.existsSync(arg) && fs.statSync(arg).isFile()) {
    return { configPath: arg };
  }
  throw ConfigError.single(side, `"${arg}"`, `a preset name (${PRESET_NAMES.join(', ')}) or the path of a config file`);
}

/**
 * Runs the diff and returns the text and the exit status (no process side effects).
 * `synth` defaults to an in-process synthesis with cdk.json's context (tests pass a memoised one).
 */
export function runDiff(
  args: readonly string[],
  synth: (source: ConfigSource) => Synthesis = (source) => synthesise(source, { context: cdkJsonContext() }),
): { text: string; status: number } {
  if (args.length !== 2) {
    throw ConfigError.single('arguments', args.length === 0 ? 'nothing' : `"${args.join(' ')}"`, 'exactly two: BEFORE AFTER (each a preset name or a config file path)');
  }
  const [beforeSource, afterSource] = [sourceOf(args[0], 'BEFORE'), sourceOf(args[1], 'AFTER')];
  const before = synth(beforeSource);
  const after = synth(afterSource);

  const out: string[] = [];
  out.push(renderTopologyDiff(diffTopology(before.plan, after.plan, describeSource(beforeSource), describeSource(afterSource))));
  out.push('');

  const stacks = diffStacks(before.stacks, after.stacks);
  const hazards = stacks.flatMap((s) => s.hazards);
  if (hazards.length === 0) {
    out.push('Stateful resources: none replaced or deleted.');
  } else {
    out.push(`!!! STATEFUL RESOURCES WOULD BE REPLACED OR DELETED (${hazards.length}) !!!`);
    hazards.forEach((h) => out.push(`  - ${describeHazard(h)}`));
    if (hazards.some((h) => h.stackRemoved)) {
      out.push('  (cdk deploy does not delete a stack that left the app; it stays deployed, unmanaged, until destroyed by hand.)');
    }
  }
  out.push('');

  out.push('Resource changes (offline template diff, as cdk diff shows them):');
  const unchanged = stacks.filter((s) => s.status === 'unchanged').map((s) => s.stack);
  for (const s of stacks.filter((x) => x.status !== 'unchanged')) {
    out.push('');
    out.push(`Stack ${s.stack} (${s.status})`);
    out.push(s.text);
  }
  out.push('');
  out.push(`Unchanged stacks: ${unchanged.length > 0 ? unchanged.join(', ') : 'none'}`);
  out.push('');
  out.push(
    hazards.length === 0
      ? 'Verdict: safe: no stateful resource is replaced or deleted (exit 0).'
      : `Verdict: UNSAFE: ${hazards.length} stateful ${hazards.length === 1 ? 'resource' : 'resources'} replaced or deleted (exit 1).`,
  );
  return { text: `${out.join('\n')}\n`, status: hazards.length === 0 ? EXIT_SAFE : EXIT_STATEFUL_CHANGE };
}

if (require.main === module) {
  run(() => {
    const { text, status } = runDiff(process.argv.slice(2));
    process.stdout.write(text);
    return status;
  });
}
