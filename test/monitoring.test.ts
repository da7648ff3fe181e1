import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CfnElement, CfnParameter, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import { resolveConfig } from '../lib/config/load';
import { SiteMonitoring, SiteMonitoringProps } from '../lib/constructs/monitoring';
import {
  NEURON_PUBLISHER,
  cloudWatchAgentConfig,
  nodeTelemetryForPool,
  nodeTelemetrySection,
  nodeTelemetryStatements,
} from '../lib/constructs/node-telemetry';
import { planCluster } from '../lib/plan/build';
import { ALARM_EMAIL_PATTERN, DASHBOARD_LIMITS } from '../lib/plan/monitoring';
import { ClusterPlan } from '../lib/plan/types';
import { synthCluster, testApp } from './support/synth';

const FS_ID = 'fs-0123456789abcdef0';
const CR_A = 'cr-0123456789abcdef0';

function render(plan: ClusterPlan, siteIndex = 0, extra: Partial<SiteMonitoringProps> = {}): { template: Template; monitoring: SiteMonitoring } {
  const app = testApp();
  const site = plan.monitoring.sites[siteIndex];
  const stack = new Stack(app, 'Mon', { env: { region: site.region, account: '111122223333' } });
  const monitoring = new SiteMonitoring(stack, 'Monitoring', {
    plan: site,
    logRetentionDays: logs.RetentionDays.ONE_YEAR,
    overview: site.site === plan.monitoring.overviewSite ? plan.monitoring.overview : undefined,
    ...extra,
  });
  return { template: Template.fromStack(stack), monitoring };
}

const mini = planCluster(resolveConfig('rainier-mini', { monitoring: { emailSubscriptions: ['oncall@example.com'] } }));
const CR_B = 'cr-0fedcba9876543210';
const CR_C = 'cr-0fedcba9876543211';
/** rainier-mini with its UltraServer block IDs in the config: every reservation is known, so the site lists them (the dev pool's ODCR is CR_A). */
const listed = planCluster(
  resolveConfig('rainier-mini', { monitoring: { emailSubscriptions: ['oncall@example.com'] }, sites: { ohio: { pools: { train: { reservationIds: [CR_B, CR_C] } } } } }),
);

function alarmByPrefix(template: Template, prefix: string): Record<string, any> {
  const found = Object.entries(template.findResources('AWS::CloudWatch::Alarm')).filter(([id]) => id.startsWith(`Monitoring${prefix}`));
  if (found.length !== 1) {
    throw new Error(`expected one alarm ${prefix}, found ${found.map(([id]) => id).join(', ') || 'none'}`);
  }
  return found[0][1].Properties;
}

/** Resolves a Fn::Join of strings (dashboard bodies hold no other tokens here). */
function joined(value: unknown): string {
  if (typeof value === 'string') return value;
  const join = (value as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
  return join[1].map((part) => (typeof part === 'string' ? part : JSON.stringify(part).replace(/"/g, "'"))).join(join[0]);
}

describe('alarms: thresholds, descriptions and actions', () => {
  const { template } = render(listed, 0, { fileSystem: { fileSystemId: FS_ID, storageCapacityGiB: 2400 }, reservationIds: [CR_A] });

  test('every alarm notifies the topic on ALARM and OK, and says what to do', () => {
    const alarms = template.findResources('AWS::CloudWatch::Alarm');
    const topic = Object.keys(template.findResources('AWS::SNS::Topic'))[0];
    expect(Object.keys(alarms)).toHaveLength(listed.monitoring.sites[0].alarms.length);
    for (const { Properties: p } of Object.values<any>(alarms)) {
      expect(p.AlarmActions).toEqual([{ Ref: topic }]);
      expect(p.OKActions).toEqual([{ Ref: topic }]);
      expect(p.AlarmDescription).toMatch(/Do: /);
      expect(p.AlarmDescription.length).toBeLessThanOrEqual(1024);
    }
  });

  test('reserved capacity idle: AWS/EC2CapacityReservations, filtered to the site reservations, below 90% for 3 periods', () => {
    const p = alarmByPrefix(template, 'ReservedCapacityIdle');
    expect(p).toMatchObject({ ComparisonOperator: 'LessThanThreshold', Threshold: 90, EvaluationPeriods: 3, DatapointsToAlarm: 3, TreatMissingData: 'notBreaching' });
    expect(p.Metrics).toEqual([
      expect.objectContaining({
        Expression: `SELECT MIN(InstanceUtilization) FROM SCHEMA("AWS/EC2CapacityReservations", CapacityReservationId) WHERE CapacityReservationId = '${CR_B}' OR CapacityReservationId = '${CR_C}' OR CapacityReservationId = '${CR_A}'`,
        Period: 300,
        ReturnData: true,
      }),
    ]);
    expect(p.AlarmDescription).toMatch(/billed whether used or not/);
  });

  test('NeuronCore utilisation low per pool, on the pool-level series', () => {
    const p = alarmByPrefix(template, 'NeuronCoreUtilizationLowTrain');
    expect(p).toMatchObject({ ComparisonOperator: 'LessThanThreshold', Threshold: 20, EvaluationPeriods: 3 });
    expect(p.Metrics[0].MetricStat).toEqual({
      Metric: {
        Namespace: 'Rainier',
        MetricName: 'NeuronCoreUtilization',
        Dimensions: [
          { Name: 'Cluster', Value: 'rainier' },
          { Name: 'Pool', Value: 'train' },
          { Name: 'Site', Value: 'ohio' },
        ],
      },
      Period: 300,
      Stat: 'Average',
    });
  });

  test('any uncorrected ECC error fires on the first period', () => {
    const p = alarmByPrefix(template, 'NeuronUncorrectedEccDev');
    expect(p).toMatchObject({ ComparisonOperator: 'GreaterThanThreshold', Threshold: 0, EvaluationPeriods: 1 });
    const expr = p.Metrics.find((m: any) => m.Expression);
    expect(expr.Expression).toBe('FILL(hbm, 0) + FILL(sram, 0)');
    expect(p.Metrics.filter((m: any) => m.MetricStat).map((m: any) => m.MetricStat.Metric.MetricName).sort()).toEqual(['NeuronHbmEccUncorrected', 'NeuronSramEccUncorrected']);
  });

  test("node status check failed, through Auto Scaling group aggregates of this cluster's site only", () => {
    const p = alarmByPrefix(template, 'NodeStatusCheckFailed');
    expect(p).toMatchObject({ ComparisonOperator: 'GreaterThanThreshold', Threshold: 0, EvaluationPeriods: 1 });
    expect(p.Metrics[0].Expression).toBe(
      'SELECT MAX(StatusCheckFailed) FROM SCHEMA("AWS/EC2", AutoScalingGroupName) WHERE tag."rainier:cluster" = \'rainier\' AND tag."rainier:site" = \'ohio\'',
    );
  });

  test('FSx free capacity low, in percent of the capacity passed in', () => {
    const p = alarmByPrefix(template, 'FsxFreeCapacityLow');
    expect(p).toMatchObject({ ComparisonOperator: 'LessThanThreshold', Threshold: 10, EvaluationPeriods: 15 }); // 3 five-minute periods of one-minute data
    expect(p.Metrics.find((m: any) => m.Expression).Expression).toBe(`100 * free / ${2400 * 2 ** 30}`);
    expect(p.Metrics.find((m: any) => m.MetricStat).MetricStat).toMatchObject({
      Metric: { Namespace: 'AWS/FSx', MetricName: 'FreeDataStorageCapacity', Dimensions: [{ Name: 'FileSystemId', Value: FS_ID }] },
      Stat: 'Sum',
      Period: 60,
    });
  });

  test.each(['Network', 'Disk'])('FSx %s throughput saturated above 90%', (kind) => {
    const p = alarmByPrefix(template, `Fsx${kind}ThroughputSaturated`);
    expect(p).toMatchObject({ ComparisonOperator: 'GreaterThanThreshold', Threshold: 90, EvaluationPeriods: 3 });
    expect(p.Metrics[0].Expression).toBe(`SELECT MAX(${kind}ThroughputUtilization) FROM "AWS/FSx" WHERE FileSystemId = '${FS_ID}'`);
  });
});

describe('alarm topic', () => {
  const { template } = render(mini);

  test('is encrypted with a customer key that CloudWatch and EventBridge may use', () => {
    const keys = template.findResources('AWS::KMS::Key', { Properties: { Description: Match.stringLikeRegexp('alarm topic') } });
    const [keyId] = Object.keys(keys);
    expect(keyId).toBeDefined();
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
    template.hasResourceProperties('AWS::KMS::Key', {
      Description: Match.stringLikeRegexp('alarm topic'),
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Condition: { StringEquals: { 'aws:SourceAccount': '111122223333' }, ArnLike: { 'aws:SourceArn': Match.anyValue() } },
          }),
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Condition: { StringEquals: { 'aws:SourceAccount': '111122223333' }, ArnLike: { 'aws:SourceArn': Match.anyValue() } },
          }),
        ]),
      },
    });
  });

  test('every topic policy statement for a service principal carries a source condition', () => {
    for (const policy of Object.values(template.findResources('AWS::SNS::TopicPolicy'))) {
      for (const statement of policy.Properties.PolicyDocument.Statement) {
        if (statement.Principal?.Service !== undefined) {
          expect(Object.keys(statement.Condition ?? {})).toEqual(expect.arrayContaining(['StringEquals']));
          expect(JSON.stringify(statement.Condition)).toContain('aws:SourceArn');
        }
      }
    }
  });

  test('refuses non-TLS publishing and subscribes the configured addresses', () => {
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
    template.resourcePropertiesCountIs('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@example.com' }, 1);
  });

  test('lets CloudWatch alarms of this account publish (the topic policy replaces the default one)', () => {
    const alarmArns = Object.values(template.findResources('AWS::CloudWatch::Alarm')).flatMap((a) => a.Properties.AlarmActions);
    expect(alarmArns.length).toBeGreaterThan(0);
    const [topicId] = Object.keys(template.findResources('AWS::SNS::Topic'));
    for (const action of alarmArns) {
      expect(action).toEqual({ Ref: topicId });
    }
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topicId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'AlarmsPublish',
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Condition: Match.objectLike({ StringEquals: { 'aws:SourceAccount': '111122223333' } }),
          }),
        ]),
      },
    });
  });

  test('configured addresses: no AlarmEmail parameter', () => {
    expect(template.toJSON().Parameters?.AlarmEmail).toBeUndefined();
  });
});

describe('alarm subscriber: required at deployment unless the configuration names one or opts out', () => {
  test('no address configured: a required AlarmEmail parameter (String, e-mail pattern, no default), subscribed by e-mail', () => {
    const { template } = render(planCluster(resolveConfig('single-node')));
    template.hasParameter('AlarmEmail', {
      Type: 'String',
      AllowedPattern: ALARM_EMAIL_PATTERN,
      ConstraintDescription: Match.stringLikeRegexp('e-mail address'),
      Description: Match.stringLikeRegexp('confirmation message, and delivers nothing until'),
    });
    expect(template.toJSON().Parameters.AlarmEmail).not.toHaveProperty('Default');
    const [topicId] = Object.keys(template.findResources('AWS::SNS::Topic'));
    template.resourceCountIs('AWS::SNS::Subscription', 1);
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: { Ref: 'AlarmEmail' }, TopicArn: { Ref: topicId } });
  });

  test.each([
    ['oncall@example.com', true],
    ['first.last+alarms@ops.example.co.uk', true],
    ['oncall-at-example.com', false],
    ['oncall@localhost', false],
    ['a@b.c, d@e.f', false],
    ['', false],
  ])('the AlarmEmail pattern, matched as CloudFormation does (whole value): %j -> %s', (value, ok) => {
    expect(new RegExp(ALARM_EMAIL_PATTERN).test(value)).toBe(ok);
  });

  test('monitoring.alarmSubscribers: external: no parameter and no subscription (RAIN-W701 says so)', () => {
    const plan = planCluster(resolveConfig('single-node', { monitoring: { alarmSubscribers: 'external' } }));
    expect(plan.monitoring.sites[0].subscribers).toEqual({ kind: 'external' });
    const { template } = render(plan);
    template.resourceCountIs('AWS::SNS::Subscription', 0);
    expect(template.toJSON().Parameters?.AlarmEmail).toBeUndefined();
  });

  test('fails when alarmSubscribers is neither parameter nor external, naming the field', () => {
    expect(() => resolveConfig('single-node', { monitoring: { alarmSubscribers: 'pagerduty' } })).toThrow(/monitoring\.alarmSubscribers: got "pagerduty"/);
  });

  test('every site of rainier-scale plans its own AlarmEmail parameter', () => {
    const sites = planCluster(resolveConfig('rainier-scale')).monitoring.sites;
    expect(sites.length).toBeGreaterThan(1);
    expect(sites.map((m) => m.subscribers.kind === 'parameter' && m.subscribers.parameter.name)).toEqual(sites.map(() => 'AlarmEmail'));
  });

  test('the AlarmEmail parameter is in the monitoring stack only', () => {
    // Construct tree only (no template synthesis): a stack-level CfnParameter is a child of its stack.
    const stacks = synthCluster({ preset: 'rainier-mini' }).app.node.children.filter((c): c is Stack => Stack.isStack(c));
    const withParameter = stacks.filter((st) => st.node.tryFindChild('AlarmEmail') instanceof CfnParameter).map((st) => st.node.id);
    const monitoringStacks = stacks.map((st) => st.node.id).filter((id) => id.endsWith('-monitoring'));
    expect(monitoringStacks.length).toBe(1);
    expect(withParameter).toEqual(monitoringStacks);
  });
});

// ---------------------------------------------------------------------------------------------
// EventBridge: the rule's pattern against sample events from the EC2 User Guide
// (capacity-blocks-monitor.html, monitor-fcr-state.html). The guide's Capacity Block samples
// spell the envelope field `detail_type`; EventBridge events carry `detail-type`, used here.

type Pattern = { [key: string]: Pattern | (string | { prefix: string })[] };

/** EventBridge matching for the operators the rule uses: exact strings and `prefix`, any-of in arrays, nested objects. */
function matches(pattern: Pattern, event: Record<string, unknown>): boolean {
  return Object.entries(pattern).every(([key, expected]) => {
    const actual = event[key];
    if (Array.isArray(expected)) {
      const values = Array.isArray(actual) ? actual : [actual];
      return values.some((v) => typeof v === 'string' && expected.some((e) => (typeof e === 'string' ? e === v : v.startsWith(e.prefix))));
    }
    return typeof actual === 'object' && actual !== null && matches(expected, actual as Record<string, unknown>);
  });
}

function sample(detailType: string, id = CR_A): Record<string, unknown> {
  return {
    version: '0',
    id: '12345678-1234-1234-1234-123456789012',
    'detail-type': detailType,
    source: 'aws.ec2',
    account: '111122223333',
    time: '2027-01-31T10:50:00Z',
    region: 'us-east-2',
    resources: [`arn:aws:ec2:us-east-2:111122223333:capacity-reservation/${id}`],
    detail: { 'capacity-reservation-id': id, 'end-date': '2027-01-31T11:30:00Z' },
  };
}

describe('capacity events rule', () => {
  const patternOf = (template: Template): Pattern => Object.values<any>(template.findResources('AWS::Events::Rule'))[0].Properties.EventPattern;

  test('Region-wide when a Capacity Block ID is a deploy-time parameter, targeting the topic', () => {
    const { template } = render(mini);
    const pattern = patternOf(template);
    const topic = Object.keys(template.findResources('AWS::SNS::Topic'))[0];
    template.hasResourceProperties('AWS::Events::Rule', { Targets: [Match.objectLike({ Arn: { Ref: topic } })] });
    for (const t of [
      'Capacity Block Delivered',
      'Capacity Block Expiration Warning',
      'Capacity Block Reservation Delivered',
      'Capacity Block Reservation Expiration Warning',
      'EC2 Capacity Reservation Active',
      'EC2 Capacity Reservation Expired',
      'EC2 Capacity Reservation Instance Interruption Warning',
    ]) {
      expect({ t, matched: matches(pattern, sample(t)) }).toEqual({ t, matched: true });
    }
    expect(matches(pattern, sample('EC2 Instance State-change Notification'))).toBe(false);
    expect(matches(pattern, { ...sample('Capacity Block Delivered'), source: 'aws.health' })).toBe(false);
  });

  test('narrowed to the site reservations when it knows them all', () => {
    const pattern = patternOf(render(listed, 0, { reservationIds: [CR_A] }).template);
    expect(matches(pattern, sample('Capacity Block Expiration Warning', CR_A))).toBe(true);
    expect(matches(pattern, sample('Capacity Block Expiration Warning', CR_B))).toBe(true);
    expect(matches(pattern, sample('Capacity Block Expiration Warning', 'cr-0fffffffffffffff0'))).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------

describe('works without the FSx file system and reservation IDs', () => {
  const { template } = render(planCluster(resolveConfig('single-node')));

  test('leaves out FSx alarms and says so on the dashboard', () => {
    const ids = Object.keys(template.findResources('AWS::CloudWatch::Alarm'));
    expect(ids.some((id) => id.includes('Fsx'))).toBe(false);
    const body = joined(Object.values<any>(template.findResources('AWS::CloudWatch::Dashboard', { Properties: { DashboardName: 'rainier-ohio' } }))[0].Properties.DashboardBody);
    expect(body).toMatch(/no FSx file system was passed to this stack/);
    expect(body).not.toMatch(/\{\{/);
  });

  test('without the IDs of its own reservations, leaves out the reservation alarm and widgets and says why', () => {
    expect(Object.keys(template.findResources('AWS::CloudWatch::Alarm')).some((id) => id.includes('ReservedCapacityIdle'))).toBe(false);
    // Only the launch-failure rule: no capacity events rule.
    template.resourceCountIs('AWS::Events::Rule', 1);
    template.hasResourceProperties('AWS::Events::Rule', { EventPattern: { source: ['aws.autoscaling'] } });
    const body = joined(Object.values<any>(template.findResources('AWS::CloudWatch::Dashboard', { Properties: { DashboardName: 'rainier-ohio' } }))[0].Properties.DashboardBody);
    expect(body).toMatch(/no reservation IDs were passed to this stack/);
  });
});

describe('a site whose Capacity Block IDs are deploy-time parameters', () => {
  test("watches the Region's reservations tagged with the cluster, and its alarm says so", () => {
    const { template } = render(planCluster(resolveConfig('ultraserver')), 0, { reservationIds: [CR_A] });
    const p = alarmByPrefix(template, 'ReservedCapacityIdle');
    expect(p.Metrics[0].Expression).toBe(
      'SELECT MIN(InstanceUtilization) FROM SCHEMA("AWS/EC2CapacityReservations", CapacityReservationId) WHERE tag."rainier:cluster" = \'rainier\'',
    );
    expect(p.AlarmDescription).toMatch(/Scope: some Capacity Block IDs in us-east-2 are deploy-time parameters, so this watches every Capacity Reservation of the Region tagged rainier:cluster=rainier \(tag purchased Capacity Blocks with it\)\.$/);
    expect(JSON.stringify(template.toJSON())).not.toContain(CR_A);
  });

  test('a later one in the same Region is covered: no reservation alarm or rule, and its dashboard names the watching site', () => {
    const scale = planCluster(resolveConfig('rainier-scale'));
    const { template } = render(scale, 1);
    expect(Object.keys(template.findResources('AWS::CloudWatch::Alarm')).some((id) => id.includes('ReservedCapacityIdle'))).toBe(false);
    // Only the launch-failure rule: no capacity events rule.
    template.resourceCountIs('AWS::Events::Rule', 1);
    template.hasResourceProperties('AWS::Events::Rule', { EventPattern: { source: ['aws.autoscaling'] } });
    const body = joined(Object.values<any>(template.findResources('AWS::CloudWatch::Dashboard', { Properties: { DashboardName: 'rainier-building-02' } }))[0].Properties.DashboardBody);
    expect(body).toMatch(/every Capacity Reservation of the Region tagged rainier:cluster=rainier is watched once, on the `rainier-building-01` dashboard/);
  });
});

describe('dashboards within CloudWatch limits, rendered', () => {
  function check(template: Template): number {
    const dashboards = Object.values<any>(template.findResources('AWS::CloudWatch::Dashboard'));
    for (const d of dashboards) {
      const body = JSON.parse(joined(d.Properties.DashboardBody));
      expect(body.widgets.length).toBeLessThanOrEqual(DASHBOARD_LIMITS.widgetsPerDashboard);
      let total = 0;
      for (const w of body.widgets) {
        const n = (w.properties.metrics ?? []).length;
        expect(n).toBeLessThanOrEqual(DASHBOARD_LIMITS.metricsPerWidget);
        total += n;
      }
      expect(total).toBeLessThanOrEqual(DASHBOARD_LIMITS.metricsPerDashboard);
    }
    return dashboards.length;
  }

  test.each(['rainier-mini', 'ultraserver', 'single-node', 'trn1-small'])('%s (whole app)', (preset) => {
    const s = synthCluster({ preset });
    const mon = s.stackIds().filter((id) => id.endsWith('-monitoring'));
    expect(mon.length).toBe(s.plan.sites.length);
    // Site dashboard plus the overview in the first site.
    expect(check(s.template(mon[0]))).toBe(2);
  });

  test('rainier-scale (first site: its dashboard and the overview)', () => {
    const scale = planCluster(resolveConfig('rainier-scale'));
    expect(check(render(scale, 0, { fileSystem: { fileSystemId: FS_ID, storageCapacityGiB: 2400 } }).template)).toBe(2);
  });
});

// ---------------------------------------------------------------------------------------------

describe('node telemetry', () => {
  const section = nodeTelemetryForPool(mini, 'ohio', 'train');

  test('the agent publishes to our namespace, rolled up to Cluster/Site/Pool, and ships node logs', () => {
    const cfg = cloudWatchAgentConfig({ cluster: 'rainier', site: 'ohio', pool: 'train', region: 'us-east-2', logGroups: mini.monitoring.sites[0].logGroups }) as any;
    expect(cfg.agent.omit_hostname).toBe(true);
    expect(cfg.metrics.namespace).toBe('Rainier');
    expect(cfg.metrics.aggregation_dimensions).toEqual([['Cluster', 'Site', 'Pool']]);
    expect(cfg.metrics.append_dimensions).toBeUndefined();
    for (const plugin of ['mem', 'disk', 'ethtool']) {
      expect(cfg.metrics.metrics_collected[plugin].append_dimensions).toEqual({ Cluster: 'rainier', Site: 'ohio', Pool: 'train' });
    }
    expect(cfg.metrics.metrics_collected.ethtool.metrics_include).toEqual([
      'bw_in_allowance_exceeded',
      'bw_out_allowance_exceeded',
      'pps_allowance_exceeded',
      'conntrack_allowance_exceeded',
      'linklocal_allowance_exceeded',
    ]);
    const groups = cfg.logs.logs_collected.files.collect_list.map((f: any) => f.log_group_name);
    expect(new Set(groups)).toEqual(new Set(['/rainier/ohio/nodes/system', '/rainier/ohio/nodes/neuron']));
  });

  test('the section is valid bash and starts both publishers', () => {
    const script = ['#!/bin/bash', 'set -euo pipefail', ...section.commands].join('\n');
    execFileSync('bash', ['-n'], { input: script });
    expect(section.name).toBe('node-telemetry');
    expect(script).toMatch(/amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s -c file:/);
    expect(script).toMatch(/systemctl enable --now rainier-neuron-telemetry.service/);
    expect(script).toMatch(/--cluster rainier --site ohio --pool train/);
    // Nothing is downloaded: the agent must be in the image, and a missing one stops the boot naming it.
    expect(script).not.toMatch(/https?:\/\/|curl|dpkg|dnf/);
    expect(script).toContain('amazon-cloudwatch-agent is not in the image');
  });

  test('fails for a pool the plan does not have', () => {
    expect(() => nodeTelemetryForPool(mini, 'ohio', 'nope')).toThrow(/no pool nope in site ohio/);
  });

  test('the publisher turns neuron-monitor reports into EMF lines with our names', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'publisher-'));
    const script = path.join(dir, 'publisher.py');
    fs.writeFileSync(script, NEURON_PUBLISHER.replace('/var/lib/rainier/neuron-ecc-state.json', path.join(dir, 'state.json')));
    const report = (util: number, memEccUncorrected: number, errors: number) =>
      JSON.stringify({
        instance_info: { instance_id: 'i-0123456789abcdef0' },
        neuron_hardware_info: { neuron_device_count: 2, neuroncore_per_device_count: 2 },
        neuron_runtime_data: [
          {
            report: {
              neuroncore_counters: { neuroncores_in_use: { '0': { neuroncore_utilization: util }, '1': { neuroncore_utilization: util } } },
              memory_used: { neuron_runtime_used_bytes: { neuron_device: 1000 } },
              execution_stats: { error_summary: { generic: errors, hardware: 0 } },
            },
          },
        ],
        system_data: {
          neuron_hw_counters: {
            neuron_devices: [
              { neuron_device_index: 0, mem_ecc_corrected: 0, mem_ecc_uncorrected: memEccUncorrected, sram_ecc_corrected: 0, sram_ecc_uncorrected: 0 },
              { neuron_device_index: 1, mem_ecc_corrected: 0, mem_ecc_uncorrected: 0, sram_ecc_corrected: 0, sram_ecc_uncorrected: 0 },
            ],
          },
        },
      });
    const out = path.join(dir, 'out.log');
    const input = [report(80, 0, 0), 'not json', report(40, 2, 3), report(40, 2, 0)].join('\n') + '\n';
    const run = spawnSync('python3', [script, '--namespace', 'Rainier', '--cluster', 'rainier', '--site', 'ohio', '--pool', 'train', '--output', out, '--interval', '0'], { input });
    // The end of neuron-monitor's stream is a failure (systemd restarts the pipeline).
    expect({ status: run.status, stderr: run.stderr.toString() }).toEqual({ status: 1, stderr: '' });
    const lines = fs.readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(3);
    const [first, second, third] = lines;
    expect(first._aws.CloudWatchMetrics[0]).toMatchObject({ Namespace: 'Rainier', Dimensions: [['Cluster', 'Site', 'Pool']] });
    expect(first).toMatchObject({ Cluster: 'rainier', Site: 'ohio', Pool: 'train', InstanceId: 'i-0123456789abcdef0', NodesReporting: 1 });
    // Two of four cores busy at 80%: the node is 40% utilised.
    expect(first.NeuronCoreUtilization).toBeCloseTo(40);
    expect(first.NeuronDeviceMemoryUsed).toBe(1000);
    expect(second).toMatchObject({ NeuronHbmEccUncorrected: 2, NeuronExecutionErrors: 3, NeuronSramEccUncorrected: 0 });
    // Cumulative ECC counters: the same total again is no new event.
    expect(third).toMatchObject({ NeuronHbmEccUncorrected: 0, NeuronExecutionErrors: 0 });
    const names = first._aws.CloudWatchMetrics[0].Metrics.map((m: { Name: string }) => m.Name).sort();
    expect(names).toEqual(
      ['NeuronCoreUtilization', 'NeuronDeviceMemoryUsed', 'NeuronExecutionErrors', 'NeuronHbmEccCorrected', 'NeuronHbmEccUncorrected', 'NeuronSramEccCorrected', 'NeuronSramEccUncorrected', 'NodesReporting'].sort(),
    );
  });

  test('the publisher writes one NodesReporting point per node in every minute of the wall clock, so the minute\'s Sum counts nodes', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'publisher-'));
    const script = path.join(dir, 'publisher.py');
    fs.writeFileSync(script, NEURON_PUBLISHER.replace('/var/lib/rainier/neuron-ecc-state.json', path.join(dir, 'state.json')));
    const out = path.join(dir, 'out.log');
    // neuron-monitor every 5.2 s (a little slower than its 5 s period) for 30 minutes, from 12:00:37.
    const lines = 30 * 60 / 5.2;
    const input = Array.from({ length: Math.floor(lines) }, () => JSON.stringify({ neuron_hardware_info: { neuron_device_count: 1, neuroncore_per_device_count: 1 } })).join('\n') + '\n';
    const clock = `import itertools, runpy, sys, time\nticks = itertools.count()\ntime.time = lambda: 43237.0 + 5.2 * next(ticks)\nsys.argv = [${JSON.stringify(script)}, '--namespace', 'Rainier', '--cluster', 'c', '--site', 's', '--pool', 'p', '--output', ${JSON.stringify(out)}]\nrunpy.run_path(sys.argv[0], run_name='__main__')`;
    spawnSync('python3', ['-c', clock], { input });
    const stamps = fs.readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l)._aws.Timestamp as number);
    const minutes = stamps.map((t) => Math.floor(t / 60000));
    // Every minute from the first to the last has exactly one point (the last, unfinished minute is not written).
    expect(minutes).toEqual(Array.from({ length: minutes.length }, (_, i) => minutes[0] + i));
    expect(minutes.length).toBeGreaterThanOrEqual(29);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('node role statements: the two log groups and PutMetricData only into our namespace', () => {
    const stack = new Stack(testApp(), 'S', { env: { region: 'us-east-2', account: '111122223333' } });
    const [logsStatement, metrics] = nodeTelemetryStatements(stack, mini.monitoring.sites[0].logGroups).map((s) => stack.resolve(s.toStatementJson()));
    expect(logsStatement.Resource).toEqual([
      'arn:aws:logs:us-east-2:111122223333:log-group:/rainier/ohio/nodes/system:*',
      'arn:aws:logs:us-east-2:111122223333:log-group:/rainier/ohio/nodes/neuron:*',
    ]);
    expect(metrics).toMatchObject({ Action: 'cloudwatch:PutMetricData', Condition: { StringEquals: { 'cloudwatch:namespace': 'Rainier' } } });
  });

  test('the plain section builder takes an interval', () => {
    const s = nodeTelemetrySection({ cluster: 'c', site: 's', pool: 'p', region: 'us-east-1', logGroups: { system: '/a', neuronMetrics: '/b' }, intervalSeconds: 30 });
    expect(s.commands.join('\n')).toMatch(/--interval 30/);
  });
});

describe('launch failures reach the alarm topic', () => {
  test("an EventBridge rule for this site's groups' failed launches targets the site's alarm topic", () => {
    const app = testApp();
    const plan = planCluster(resolveConfig('ultraserver'));
    const stack = new Stack(app, 'mon', { env: { region: 'us-east-2' } });
    const m = new SiteMonitoring(stack, 'Monitoring', { plan: plan.monitoring.sites[0], logRetentionDays: logs.RetentionDays.ONE_YEAR });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['aws.autoscaling'], 'detail-type': ['EC2 Instance Launch Unsuccessful'], detail: { AutoScalingGroupName: [{ prefix: 'rainier-ohio-train-' }] } },
      Targets: [{ Arn: { Ref: Stack.of(m).getLogicalId(m.topic.node.defaultChild as CfnElement) } }],
    });
  });
});

