#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { buildClusterApp, configSourceFromContext } from '../lib/app';
import { ConfigError } from '../lib/config/errors';
import { formatFindings } from '../lib/review/findings';
import { describeSource, writeReportFiles } from '../lib/review/report';

const app = new App();
try {
  const { plan } = buildClusterApp(app);
  const notes = formatFindings(plan.findings);
  if (notes !== '') {
    process.stderr.write(`${notes}\n`);
  }
  // Synthesise now (the CLI's automatic synthesis then reuses this assembly) and write the
  // topology report (topology.md, topology.json) next to the templates.
  writeReportFiles(plan, app.synth(), describeSource(configSourceFromContext(app)));
} catch (e) {
  if (e instanceof ConfigError) {
    process.stderr.write(`${e.message}\n`);
    process.exit(1);
  }
  throw e;
}
