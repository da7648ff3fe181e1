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
import { loadConfig } from '../lib/config/load';
import { planCluster } from '../lib/plan/build';
import { buildReport, describeSource, renderReportJson, renderReportMarkdown } from '../lib/review/report';
import { synthesise } from '../lib/review/synth';
import { DEFAULT_PRESET } from '../lib/config/presets';
import { configurationLine } from '../lib/context';
import { CliSpec, runCli } from './review-cli';

export const REPORT_CLI: CliSpec = {
  usage: `Usage: npm run report -- [-c preset=NAME] [-c config=PATH] [--json] [--plan-only]

Prints the topology report of the configuration (cdk.json's context, then -c), without writing templates.`,
  flags: { json: 'print the report as JSON', 'plan-only': 'skip synthesis (instant; no stack figures)' },
};

if (require.main === module) {
  runCli(REPORT_CLI, (args) => {
    process.stderr.write(`${configurationLine(args.source, DEFAULT_PRESET)}\n`);
    const source = describeSource(args.source);
    const report = args.flags.has('--plan-only')
      ? buildReport(planCluster(loadConfig(args.source)), { source })
      : (() => {
          const synth = synthesise(args.source, { context: { ...args.context } });
          return buildReport(synth.plan, { source, stacks: synth.stacks });
        })();
    process.stdout.write(args.flags.has('--json') ? renderReportJson(report) : renderReportMarkdown(report));
    return 0;
  });
}
