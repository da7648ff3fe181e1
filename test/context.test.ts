import { ConfigError } from '../lib/config/errors';
import { checkContextKeys, configurationLine, resolveContext } from '../lib/context';
import { REPORT_CLI } from '../scripts/report';
import { cdkJsonContext, helpText, parseArgs } from '../scripts/review-cli';


describe('one configuration for every entry point (lib/context.ts)', () => {
  test('fails when a context key is mistyped, naming the nearest known key', () => {
    expect(() => checkContextKeys({ conifg: 'cluster.yaml' })).toThrow(ConfigError);
    expect(() => checkContextKeys({ conifg: 'cluster.yaml' })).toThrow(/context conifg: got an unknown context key "conifg"; did you mean "config"\? known keys: preset, config, cloudFormationValidation, now/);
    expect(() => checkContextKeys({ prest: 'x', confg: 'y' })).toThrow(/2 problems/);
  });

  test("accepts the keys the CDK CLI and aws-cdk-lib inject, and cdk.json's own context", () => {
    expect(() =>
      checkContextKeys({
        ...cdkJsonContext(),
        'aws:cdk:enable-path-metadata': true,
        '@aws-cdk/core:newStyleStackSynthesis': true,
        'cli-telemetry': false,
        'acknowledged-issue-numbers': [1],
        'availability-zones:account=123456789012:region=us-east-2': ['us-east-2a'],
      }),
    ).not.toThrow();
  });

  test('the command line overrides cdk.json, and a config pinned in cdk.json is used', () => {
    expect(resolveContext({ config: 'pinned.yaml' }, {}).source).toEqual({ preset: undefined, configPath: 'pinned.yaml', now: undefined });
    expect(resolveContext({ config: 'pinned.yaml' }, { config: 'mine.yaml', preset: 'ultraserver' }).source).toEqual({ preset: 'ultraserver', configPath: 'mine.yaml', now: undefined });
    // Only an entry point's clock fills in the moment; the library alone leaves it unset.
    expect(resolveContext({}, {}, () => new Date(Date.UTC(2027, 0, 1))).source.now).toBe('2027-01-01T00:00:00.000Z');
  });

  test('the review scripts parse -c the same way, with cdk.json underneath', () => {
    const args = parseArgs(['-c', 'preset=ultraserver', '--json'], REPORT_CLI, { config: 'pinned.yaml' });
    expect(args.source).toEqual({ preset: 'ultraserver', configPath: 'pinned.yaml', now: expect.any(String) });
    expect(parseArgs(['-c', 'now=2027-01-01T00:00:00Z'], REPORT_CLI, {}).source.now).toBe('2027-01-01T00:00:00Z');
    expect(() => parseArgs(['-c', 'now=soon'], REPORT_CLI, {})).toThrow(/context now: got "soon"; an ISO 8601 date-time/);
    expect(args.flags).toEqual(new Set(['--json']));
    expect(parseArgs(['--context', 'config=a.yaml'], REPORT_CLI, {}).source.configPath).toBe('a.yaml');
  });

  test.each([
    [['-c', 'conifg=x.yaml'], /did you mean "config"\?/],
    [['--jsn'], /arguments: got "--jsn"; Unknown option '--jsn'.*allowed: -c KEY=VALUE, --json, --plan-only, --help/],
    [['-c', 'preset'], /-c: got "preset"; KEY=VALUE/],
    [['extra'], /arguments: got "extra"; exactly 0 positional/],
  ])('fails on %j with a message naming what is allowed', (argv, message) => {
    expect(() => parseArgs(argv, REPORT_CLI, {})).toThrow(message);
  });

  test('--help is recognised and its text lists the context keys and flags', () => {
    expect(parseArgs(['--help'], REPORT_CLI, {}).help).toBe(true);
    expect(parseArgs(['-h'], REPORT_CLI, {}).help).toBe(true);
    const text = helpText(REPORT_CLI);
    expect(text).toMatch(/^Usage: npm run report/);
    expect(text).toContain('-c, --context KEY=VALUE');
    expect(text).toContain('--plan-only');
  });

  test('one line names the configuration built', () => {
    expect(configurationLine({}, 'rainier-mini')).toBe('rainier: building preset rainier-mini (the default)');
    expect(configurationLine({ preset: 'ultraserver' }, 'rainier-mini')).toBe('rainier: building preset ultraserver');
    expect(configurationLine({ preset: 'ultraserver', configPath: 'a.yaml' }, 'rainier-mini')).toBe('rainier: building preset ultraserver with config file a.yaml');
  });
});
