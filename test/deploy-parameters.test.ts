import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { resolveConfig } from '../lib/config/load';
import { planCluster } from '../lib/plan/build';
import { deployParametersOf } from '../lib/plan/deploy-parameters';
import { buildReport, renderReportMarkdown } from '../lib/review/report';
import { synthCluster } from './support/synth';

const AMI = 'ami-0123456789abcdef0';

function write(body: object): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rainier-params-')), 'config.json');
  fs.writeFileSync(file, JSON.stringify(body));
  return file;
}

/** Parameters of a template the deployer fills: not CDK's bootstrap check, not resolved from SSM. */
function deployerParameters(parameters: Record<string, { Type: string; Default?: unknown }>): string[] {
  return Object.entries(parameters)
    .filter(([name, p]) => name !== 'BootstrapVersion' && !p.Type.startsWith('AWS::SSM::Parameter::Value'))
    .map(([name]) => name);
}

describe('deploy-time parameters: the plan (and so the report) names exactly what each template requires', () => {
  test.each([
    ['the default preset (rainier-mini): image, alarm address and block IDs at deployment', { preset: 'rainier-mini' }],
    [
      'everything in the configuration: only the S3 prefix list remains',
      {
        preset: 'rainier-mini',
        compute: { image: { amiIds: { 'us-east-2': AMI } } },
        monitoring: { emailSubscriptions: ['oncall@example.com'] },
        sites: { ohio: { pools: { train: { reservationIds: ['cr-0123456789abcdef0', 'cr-0123456789abcdef1'] } } } },
      },
    ],
  ])('%s', (_, body) => {
    const s = synthCluster({ configPath: write(body) });
    for (const stack of s.plan.stacks) {
      const parameters = s.template(stack.id).toJSON().Parameters ?? {};
      const required = deployerParameters(parameters);
      expect({ stack: stack.id, parameters: required.sort() }).toEqual({ stack: stack.id, parameters: deployParametersOf(s.plan, stack).sort() });
      for (const name of required) {
        expect({ stack: stack.id, name, default: parameters[name].Default }).toEqual({ stack: stack.id, name, default: undefined });
      }
    }
  });

  test('the report lists them per stack', () => {
    const md = renderReportMarkdown(buildReport(planCluster(resolveConfig('rainier-mini'))));
    expect(md).toContain('## Deploy-time parameters');
    expect(md).toContain('| rainier-ohio-network | `S3PrefixListId` |');
    expect(md).toContain('| rainier-ohio-train | `ReservationIds`, `NodeImageId` |');
    expect(md).toContain('| rainier-ohio-dev | `NodeImageId` |');
    expect(md).toContain('| rainier-ohio-monitoring | `AlarmEmail` |');
    expect(md).not.toMatch(/\| rainier-ohio-storage \| `/);
  });

  test('opting out removes them: alarmSubscribers external, image latest', () => {
    const plan = planCluster(resolveConfig('single-node', { monitoring: { alarmSubscribers: 'external' }, compute: { image: 'latest' } }));
    expect(plan.stacks.flatMap((st) => deployParametersOf(plan, st))).toEqual(['S3PrefixListId']);
  });

  test('rainier-scale: every stack stays far below 200 parameters', () => {
    const plan = planCluster(resolveConfig('rainier-scale'));
    const most = Math.max(...plan.stacks.map((st) => deployParametersOf(plan, st).length));
    expect(most).toBeGreaterThan(0);
    expect(most).toBeLessThanOrEqual(3);
  });
});
