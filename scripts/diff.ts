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
 * Exit status (docs/review.md):
 *   0  safe: nothing stateful is replaced or deleted and nothing the deployment would fail on;
 *   1  loses data or capacity: a file system, data repository association, bucket, key, log group
 *      or Capacity Reservation would be replaced, deleted or left behind;
 *   2  bad input (the configuration error, no stack trace);
 *   3  the tool itself failed;
 *   4  would fail: CloudFormation or the service would refuse the update (an export in use changes,
 *      FSx asked to shrink), or nodes could not launch (Capacity Blocks stranded in the old AZ);
 *   8  irreversible: a file system grows only because compute grew (storage.storageCapacityGiB not pinned);
 *   the codes 1, 4 and 8 are bits and combine (5 = loses data and would fail).
 */
import * as fs from 'fs';
import { ConfigError } from '../lib/config/errors';
import { ConfigSource } from '../lib/config/load';
import { CapacityKind } from '../lib/config/schema';
import { ClusterPlan } from '../lib/plan/types';
import { PRESET_NAMES, isPresetName } from '../lib/config/presets';
import { describeSource } from '../lib/review/report';
import { Synthesis, synthesise } from '../lib/review/synth';
import { describeHazard, diffStacks } from '../lib/review/template-diff';
import { diffTopology, renderTopologyDiff } from '../lib/review/topology-diff';
import { CliSpec, cdkJsonContext, runCli } from './review-cli';

export const EXIT_SAFE = 0;
/** Loses data or capacity (a bit, combined with EXIT_WOULD_FAIL). */
export const EXIT_LOSES_DATA_OR_CAPACITY = 1;
/** @deprecated the old name of EXIT_LOSES_DATA_OR_CAPACITY */
export const EXIT_STATEFUL_CHANGE = EXIT_LOSES_DATA_OR_CAPACITY;
/** The deployment would fail (a bit, combined with EXIT_LOSES_DATA_OR_CAPACITY). */
export const EXIT_WOULD_FAIL = 4;

/**
 * An irreversible change the configuration did not ask for (a bit): the plan grew a file system
 * because compute grew, and FSx for Lustre cannot shrink back. Pin `storage.storageCapacityGiB`
 * (to the old size to keep it, or to the new one to accept it) and the verdict clears.
 */
export const EXIT_IRREVERSIBLE = 8;

/**
 * File systems that grow only because the plan sized them from compute: the after-side does not pin
 * `storage.storageCapacityGiB`. FSx for Lustre storage "can only be increased"
 * (https://docs.aws.amazon.com/fsx/latest/LustreGuide/managing-storage-capacity.html), so a
 * temporary scale-up would grow it for good, and the later scale-down would fail.
 */
export function implicitStorageGrowth(before: ClusterPlan, after: ClusterPlan): string[] {
  return after.sites.flatMap((site) => {
    const old = before.sites.find((s) => s.name === site.name);
    if (old === undefined || site.storage.capacityGiB <= old.storage.capacityGiB || site.storage.configured.capacity) {
      return [];
    }
    return [
      `FSx ${site.name} would grow from ${old.storage.capacityGiB} to ${site.storage.capacityGiB} GiB because the plan sizes it (storage.storageCapacityGiB is not pinned), and can never shrink back. ` +
        `Pin storage.storageCapacityGiB: ${old.storage.capacityGiB} to keep it, or ${site.storage.capacityGiB} to grow it on purpose.`,
    ];
  });
}

/**
 * Capacity Blocks that a site's move to another Availability Zone strands: a block is delivered as a
 * targeted Capacity Reservation in one AZ and the subnet must be in the block's AZ (EC2 User Guide,
 * Capacity Blocks; REFERENCE.md §2), so the blocks bought for the old AZ cannot launch the nodes.
 * CloudFormation accepts the templates; the launches fail.
 */
export function strandedCapacityBlocks(before: ClusterPlan, after: ClusterPlan): string[] {
  return after.sites.flatMap((site) => {
    const old = before.sites.find((s) => s.name === site.name);
    if (old === undefined || old.availabilityZone === site.availabilityZone) {
      return [];
    }
    return site.pools
      .filter((p) => p.kind !== CapacityKind.ON_DEMAND_CAPACITY_RESERVATION && old.pools.some((o) => o.name === p.name))
      .map(
        (p) =>
          `${site.name}/${p.name}: its Capacity Blocks were bought in ${old.availabilityZone}; the site moves to ${site.availabilityZone}, where they cannot launch nodes (buy blocks there, then change the AZ)`,
      );
  });
}

/** The exit status of a verdict: a bit for each kind of hazard. */
export function exitStatusOf(losesDataOrCapacity: boolean, wouldFail: boolean): number {
  return (losesDataOrCapacity ? EXIT_LOSES_DATA_OR_CAPACITY : 0) | (wouldFail ? EXIT_WOULD_FAIL : 0);
}

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
  process.stderr.write(`rainier: comparing ${describeSource(beforeSource)} with ${describeSource(afterSource)}\n`);
  const before = synth(beforeSource);
  const after = synth(afterSource);

  const out: string[] = [];
  const topology = diffTopology(before.plan, after.plan, describeSource(beforeSource), describeSource(afterSource));
  out.push(renderTopologyDiff(topology));
  out.push('');

  const stacks = diffStacks(before.stacks, after.stacks);
  const hazards = stacks.flatMap((s) => s.hazards);
  const losing = hazards.filter((h) => h.kind !== 'would-fail');
  const failing = hazards.filter((h) => h.kind === 'would-fail');
  const topologyFailures = topology.warnings;
  out.push('');
  if (failing.length === 0) {
    out.push('Deployment: nothing CloudFormation would refuse.');
  } else {
    out.push(`!!! CLOUDFORMATION WOULD REFUSE THE UPDATE (${failing.length}) !!!`);
    failing.forEach((h) => out.push(`  - ${describeHazard(h)}`));
  }
  if (losing.length === 0) {
    out.push('Stateful resources: none replaced or deleted.');
  } else {
    out.push(`!!! STATEFUL RESOURCES WOULD BE REPLACED OR DELETED (${losing.length}) !!!`);
    losing.forEach((h) => out.push(`  - ${describeHazard(h)}`));
    if (losing.some((h) => h.stackRemoved)) {
      out.push('  (cdk deploy does not delete a stack that left the app; it stays deployed, unmanaged, until destroyed by hand.)');
    }
    if (losing.some((h) => h.via !== undefined)) {
      out.push('  (A replacement "through the import" happens only if the export is first released, e.g. by a two-step deploy.)');
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
  const stranded = strandedCapacityBlocks(before.plan, after.plan);
  if (stranded.length > 0) {
    out.push('');
    out.push(`!!! NODES WOULD FAIL TO LAUNCH (${stranded.length}) !!!`);
    stranded.forEach((x) => out.push(`  - ${x}`));
  }
  // The topology's failures (an FSx shrink) are also seen in the templates; count the templates' when both do.
  const refused = Math.max(failing.length, topologyFailures.length) + stranded.length;
  const growth = implicitStorageGrowth(before.plan, after.plan);
  if (growth.length > 0) {
    out.push('');
    out.push(`!!! IRREVERSIBLE CHANGE THE CONFIGURATION DID NOT ASK FOR (${growth.length}) !!!`);
    growth.forEach((g) => out.push(`  - ${g}`));
  }
  const status = exitStatusOf(losing.length > 0, refused > 0) | (growth.length > 0 ? EXIT_IRREVERSIBLE : 0);
  const verdicts: string[] = [];
  if (refused > 0) {
    verdicts.push(`WOULD FAIL: ${refused} ${refused === 1 ? 'change' : 'changes'} CloudFormation or the service would refuse`);
  }
  if (growth.length > 0) {
    verdicts.push(`IRREVERSIBLE: ${growth.length} file ${growth.length === 1 ? 'system grows' : 'systems grow'} as a side effect, not pinned`);
  }
  if (losing.length > 0) {
    verdicts.push(`LOSES DATA OR CAPACITY: ${losing.length} stateful ${losing.length === 1 ? 'resource' : 'resources'} replaced or deleted`);
  }
  out.push(
    verdicts.length === 0
      ? 'Verdict: safe: no stateful resource is replaced or deleted, and nothing would fail (exit 0).'
      : `Verdict: UNSAFE: ${verdicts.join('; ')} (exit ${status}).`,
  );
  return { text: `${out.join('\n')}\n`, status };
}

export const DIFF_CLI: CliSpec = {
  usage: `Usage: npm run diff -- BEFORE AFTER

BEFORE and AFTER are each a preset name or the path of a config file. Synthesises both offline and
prints the topology change, what CloudFormation would refuse, the stateful resources replaced or
deleted, and the resource diff of every stack (docs/review.md).

Exit status (bits 1, 4 and 8 combine):
  0  safe
  1  loses data or capacity (file system, DRA, bucket, key, log group or Capacity Reservation replaced or deleted)
  4  would fail (an export in use changes or disappears; FSx asked to shrink; a bucket name a retained bucket holds; Capacity Blocks left in the old AZ)
  8  irreversible (a file system grows as a side effect: storage.storageCapacityGiB not pinned)
  2  bad input
  3  internal error`,
  positionals: [2, 2],
};

if (require.main === module) {
  runCli(DIFF_CLI, (args) => {
    if (args.sourceGiven && Object.keys(args.context).some((k) => k === 'preset' || k === 'config')) {
      // Pinned in cdk.json or given with -c: the diff takes both sides as arguments instead.
      process.stderr.write('rainier: note: the diff compares its two arguments; -c preset/config (or a pinned config) is not used\n');
    }
    // Both sides are checked against the same moment (-c now=, default the clock).
    const { text, status } = runDiff(args.positional, (source) => synthesise({ ...source, now: args.source.now }, { context: { ...args.context } }));
    process.stdout.write(text);
    return status;
  });
}
