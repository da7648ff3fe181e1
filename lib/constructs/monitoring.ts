import { CfnParameter, Duration, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { KeyAdministration, retainedKey } from './key-policy';
import { AlarmPlan, Binding, DashboardPlan, MetricSourcePlan, MetricStatPlan, PLACEHOLDER, ReservationWatch, SiteMonitoringPlan, WidgetPlan } from '../plan/monitoring';

/** The site's shared file system, as the storage stack knows it. */
export interface MonitoredFileSystem {
  /** FSx file system ID (a token from the storage stack is fine). */
  readonly fileSystemId: string;
  /** Storage capacity, GiB: the free-capacity alarm works in percent of it. */
  readonly storageCapacityGiB: number;
}

export interface SiteMonitoringProps {
  readonly plan: SiteMonitoringPlan;
  /** Who administers and may delete the topic key. @default the account root administers; nobody deletes */
  readonly keyAdministration?: KeyAdministration;
  readonly logRetentionDays: logs.RetentionDays;
  /** The cluster overview dashboard(s), rendered only in the overview site. @default none */
  readonly overview?: readonly DashboardPlan[];
  /**
   * The site's FSx file system. Without it the FSx alarms are not created and the FSx widgets say
   * what is missing. @default none
   */
  readonly fileSystem?: MonitoredFileSystem;
  /**
   * Capacity Reservation IDs of the site not named in the configuration: the On-Demand Capacity
   * Reservations the compute stacks create. When the plan's watch is LISTED, they are watched with
   * the configured ones; with no ID at all, the reservation alarms and widgets are left out. Other
   * watches ignore them. @default none
   */
  readonly reservationIds?: readonly string[];
}

/**
 * A site's monitoring: an SNS topic encrypted with a customer key, the plan's alarms (actions to the
 * topic), an EventBridge rule for Capacity Block and Capacity Reservation events, the site dashboard
 * (and the cluster overview where the plan puts it), and the node log groups.
 */
export class SiteMonitoring extends Construct {
  public readonly topic: sns.Topic;
  public readonly topicKey: kms.Key;
  public readonly alarms: Readonly<Record<string, cloudwatch.Alarm>>;
  public readonly capacityEventsRule?: events.Rule;
  /** Failed launches of the site's node groups, to the alarm topic. */
  public readonly launchFailuresRule: events.Rule;
  public readonly dashboards: readonly cloudwatch.Dashboard[];
  /** The deploy-time alarm address, when the plan asks for one. */
  public readonly alarmEmail?: CfnParameter;

  private readonly plan: SiteMonitoringPlan;
  private readonly fileSystem?: MonitoredFileSystem;
  private readonly reservationIds: readonly string[];

  constructor(scope: Construct, id: string, props: SiteMonitoringProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.plan = props.plan;
    if (props.fileSystem !== undefined && (Token.isUnresolved(props.fileSystem.storageCapacityGiB) || props.fileSystem.storageCapacityGiB <= 0)) {
      throw new Error(`fileSystem.storageCapacityGiB must be a positive number known at synthesis, got ${props.fileSystem.storageCapacityGiB}`);
    }
    this.fileSystem = props.fileSystem;
    this.reservationIds =
      props.plan.reservationWatch === ReservationWatch.LISTED ? [...props.plan.reservationIds, ...(props.reservationIds ?? [])] : [];

    this.topicKey = retainedKey(this, 'TopicKey', `Encrypts the ${props.plan.site} alarm topic`, props.keyAdministration);
    // CloudWatch alarms and EventBridge publish to the encrypted topic only if the key lets them.
    // Each service principal only for this account's alarms and rules (aws:SourceAccount, aws:SourceArn:
    // IAM User Guide, "The confused deputy problem",
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html).
    const alarmArns = `arn:${stack.partition}:cloudwatch:${stack.region}:${stack.account}:alarm:*`;
    const ruleArns = `arn:${stack.partition}:events:${stack.region}:${stack.account}:rule/*`;
    for (const [sid, service, sourceArn] of [
      ['AlarmsPublishToTopic', 'cloudwatch.amazonaws.com', alarmArns],
      ['EventsPublishToTopic', 'events.amazonaws.com', ruleArns],
    ] as const) {
      this.topicKey.addToResourcePolicy(
        new iam.PolicyStatement({
          sid,
          principals: [new iam.ServicePrincipal(service)],
          actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          resources: ['*'],
          conditions: { StringEquals: { 'aws:SourceAccount': stack.account }, ArnLike: { 'aws:SourceArn': sourceArn } },
        }),
      );
    }
    this.topic = new sns.Topic(this, 'AlarmTopic', {
      displayName: `${props.plan.site} cluster alarms`,
      masterKey: this.topicKey,
      enforceSSL: true,
    });
    // enforceSSL gives the topic a resource policy, which replaces SNS's default one: CloudWatch
    // alarms may publish only if the policy says so (EventBridge's SnsTopic target adds its own).
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AlarmsPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:cloudwatch:${stack.region}:${stack.account}:alarm:*` },
        },
      }),
    );
    const subscribers = props.plan.subscribers;
    if (subscribers.kind === 'emails') {
      for (const address of subscribers.addresses) {
        this.topic.addSubscription(new subscriptions.EmailSubscription(address));
      }
    } else if (subscribers.kind === 'parameter') {
      // At stack level, so its logical ID is exactly the plan's name. No default: a deployment
      // without a value fails before anything is created (CDK CLI: "missing a value").
      const p = subscribers.parameter;
      this.alarmEmail = new CfnParameter(stack, p.name, {
        type: p.type,
        description: p.description,
        allowedPattern: p.allowedPattern,
        constraintDescription: p.constraintDescription,
      });
      // L2 Subscription with a literal ID (addSubscription would derive one from the token).
      new sns.Subscription(this, 'AlarmEmailSubscription', { topic: this.topic, protocol: sns.SubscriptionProtocol.EMAIL, endpoint: this.alarmEmail.valueAsString });
    }

    const action = new cwActions.SnsAction(this.topic);
    const alarms: Record<string, cloudwatch.Alarm> = {};
    for (const a of props.plan.alarms) {
      if (!this.available(a.requires)) {
        continue;
      }
      const alarm = new cloudwatch.Alarm(this, a.id, {
        metric: this.metricOf(a.metric),
        threshold: a.threshold,
        comparisonOperator: COMPARISON[a.comparison],
        evaluationPeriods: a.evaluationPeriods,
        datapointsToAlarm: a.datapointsToAlarm,
        treatMissingData: MISSING[a.treatMissingData],
        alarmDescription: a.description,
      });
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
      alarms[a.id] = alarm;
    }
    this.alarms = alarms;

    const capacityEvents = props.plan.capacityEvents;
    if (capacityEvents !== undefined && this.available(Binding.RESERVATIONS)) {
      const { pattern } = capacityEvents;
      const listed = props.plan.reservationWatch === ReservationWatch.LISTED;
      this.capacityEventsRule = new events.Rule(this, 'CapacityEvents', {
        description: `Capacity Block delivered / expiring and Capacity Reservation state changes (${listed ? `site ${props.plan.site}` : `every reservation in ${props.plan.region}; EventBridge cannot filter by tag`})`,
        eventPattern: {
          source: [...pattern.source],
          detailType: events.Match.anyOf(...pattern.detailType.map((d) => events.Match.prefix(d.prefix))),
          ...(listed ? { detail: { 'capacity-reservation-id': [...this.reservationIds] } } : {}),
        },
      });
      this.publishToTopic(this.capacityEventsRule, 'CapacityEventsPublish');
    }

    const launch = props.plan.launchFailures;
    this.launchFailuresRule = new events.Rule(this, 'LaunchFailures', {
      description: `Failed launches of the node groups of site ${props.plan.site} (groups named ${launch.groupNamePrefixes.map((p) => `${p}*`).join(', ')})`,
      eventPattern: {
        source: [launch.source],
        detailType: [launch.detailType],
        detail: { AutoScalingGroupName: events.Match.anyOf(...launch.groupNamePrefixes.map((p) => events.Match.prefix(p))) },
      },
    });
    this.publishToTopic(this.launchFailuresRule, 'LaunchFailuresPublish');

    const alarmList = Object.values(alarms);
    this.dashboards = [...props.plan.dashboards, ...(props.overview ?? [])].map((d) => {
      const dashboard = new cloudwatch.Dashboard(this, d.id, { dashboardName: d.name });
      dashboard.addWidgets(...d.widgets.map((w) => this.widgetOf(w, alarmList)));
      return dashboard;
    });
  }

  /**
   * Sends a rule's events to the alarm topic. Not targets.SnsTopic: it adds a topic policy statement
   * for EventBridge without a source condition. This target adds none, and the statement names the
   * rule and this account (IAM User Guide, "The confused deputy problem").
   */
  private publishToTopic(rule: events.Rule, sid: string): void {
    const topic = this.topic;
    rule.addTarget({ bind: () => ({ arn: topic.topicArn }) });
    topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid,
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account }, ArnEquals: { 'aws:SourceArn': rule.ruleArn } },
      }),
    );
  }

  private available(binding?: Binding): boolean {
    switch (binding) {
      case undefined:
        return true;
      case Binding.FILE_SYSTEM:
        return this.fileSystem !== undefined;
      case Binding.RESERVATIONS:
        switch (this.plan.reservationWatch) {
          case ReservationWatch.LISTED:
            return this.reservationIds.length > 0;
          case ReservationWatch.REGION:
            return true;
          case ReservationWatch.COVERED:
            return false;
        }
    }
  }

  /** Fills the plan's placeholders with what this site knows. */
  private fill(text: string): string {
    // Listed: exactly the site's reservations. Region-wide: the Region's reservations tagged with the cluster.
    const where =
      this.reservationIds.length > 0
        ? ` WHERE ${this.reservationIds.map((r) => `CapacityReservationId = '${r}'`).join(' OR ')}`
        : this.plan.reservationWatch === ReservationWatch.REGION
          ? ` WHERE ${this.plan.reservationTagFilter}`
          : '';
    let out = text.split(PLACEHOLDER.reservationWhere).join(where);
    if (this.fileSystem !== undefined) {
      out = out.split(PLACEHOLDER.fileSystemId).join(this.fileSystem.fileSystemId);
      out = out.split(PLACEHOLDER.fileSystemCapacityBytes).join((this.fileSystem.storageCapacityGiB * 2 ** 30).toFixed(0));
    }
    return out;
  }

  private statOf(m: MetricStatPlan): cloudwatch.Metric {
    const dimensionsMap: Record<string, string> = {};
    for (const [k, v] of Object.entries(m.dimensions)) {
      dimensionsMap[k] = this.fill(v);
    }
    return new cloudwatch.Metric({
      namespace: m.namespace,
      metricName: m.metricName,
      dimensionsMap,
      statistic: m.statistic,
      period: Duration.seconds(m.periodSeconds),
      label: m.label,
    });
  }

  private metricOf(source: MetricSourcePlan): cloudwatch.IMetric {
    switch (source.kind) {
      case 'metric':
        return this.statOf(source);
      case 'query':
        return new cloudwatch.MathExpression({ expression: this.fill(source.query), period: Duration.seconds(source.periodSeconds), label: source.label });
      case 'math': {
        const usingMetrics: Record<string, cloudwatch.IMetric> = {};
        for (const [key, m] of Object.entries(source.using)) {
          usingMetrics[key] = this.statOf(m);
        }
        return new cloudwatch.MathExpression({
          expression: this.fill(source.expression),
          usingMetrics,
          period: Duration.seconds(source.periodSeconds),
          label: source.label,
        });
      }
    }
  }

  private widgetOf(w: WidgetPlan, alarms: readonly cloudwatch.Alarm[]): cloudwatch.IWidget {
    if (!this.available(w.requires)) {
      return new cloudwatch.TextWidget({
        width: w.width,
        height: w.height,
        markdown: `**${w.title}**\n\nNot shown: ${w.requires === Binding.FILE_SYSTEM ? 'no FSx file system was passed to this stack (prop `fileSystem`)' : 'no reservation IDs were passed to this stack (prop `reservationIds`)'}.`,
      });
    }
    switch (w.kind) {
      case 'text':
        return new cloudwatch.TextWidget({ width: w.width, height: w.height, markdown: w.markdown ?? '' });
      case 'alarm-status':
        return new cloudwatch.AlarmStatusWidget({ title: w.title, width: w.width, height: w.height, alarms: [...alarms] });
      case 'graph':
        return new cloudwatch.GraphWidget({
          title: w.title,
          width: w.width,
          height: w.height,
          region: w.region,
          left: (w.metrics ?? []).map((m) => this.metricOf(m)),
          leftAnnotations: w.annotation ? [{ value: w.annotation.value, label: w.annotation.label }] : undefined,
          leftYAxis: { min: w.leftMin, max: w.leftMax, showUnits: false },
        });
    }
  }
}

const COMPARISON: Record<AlarmPlan['comparison'], cloudwatch.ComparisonOperator> = {
  GreaterThanThreshold: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
  LessThanThreshold: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
};

const MISSING: Record<AlarmPlan['treatMissingData'], cloudwatch.TreatMissingData> = {
  notBreaching: cloudwatch.TreatMissingData.NOT_BREACHING,
  ignore: cloudwatch.TreatMissingData.IGNORE,
  missing: cloudwatch.TreatMissingData.MISSING,
  breaching: cloudwatch.TreatMissingData.BREACHING,
};
