#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { buildClusterApp } from '../lib/app';
import { ConfigError } from '../lib/config/errors';
import { formatFindings } from '../lib/review/findings';

const app = new App();
try {
  const { plan } = buildClusterApp(app);
  const notes = formatFindings(plan.findings);
  if (notes !== '') {
    process.stderr.write(`${notes}\n`);
  }
} catch (e) {
  if (e instanceof ConfigError) {
    process.stderr.write(`${e.message}\n`);
    process.exit(1);
  }
  throw e;
}
