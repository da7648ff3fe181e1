import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { APP_CONTEXT, CLI_SYNTH_CONTEXT } from '../context';
import { buildClusterApp } from '../app';
import { ConfigSource } from '../config/load';
import { ClusterPlan } from '../plan/types';
import { SynthesisedStack, readAssembly } from './assembly';

export interface Synthesis {
  readonly plan: ClusterPlan;
  readonly stacks: readonly SynthesisedStack[];
}

export interface SynthOptions {
  /**
   * App context, e.g. the `context` block of cdk.json, so the templates match what `cdk synth` emits.
   * @default no context (the library's defaults)
   */
  readonly context?: Record<string, unknown>;
}

/**
 * Builds the cluster app for a configuration source in a fresh App and synthesises it (cdk-nag
 * included, as `cdk synth` does) into a temporary directory that is removed afterwards.
 * With the context the CDK CLI adds (path metadata on: template sizes match and diffs show construct paths).
 * Throws ConfigError on bad input, before anything is synthesised.
 */
export function synthesise(source: ConfigSource, options: SynthOptions = {}): Synthesis {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'rainier-review-'));
  try {
    const app = new App({
      outdir,
      // As the CLI app (bin/rainier.ts, lib/context.ts): the built-in CloudFormation validation is off.
      builtinCloudFormationValidation: false,
      context: { ...APP_CONTEXT, ...options.context, ...CLI_SYNTH_CONTEXT },
    });
    const { plan } = buildClusterApp(app, source);
    return { plan, stacks: readAssembly(app.synth()) };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}
