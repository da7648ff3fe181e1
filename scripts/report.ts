/**
 * Prints the topology report of a configuration without writing templates anywhere:
 *
 *   npm run report -- [-c preset=NAME] [-c config=PATH] [--json] [--plan-only]
 *
 * By default it synthesises the app in-process into a temporary directory (removed afterwards) so
 * the stack table shows each stack's resource count and template size against CloudFormation's
 * limits, exactly as `cdk synth` would produce them (cdk.json context, path metadata). That takes
 * a few seconds for the small presets; `--plan-only` skips synthesis (instant, no stack figures),
 * which is the sensible choice for rainier-scale. `cdk synth` writes the same report into cdk.out
 * (topology.md, topology.json).
 */
import { ConfigError } from '../lib/config/errors';
import { loadConfig } from '../lib/config/load';
import { planCluster } from '../lib/plan/build';
import { buildReport, describeSource, renderReportJson, renderReportMarkdown } from '../lib/review/report';
import { synthesise } from '../lib/review/synth';
import { cdkJsonContext, parseArgs, run } from './review-cli';

run(() => {
  const args = parseArgs(process.argv.slice(2), ['--json', '--plan-only']);
  if (args.positional.length > 0) {
    throw new ConfigError([
      { path: 'arguments', given: `"${args.positional.join(' ')}"`, allowed: 'only -c preset=NAME, -c config=PATH, --json, --plan-only' },
    ]);
  }
  const source = describeSource(args.source);
  const report = args.flags.has('--plan-only')
    ? buildReport(planCluster(loadConfig(args.source)), { source })
    : (() => {
        const synth = synthesise(args.source, { context: cdkJsonContext() });
        return buildReport(synth.plan, { source, stacks: synth.stacks });
      })();
  process.stdout.write(args.flags.has('--json') ? renderReportJson(report) : renderReportMarkdown(report));
  return 0;
});
