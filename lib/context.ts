import { ConfigError } from './config/errors';
import { ConfigSource } from './config/load';
import { nearest } from './config/nearest';

export { nearest };

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
  const now = tryGet(CONTEXT_NOW);
  if (now !== undefined && Number.isNaN(Date.parse(String(now)))) {
    throw ConfigError.single(`context ${CONTEXT_NOW}`, JSON.stringify(String(now)), 'an ISO 8601 date-time such as "2027-01-31T11:30:00Z"');
  }
  return {
    preset: preset === undefined ? undefined : String(preset),
    configPath: configPath === undefined ? undefined : String(configPath),
    now: now === undefined ? undefined : String(now),
  };
}

/** Whether a context flag is on: `true` or the string `"true"` (`-c key=true` arrives as a string). */
export function contextFlag(value: unknown): boolean {
  return value === true || value === 'true';
}

/**
 * `-c now=2027-01-01T00:00:00Z`: the moment end dates are checked against. The command line
 * (bin/, scripts/) defaults it to its clock; the library never reads the clock, so synthesis of a
 * given input is deterministic, and tests pass a fixed moment.
 */
export const CONTEXT_NOW = 'now';

/** Every context key the app itself reads. */
export const KNOWN_CONTEXT_KEYS: readonly string[] = [CONTEXT_PRESET, CONTEXT_CONFIG, CONTEXT_CFN_VALIDATION, CONTEXT_NOW];

/**
 * Keys the CDK CLI and aws-cdk-lib put into the context themselves, allowed untouched: `aws:cdk:*`
 * (path metadata, stack traces, bundling), feature flags `@aws-cdk/*`, `cli-telemetry`,
 * `acknowledged-issue-numbers`, and context-provider cache entries (`availability-zones:account=...`),
 * which all contain a colon.
 */
export function isToolContextKey(key: string): boolean {
  return key.includes(':') || key.startsWith('@aws-cdk/') || key.startsWith('aws-cdk') || key === 'cli-telemetry' || key === 'acknowledged-issue-numbers';
}

/**
 * Rejects every context key that is neither the app's nor the CDK's, naming the nearest known key:
 * a typo (`-c conifg=...`) must not silently build the default cluster.
 */
export function checkContextKeys(context: Readonly<Record<string, unknown>>): void {
  const unknown = Object.keys(context).filter((k) => !KNOWN_CONTEXT_KEYS.includes(k) && !isToolContextKey(k)).sort();
  if (unknown.length > 0) {
    throw new ConfigError(
      unknown.map((key) => {
        const near = nearest(key, KNOWN_CONTEXT_KEYS);
        return {
          path: `context ${key}`,
          given: `an unknown context key "${key}"`,
          allowed: `${near ? `did you mean "${near}"? ` : ''}known keys: ${KNOWN_CONTEXT_KEYS.join(', ')}`,
        };
      }),
    );
  }
}

/**
 * The one way every entry point reads its configuration: cdk.json's `context` block, then the
 * command line's `-c KEY=VALUE` on top (as the CDK CLI merges them), unknown keys rejected.
 */
export function resolveContext(
  cdkJson: Readonly<Record<string, unknown>>,
  commandLine: Readonly<Record<string, unknown>>,
  clock?: () => Date,
): { readonly context: Record<string, unknown>; readonly source: ConfigSource } {
  const context = { ...cdkJson, ...commandLine };
  checkContextKeys(context);
  const source = configSourceFromValues((k) => context[k]);
  // Only entry points pass a clock (bin/, scripts/); below them nothing reads it.
  return { context, source: source.now === undefined && clock !== undefined ? { ...source, now: clock().toISOString() } : source };
}

/** The one line every entry point prints (to stderr) naming the configuration it builds. */
export function configurationLine(source: Omit<ConfigSource, 'now'>, defaultPreset: string): string {
  const preset = source.preset ?? (source.configPath !== undefined ? undefined : defaultPreset);
  const parts = [
    preset !== undefined ? `preset ${preset}${source.preset === undefined ? ' (the default)' : ''}` : undefined,
    source.configPath !== undefined ? `config file ${source.configPath}${source.preset === undefined ? " (on the file's preset, else the default)" : ''}` : undefined,
  ].filter((p) => p !== undefined);
  return `rainier: building ${parts.join(' with ')}`;
}

