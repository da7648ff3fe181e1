import { ConfigSource } from './config/load';

/**
 * Context keys the app reads. This module loads nothing from aws-cdk-lib, so `bin/rainier.ts` can
 * validate its input before the (slow) CDK import.
 */
/** `-c preset=NAME` */
export const CONTEXT_PRESET = 'preset';
/** `-c config=PATH` */
export const CONTEXT_CONFIG = 'config';
/**
 * `-c cloudFormationValidation=true` runs aws-cdk-lib's built-in CloudFormation validation (a WASM
 * template linter) during synthesis; cdk.json sets `@aws-cdk/core:validateAgainstDefaultRules` (as
 * `cdk init` does), so a finding then fails synthesis. Off by default in the app: it was two thirds
 * of the default preset's synthesis time and over a third of rainier-scale's (docs/benchmarks.md).
 * The test suite runs it on every small preset and fails on any unacknowledged finding
 * (test/compliance.test.ts).
 */
export const CONTEXT_CFN_VALIDATION = 'cloudFormationValidation';

/**
 * Context the app sets itself, as `new App({ context })` defaults (the CLI's `-c` still overrides
 * them), rather than in cdk.json: the CDK CLI warns about every `aws:` key in cdk.json's context
 * ("A reserved context key ('context.aws:') ... should be removed"). Both keep construct stack traces
 * out of the cloud assembly's metadata: capturing one per construct is slow at scale and only helps
 * when debugging; `CDK_DEBUG=true` (or `cdk synth --debug`) brings creation stack traces back
 * (aws-cdk-lib core/lib/debug.ts, stack.ts, cfn-element.ts). Every in-process App adds them too.
 */
export const APP_CONTEXT: Readonly<Record<string, unknown>> = {
  'aws:cdk:disable-creation-stack-traces': true,
  'aws:cdk:disable-stack-trace': true,
};

/**
 * Context the CDK CLI (2.1148) adds to cdk.json's on every synthesis (`contextFromSettings`): path
 * metadata (`aws:cdk:path` on every resource, about 5% of a template's bytes) and asset metadata on,
 * version reporting off. Synthesis outside the CLI (the scale test, the review tools, the benchmark)
 * adds it too, so the templates it measures are the ones `cdk deploy` uploads.
 */
export const CLI_SYNTH_CONTEXT: Readonly<Record<string, unknown>> = {
  'aws:cdk:enable-path-metadata': true,
  'aws:cdk:enable-asset-metadata': true,
  'aws:cdk:disable-version-reporting': true,
};

/** The configuration source named by context values (`tryGet` returns undefined for absent keys). */
export function configSourceFromValues(tryGet: (key: string) => unknown): ConfigSource {
  const preset = tryGet(CONTEXT_PRESET);
  const configPath = tryGet(CONTEXT_CONFIG);
  return {
    preset: preset === undefined ? undefined : String(preset),
    configPath: configPath === undefined ? undefined : String(configPath),
  };
}

/** Whether a context flag is on: `true` or the string `"true"` (`-c key=true` arrives as a string). */
export function contextFlag(value: unknown): boolean {
  return value === true || value === 'true';
}
