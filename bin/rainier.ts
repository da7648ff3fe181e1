#!/usr/bin/env node
import * as fs from 'fs';
import { ConfigError } from '../lib/config/errors';
import { loadConfig } from '../lib/config/load';
import { DEFAULT_PRESET } from '../lib/config/presets';
import { APP_CONTEXT, CONTEXT_CFN_VALIDATION, configurationLine, contextFlag, resolveContext } from '../lib/context';
import { planCluster } from '../lib/plan/build';
import { ClusterPlan } from '../lib/plan/types';

/**
 * The context the CDK CLI hands the app (CDK_CONTEXT_JSON, or a file when it is too large for the
 * environment), read here the way `App` reads it, so input can be checked before aws-cdk-lib loads.
 */
function cliContext(): Record<string, unknown> {
  const overflow = process.env.CONTEXT_OVERFLOW_LOCATION_ENV;
  const json = process.env.CDK_CONTEXT_JSON;
  return {
    ...(json ? (JSON.parse(json) as Record<string, unknown>) : {}),
    ...(overflow ? (JSON.parse(fs.readFileSync(overflow, 'utf8')) as Record<string, unknown>) : {}),
  };
}

const context = cliContext();

// Bad input fails here, in about a second: config, schema, plan and rules load nothing from aws-cdk-lib.
/** Bad input: a short message naming the field, exit 1, nothing written. Anything else is a bug and throws. */
function exitOnConfigError<T>(run: () => T): T {
  try {
    return run();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
}

// The CLI hands over cdk.json's context with -c on top: the same sources, read by the same module,
// as every review script (lib/context.ts). An unknown key is an error naming the nearest known one.
const { source } = exitOnConfigError(() => resolveContext({}, context, () => new Date()));
// One line naming the configuration, on stderr so `cdk synth`'s stdout stays the template.
process.stderr.write(`${configurationLine(source, DEFAULT_PRESET)}\n`);
// Warnings and infos reach the CLI as annotations (lib/stacks/findings.ts), printed once, after synthesis.
const plan: ClusterPlan = exitOnConfigError(() => planCluster(loadConfig(source)));

// Only now load the CDK (several seconds) and render the plan.
/* eslint-disable @typescript-eslint/no-require-imports */
const { App } = require('aws-cdk-lib') as typeof import('aws-cdk-lib');
const { buildClusterApp } = require('../lib/app') as typeof import('../lib/app');
const { describeSource, writeReportFiles } = require('../lib/review/report') as typeof import('../lib/review/report');
/* eslint-enable @typescript-eslint/no-require-imports */

exitOnConfigError(() => {
  const app = new App({ context: { ...APP_CONTEXT }, builtinCloudFormationValidation: contextFlag(context[CONTEXT_CFN_VALIDATION]) });
  buildClusterApp(app, source, plan);
  // Synthesise now (the CLI's automatic synthesis then reuses this assembly) and write the
  // topology report (topology.md, topology.json) next to the templates.
  writeReportFiles(plan, app.synth(), describeSource(source));
});
