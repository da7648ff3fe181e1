import { ClusterConfig } from '../config/schema';
import { reservationParameter } from './compute';
import { CHECK_DIMENSION, HEALTH_METRIC } from './health';
import { pascalCase } from './naming';
import { PoolPlan, SitePlan } from './types';

/**
 * The monitoring plan: which dashboards, widgets and alarms each site gets, with thresholds, and
 * how metrics aggregate so that every dashboard stays within CloudWatch's limits at any cluster
 * size. Pure: constructs only render it.
 *
 * Aggregation, never a metric per node:
 * - Node metrics (ours) carry only the dimensions Cluster, Site and Pool, so every node of a pool
 *   writes the same time series and CloudWatch aggregates them (Average, Minimum, Maximum, Sum,
 *   SampleCount across nodes). No InstanceId dimension: per-node detail lives in the node logs.
 * - AWS metrics that exist only per resource (Capacity Reservations, EC2 status checks, FSx) are
 *   read through CloudWatch Metrics Insights queries with GROUP BY / ORDER BY / LIMIT, so the number
 *   of series a widget can return is bounded by the plan, not by the fleet.
 */

/** Our namespace for node metrics (agent and Neuron publisher). A project choice. */
export const METRIC_NAMESPACE = 'Rainier';

/** Dimension names of our node metrics. Every series has exactly these three. */
export const DIMENSION = { cluster: 'Cluster', site: 'Site', pool: 'Pool' } as const;

/**
 * Metrics the node's Neuron publisher writes (node-telemetry.ts). The names are ours: we write
 * the publisher, reading neuron-monitor's JSON report (NEURON-MON field names in comments).
 */
export const NEURON_METRIC = {
  /** Mean of `neuroncore_counters.neuroncores_in_use.*.neuroncore_utilization` over all NeuronCores of the node (idle cores count 0). Percent. */
  coreUtilization: 'NeuronCoreUtilization',
  /** Sum of `memory_used.neuron_runtime_used_bytes.neuron_device` over the node's Neuron applications. Bytes. */
  deviceMemoryUsed: 'NeuronDeviceMemoryUsed',
  /** New `neuron_hw_counters.neuron_devices[].mem_ecc_corrected` events (HBM) since the last report. Count. */
  hbmEccCorrected: 'NeuronHbmEccCorrected',
  /** New `mem_ecc_uncorrected` events (HBM). Count. */
  hbmEccUncorrected: 'NeuronHbmEccUncorrected',
  /** New `sram_ecc_corrected` events. Count. */
  sramEccCorrected: 'NeuronSramEccCorrected',
  /** New `sram_ecc_uncorrected` events. Count. */
  sramEccUncorrected: 'NeuronSramEccUncorrected',
  /** Sum of `execution_stats.error_summary.*` over the node's Neuron applications in the interval. Count. */
  executionErrors: 'NeuronExecutionErrors',
  /** 1 per node per interval while the publisher runs: Sum per minute = nodes reporting. Count. */
  nodesReporting: 'NodesReporting',
} as const;

/**
 * Metrics the CloudWatch agent writes (CDK-CANNED `CWAgentMetrics`; the agent prefixes ethtool
 * counters with `ethtool_`), rolled up to Cluster/Site/Pool with `aggregation_dimensions`.
 */
export const AGENT_METRIC = {
  memUsedPercent: 'mem_used_percent',
  diskUsedPercent: 'disk_used_percent',
} as const;

/** ENA allowance counters (REFERENCE §7, UG monitoring-network-performance-ena.html). */
export const ETHTOOL_ALLOWANCES = [
  'bw_in_allowance_exceeded',
  'bw_out_allowance_exceeded',
  'pps_allowance_exceeded',
  'conntrack_allowance_exceeded',
  'linklocal_allowance_exceeded',
] as const;

export const ethtoolMetricName = (counter: string): string => `ethtool_${counter}`;

/**
 * Limits the plan keeps every dashboard within (REFERENCE §8, CW-DASH-BODY and CW-LIMITS). Recent
 * copies of CW-LIMITS allow 500 metrics per graph widget and 2,500 per dashboard; older copies say
 * 100 and 500. We design for the stricter pair.
 */
export const DASHBOARD_LIMITS = { widgetsPerDashboard: 500, metricsPerWidget: 100, metricsPerDashboard: 500 } as const;

/**
 * Metrics Insights quotas (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-metrics-insights-limits.html):
 * a query processes at most 10,000 metrics and returns at most 500 series; 200 Metrics Insights
 * alarms per Region by default.
 */
export const METRICS_INSIGHTS_LIMITS = { metricsPerQuery: 10_000, seriesPerQuery: 500, alarmsPerRegion: 200 } as const;

/** Alarm and graph period, seconds. Metrics Insights aggregates at one minute at best. */
export const PERIOD_SECONDS = 300;

/**
 * Values only known at deploy time. The plan writes `{{name}}` placeholders; the construct fills
 * them from its props and leaves out any widget or alarm whose binding it does not have.
 */
export enum Binding {
  /** The site's FSx for Lustre file system ID (and capacity, for the free-capacity percentage). */
  FILE_SYSTEM = 'fileSystem',
  /** The site's Capacity Reservation IDs, or every reservation of the Region (ReservationWatch). */
  RESERVATIONS = 'reservations',
}

/** Placeholders the constructs substitute. */
export const PLACEHOLDER = {
  fileSystemId: '{{fileSystemId}}',
  fileSystemCapacityBytes: '{{fileSystemCapacityBytes}}',
  /** ` WHERE CapacityReservationId = '…' OR …` for a LISTED watch, empty for a Region-wide one. */
  reservationWhere: '{{reservationWhere}}',
} as const;

export interface MetricStatPlan {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
  /** CloudWatch statistic: Average, Minimum, Maximum, Sum, SampleCount. */
  readonly statistic: string;
  readonly periodSeconds: number;
  readonly label?: string;
}

export type MetricSourcePlan =
  | ({ readonly kind: 'metric' } & MetricStatPlan)
  | {
      readonly kind: 'query';
      /** A Metrics Insights query. */
      readonly query: string;
      /** Most series it can return: 1 without GROUP BY, else its LIMIT. */
      readonly maxSeries: number;
      readonly periodSeconds: number;
      readonly label?: string;
    }
  | {
      readonly kind: 'math';
      readonly expression: string;
      /** Metrics the expression names, keyed by their ID in the expression. */
      readonly using: Readonly<Record<string, MetricStatPlan>>;
      readonly periodSeconds: number;
      readonly label?: string;
    };

export interface WidgetPlan {
  readonly kind: 'text' | 'graph' | 'alarm-status';
  readonly title: string;
  /** Grid units (dashboards are 24 wide). */
  readonly width: number;
  readonly height: number;
  /** Region of the metrics (cross-Region widgets on the overview). */
  readonly region: string;
  readonly markdown?: string;
  readonly metrics?: readonly MetricSourcePlan[];
  /** A horizontal reference line, e.g. the alarm threshold or the planned node count. */
  readonly annotation?: { readonly value: number; readonly label: string };
  readonly leftMin?: number;
  readonly leftMax?: number;
  readonly requires?: Binding;
}

export interface DashboardPlan {
  /** Construct ID, e.g. `SiteDashboard` or `SiteDashboard2`. */
  readonly id: string;
  /** Dashboard name (account-wide, so it carries the cluster and site). */
  readonly name: string;
  readonly widgets: readonly WidgetPlan[];
}

export type ComparisonPlan = 'GreaterThanThreshold' | 'LessThanThreshold';

export interface AlarmPlan {
  /** Construct ID, literal and stable, e.g. `NeuronCoreUtilizationLowTrain`. */
  readonly id: string;
  /** What it watches, for reports. */
  readonly summary: string;
  readonly metric: MetricSourcePlan;
  readonly comparison: ComparisonPlan;
  readonly threshold: number;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  readonly treatMissingData: 'notBreaching' | 'ignore' | 'missing' | 'breaching';
  /** What fired, why it matters, what to do. */
  readonly description: string;
  readonly requires?: Binding;
  /** The pool it concerns, if any. */
  readonly pool?: string;
  /** Counted against the Region's Metrics Insights alarm quota. */
  readonly metricsInsights: boolean;
}

/**
 * An alarm that fires on the first minute with any occurrence (a failed status check, a failed
 * self-check, a failed launch) and stays quiet when nothing is reported.
 */
const ON_FIRST_OCCURRENCE = {
  comparison: 'GreaterThanThreshold',
  threshold: 0,
  evaluationPeriods: 1,
  datapointsToAlarm: 1,
  treatMissingData: 'notBreaching',
} as const satisfies Pick<AlarmPlan, 'comparison' | 'threshold' | 'evaluationPeriods' | 'datapointsToAlarm' | 'treatMissingData'>;

export interface CapacityEventsPlan {
  /**
   * EventBridge pattern: Capacity Block delivered / expiring (`Capacity Block` prefix covers both
   * spellings, REFERENCE §7) and Capacity Reservation state events (`EC2 Capacity Reservation`
   * prefix, UG monitor-fcr-state.html). The construct narrows it to the site's reservation IDs when
   * the site's watch is LISTED.
   */
  readonly pattern: { readonly source: readonly string[]; readonly detailType: readonly { readonly prefix: string }[] };
}

/**
 * Failed launches of this site's node groups: Auto Scaling's "EC2 Instance Launch Unsuccessful"
 * event (https://docs.aws.amazon.com/autoscaling/ec2/userguide/automating-ec2-auto-scaling-with-eventbridge.html),
 * sent to the alarm topic. Group names are generated by CloudFormation from the stack name, and every
 * compute stack of a pool is named `<cluster>-<site>-<pool>` or `<cluster>-<site>-<pool>-<shard>`
 * (lib/plan/build.ts), so the rule matches `detail.AutoScalingGroupName` by one prefix per pool,
 * `<cluster>-<site>-<pool>-`: this site's groups, not the Region's. (A single site prefix
 * `<cluster>-<site>-` also matched the groups of another site of the cluster whose name extends it
 * with a hyphen, e.g. site `ohio` and site `ohio-east` in one Region, and paged the wrong site.)
 * Event fields: the example event of "EC2 Instance Launch Unsuccessful" in the Auto Scaling event
 * reference (https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-event-reference.html).
 */
export interface LaunchFailureEventsPlan {
  readonly source: 'aws.autoscaling';
  readonly detailType: 'EC2 Instance Launch Unsuccessful';
  /** One per pool of the site, in the pools' order. */
  readonly groupNamePrefixes: readonly string[];
}

/** Which Capacity Reservations a site's reservation alarms, widgets and capacity events watch. */
export enum ReservationWatch {
  /**
   * Every reservation of the site is known at synthesis: the IDs the configuration names, and the
   * On-Demand Capacity Reservations its compute stacks create. Exactly those are watched.
   */
  LISTED = 'listed',
  /**
   * Some Capacity Block IDs in the site's Region are deploy-time parameters, so they cannot be
   * listed: the first site of the Region watches every reservation of the Region, and is the only
   * one of the Region that watches reservations at all (nothing alarms twice).
   */
  REGION = 'region',
  /** Another site of the Region watches every reservation of the Region (REGION): this one has no reservation alarm, widgets or events rule. */
  COVERED = 'covered',
}

export interface SiteMonitoringPlan {
  readonly site: string;
  readonly region: string;
  /** Log groups node agents write to (names, because the nodes' agent config needs them). */
  readonly logGroups: { readonly system: string; readonly neuronMetrics: string };
  /** Reservation IDs the configuration names (Capacity Blocks); ODCR IDs come from the compute stack. */
  readonly reservationIds: readonly string[];
  readonly reservationWatch: ReservationWatch;
  /**
   * With a REGION watch, which reservations of the Region are watched: those tagged with the
   * cluster's name (the stacks tag the reservations they create; purchased Capacity Blocks must be
   * tagged by the deployer, docs/operations.md). A Metrics Insights tag filter.
   */
  readonly reservationTagFilter: string;
  /** The site that watches every reservation of this site's Region (REGION and COVERED). */
  readonly regionWatcher?: string;
  readonly alarms: readonly AlarmPlan[];
  /** The site dashboard, split into pages when it would exceed a limit. */
  readonly dashboards: readonly DashboardPlan[];
  /** The EventBridge rule for capacity events; none on a COVERED site. */
  readonly capacityEvents?: CapacityEventsPlan;
  /** The first site of its Region (it holds the Region's reservation watch when one is needed). */
  readonly firstInRegion: boolean;
  /** Failed launches of the site's node groups, to the alarm topic. */
  readonly launchFailures: LaunchFailureEventsPlan;
  /** Who the alarm topic reaches. */
  readonly subscribers: AlarmSubscribersPlan;
}

/** A stack parameter the deployer fills with the address alarms go to. */
export interface AlarmEmailParameterPlan {
  /** Logical ID of the parameter in the site's monitoring stack. */
  readonly name: string;
  readonly type: 'String';
  readonly description: string;
  readonly allowedPattern: string;
  readonly constraintDescription: string;
}

/** `AlarmEmail`, the same name in every monitoring stack. */
export const ALARM_EMAIL_PARAMETER = 'AlarmEmail';

/**
 * What an `AlarmEmail` value must look like: a local part, `@`, a domain with a dot. Simpler than
 * the configuration's check (zod's), on purpose: CloudFormation matches `AllowedPattern` as a Java
 * regular expression against the whole value
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/parameters-section-structure.html),
 * and SNS's confirmation message is the real test of the address.
 */
export const ALARM_EMAIL_PATTERN = '^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}$';

/** Who a site's alarm topic reaches (decided by planAlarmSubscribers). */
export type AlarmSubscribersPlan =
  /** `monitoring.emailSubscriptions`: each address subscribed. */
  | { readonly kind: 'emails'; readonly addresses: readonly string[] }
  /** No address configured: a required stack parameter, subscribed. */
  | { readonly kind: 'parameter'; readonly parameter: AlarmEmailParameterPlan }
  /** `monitoring.alarmSubscribers: external`: subscribed outside this app (RAIN-W701). */
  | { readonly kind: 'external' };

export interface MonitoringPlan {
  readonly namespace: string;
  readonly sites: readonly SiteMonitoringPlan[];
  /** The site whose monitoring stack holds the overview (the first). */
  readonly overviewSite: string;
  readonly overview: readonly DashboardPlan[];
}

// ---------------------------------------------------------------------------------------------

export function planMonitoring(config: ClusterConfig, sites: readonly SitePlan[]): MonitoringPlan {
  const firstSiteOfRegion = new Map<string, string>();
  const reservedNodesOfRegion = new Map<string, number>();
  const regionWide = new Set<string>();
  for (const site of sites) {
    if (!firstSiteOfRegion.has(site.region)) {
      firstSiteOfRegion.set(site.region, site.name);
    }
    reservedNodesOfRegion.set(site.region, (reservedNodesOfRegion.get(site.region) ?? 0) + reservedNodesOf(site));
    if (!listsItsReservations(site)) {
      regionWide.add(site.region);
    }
  }
  const siteplans = sites.map((site) => {
    const first = firstSiteOfRegion.get(site.region)!;
    const watch: RegionalWatch = regionWide.has(site.region)
      ? { watch: site.name === first ? ReservationWatch.REGION : ReservationWatch.COVERED, watcher: first, regionReservedNodes: reservedNodesOfRegion.get(site.region)! }
      : { watch: ReservationWatch.LISTED };
    return planSiteMonitoring(config, site, first === site.name, watch);
  });
  return {
    namespace: METRIC_NAMESPACE,
    sites: siteplans,
    overviewSite: sites[0].name,
    overview: planOverview(config, sites),
  };
}

/** Whether every reservation of the site is known at synthesis (none is a deploy-time parameter). */
function listsItsReservations(site: SitePlan): boolean {
  return site.pools.every((pool) => reservationParameter(pool) === undefined);
}

function reservedNodesOf(site: SitePlan): number {
  return site.pools.reduce((n, p) => n + p.capacity.reservedNodes, 0);
}

/** A site's reservation watch, decided per Region by planMonitoring. */
type RegionalWatch =
  | { readonly watch: ReservationWatch.LISTED }
  | {
      readonly watch: ReservationWatch.REGION | ReservationWatch.COVERED;
      /** The first site of the Region, which watches it. */
      readonly watcher: string;
      /** Reserved nodes of this cluster across the Region's sites. */
      readonly regionReservedNodes: number;
    };

/** Bytes of a file system of `capacityGiB` below which free capacity is under `percent`. */
export function freeCapacityThresholdBytes(capacityGiB: number, percent: number): number {
  return Math.floor((capacityGiB * 2 ** 30 * percent) / 100);
}

/** Series a metric source can put on a graph. A math expression counts its inputs and its result. */
export function seriesOf(source: MetricSourcePlan): number {
  switch (source.kind) {
    case 'metric':
      return 1;
    case 'query':
      return source.maxSeries;
    case 'math':
      return Object.keys(source.using).length + 1;
  }
}

export function widgetMetrics(widget: WidgetPlan): number {
  return (widget.metrics ?? []).reduce((n, m) => n + seriesOf(m), 0);
}

export function dashboardMetrics(dashboard: DashboardPlan): number {
  return dashboard.widgets.reduce((n, w) => n + widgetMetrics(w), 0);
}

/**
 * Packs rows of widgets (a row stays together) into as few dashboards as the limits allow.
 * Throws if a single widget breaks the per-widget limit: that is a planning bug, not a size issue.
 */
export function paginate(idBase: string, nameBase: string, rows: readonly (readonly WidgetPlan[])[]): DashboardPlan[] {
  const pages: WidgetPlan[][] = [[]];
  let metrics = 0;
  for (const row of rows) {
    for (const w of row) {
      if (widgetMetrics(w) > DASHBOARD_LIMITS.metricsPerWidget) {
        throw new Error(`widget "${w.title}" would show ${widgetMetrics(w)} metrics; the limit is ${DASHBOARD_LIMITS.metricsPerWidget}`);
      }
    }
    const rowMetrics = row.reduce((n, w) => n + widgetMetrics(w), 0);
    const page = pages[pages.length - 1];
    if (
      page.length > 0 &&
      (page.length + row.length > DASHBOARD_LIMITS.widgetsPerDashboard || metrics + rowMetrics > DASHBOARD_LIMITS.metricsPerDashboard)
    ) {
      pages.push([...row]);
      metrics = rowMetrics;
    } else {
      page.push(...row);
      metrics += rowMetrics;
    }
  }
  return pages.map((widgets, i) => ({
    id: i === 0 ? idBase : `${idBase}${i + 1}`,
    name: i === 0 ? nameBase : `${nameBase}-${i + 1}`,
    widgets,
  }));
}

// ---------------------------------------------------------------------------------------------

function poolDimensions(cluster: string, site: string, pool: string): Record<string, string> {
  return { [DIMENSION.cluster]: cluster, [DIMENSION.site]: site, [DIMENSION.pool]: pool };
}

function ours(cluster: string, site: string, pool: string, metricName: string, statistic: string, label?: string, periodSeconds = PERIOD_SECONDS): MetricStatPlan {
  return { namespace: METRIC_NAMESPACE, metricName, dimensions: poolDimensions(cluster, site, pool), statistic, periodSeconds, label };
}

const metric = (m: MetricStatPlan): MetricSourcePlan => ({ kind: 'metric', ...m });

const query = (q: string, maxSeries: number, label?: string): MetricSourcePlan => ({ kind: 'query', query: q, maxSeries, periodSeconds: PERIOD_SECONDS, label });

const RESERVATIONS_SCHEMA = 'SCHEMA("AWS/EC2CapacityReservations", CapacityReservationId)';
/**
 * EC2 publishes instance metrics aggregated per Auto Scaling group (dimension AutoScalingGroupName,
 * UG viewing_metrics_with_cloudwatch.html). Every node is in one (DESIGN.md), and there are far
 * fewer groups than instances, which keeps the query under Metrics Insights' 10,000-metric cap.
 */
const STATUS_SCHEMA = 'SCHEMA("AWS/EC2", AutoScalingGroupName)';
/**
 * Status checks of this cluster's nodes only: the per-group aggregates (STATUS_SCHEMA, bounded by
 * the number of groups, never a series per node) filtered by the groups' tags (every group carries
 * `rainier:cluster` and `rainier:site`). Metrics
 * Insights alarms can filter by resource tag with `WHERE tag.<key> = 'value'`
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-metrics-insights-alarm-create.html);
 * the tag keys contain a colon, so they are double-quoted as Metrics Insights quotes identifiers with
 * characters other than letters, digits and underscores (the quoting of tag keys is not shown there),
 * and that the group's tags apply to its AutoScalingGroupName aggregates is likewise not stated:
 * both unverified, see docs/operations.md. Tags reach vended metrics only once the account has
 * CloudWatch's "resource tags for telemetry" on (observabilityadmin StartTelemetryEnrichment); the
 * stacks leave that account-wide switch to the deployer (docs/operations.md, Alarms), since without
 * it this query matches nothing and the alarm silently stays OK.
 */
export function nodeStatusQuery(cluster: string, site: string, tail = ''): string {
  return `SELECT MAX(StatusCheckFailed) FROM ${STATUS_SCHEMA} WHERE tag."rainier:cluster" = '${cluster}' AND tag."rainier:site" = '${site}'${tail}`;
}
const FSX_ID = `FileSystemId = '${PLACEHOLDER.fileSystemId}'`;

/** Shown in descriptions so a reader can find the node behind a pool-level alarm. */
function logsHint(logGroup: string, field: string): string {
  return `Find the node: CloudWatch Logs Insights on ${logGroup}: "fields @timestamp, InstanceId, ${field} | filter ${field} > 0 | sort @timestamp desc".`;
}

function planSiteMonitoring(config: ClusterConfig, site: SitePlan, firstInRegion: boolean, regional: RegionalWatch): SiteMonitoringPlan {
  const cluster = config.name;
  const t = config.monitoring.alarms;
  const logGroups = {
    system: `/${cluster}/${site.name}/nodes/system`,
    neuronMetrics: `/${cluster}/${site.name}/nodes/neuron`,
  };
  const reservationIds = site.pools.flatMap((p) => {
    const c = p.capacity;
    if ('reservationIds' in c && c.reservationIds) return [...c.reservationIds];
    if ('reservationId' in c && c.reservationId) return [c.reservationId];
    return [];
  });
  const window = `${t.evaluationPeriods} consecutive ${PERIOD_SECONDS / 60}-minute periods`;
  const scope =
    regional.watch === ReservationWatch.REGION
      ? ` Scope: some Capacity Block IDs in ${site.region} are deploy-time parameters, so this watches every Capacity Reservation of the Region tagged rainier:cluster=${cluster} (tag purchased Capacity Blocks with it).`
      : '';

  const alarms: AlarmPlan[] = [];
  if (regional.watch !== ReservationWatch.COVERED) {
    alarms.push({
      id: 'ReservedCapacityIdle',
      summary: 'least-used Capacity Reservation below target utilisation',
      metric: query(`SELECT MIN(InstanceUtilization) FROM ${RESERVATIONS_SCHEMA}${PLACEHOLDER.reservationWhere}`, 1, 'Least-used reservation, %'),
      comparison: 'LessThanThreshold',
      threshold: 100 - t.reservedCapacityIdlePercent,
      evaluationPeriods: t.evaluationPeriods,
      datapointsToAlarm: t.evaluationPeriods,
      treatMissingData: 'notBreaching',
      description:
        `Site ${site.name}: a Capacity Reservation has had more than ${t.reservedCapacityIdlePercent}% of its instances idle for ${window} ` +
        `(AWS/EC2CapacityReservations InstanceUtilization below ${100 - t.reservedCapacityIdlePercent}%). Reserved capacity is billed whether used or not. ` +
        `Do: open the ${cluster}-${site.name} dashboard, "Least-used reservations"; check the pool's Auto Scaling groups for failed launches (wrong AZ, AMI platform or ` +
        `a Capacity Block not yet active) and the node boot log group ${logGroups.system}; if the capacity is truly not needed, shrink or cancel the On-Demand reservation.${scope}`,
      requires: Binding.RESERVATIONS,
      metricsInsights: true,
    });
  }

  for (const pool of site.pools) {
    alarms.push(...poolAlarms(cluster, site, pool, config, logGroups, window));
  }

  alarms.push({
    id: 'NodeStatusCheckFailed',
    summary: "EC2 status check failing in a node group of this site (this cluster's groups only)",
    metric: query(nodeStatusQuery(cluster, site.name), 1, 'Worst node group'),
    ...ON_FIRST_OCCURRENCE,
    description:
      `Site ${site.name}: a node of cluster ${cluster} fails its EC2 status checks (AWS/EC2 StatusCheckFailed of the Auto Scaling groups tagged rainier:cluster=${cluster}, rainier:site=${site.name}). A failed node stalls every collective of its job. ` +
      `Do: the site dashboard's "Status checks" widget names the group; the group replaces an unhealthy instance into the same reservation. If StatusCheckFailed_System, ` +
      `it is AWS hardware: let it be replaced and open a support case if it repeats; if StatusCheckFailed_Instance, look at the console output and ${logGroups.system}.`,
    metricsInsights: true,
  });

  alarms.push(
    {
      id: 'FsxFreeCapacityLow',
      summary: 'FSx for Lustre free capacity below threshold',
      metric: {
        kind: 'math',
        expression: `100 * free / ${PLACEHOLDER.fileSystemCapacityBytes}`,
        // FSx reports FreeDataStorageCapacity at one-minute granularity, summed across storage
        // targets (CDK-CANNED uses Sum); a one-minute period keeps the Sum a capacity, not a multiple.
        using: { free: { namespace: 'AWS/FSx', metricName: 'FreeDataStorageCapacity', dimensions: { FileSystemId: PLACEHOLDER.fileSystemId }, statistic: 'Sum', periodSeconds: 60 } },
        periodSeconds: 60,
        label: 'Free capacity, %',
      },
      comparison: 'LessThanThreshold',
      threshold: t.fsxFreeCapacityLowPercent,
      // One-minute periods: evaluationPeriods counts 5-minute periods, so five of these each.
      evaluationPeriods: t.evaluationPeriods * 5,
      datapointsToAlarm: t.evaluationPeriods * 5,
      treatMissingData: 'ignore',
      description:
        `Site ${site.name}: the shared Lustre file system has less than ${t.fsxFreeCapacityLowPercent}% of its capacity free (AWS/FSx FreeDataStorageCapacity). ` +
        `Checkpoints will fail when it fills. Do: delete or export old checkpoints to S3 (data repository association), or raise the storage capacity in the configuration ` +
        `(in the increments REFERENCE.md §6 lists) and deploy the storage stack.`,
      requires: Binding.FILE_SYSTEM,
      metricsInsights: false,
    },
    ...(['NetworkThroughputUtilization', 'DiskThroughputUtilization'] as const).map(
      (name): AlarmPlan => ({
        id: name === 'NetworkThroughputUtilization' ? 'FsxNetworkThroughputSaturated' : 'FsxDiskThroughputSaturated',
        summary: `FSx ${name} above threshold`,
        // No SCHEMA: matches the metric whatever extra dimensions (file server, storage target) it carries.
        metric: query(`SELECT MAX(${name}) FROM "AWS/FSx" WHERE ${FSX_ID}`, 1, `${name}, %`),
        comparison: 'GreaterThanThreshold',
        threshold: t.fsxThroughputSaturatedPercent,
        evaluationPeriods: t.evaluationPeriods,
        datapointsToAlarm: t.evaluationPeriods,
        treatMissingData: 'notBreaching',
        description:
          `Site ${site.name}: the Lustre file system's ${name} has stayed above ${t.fsxThroughputSaturatedPercent}% for ${window}. ` +
          `Data loading and checkpoints are throttled, so NeuronCores wait on storage. Do: check the "FSx" row of the site dashboard for a checkpoint storm ` +
          `(stagger checkpoint writes across ranks), or raise the per-unit throughput or capacity of the file system.`,
        requires: Binding.FILE_SYSTEM,
        metricsInsights: true,
      }),
    ),
  );

  return {
    site: site.name,
    region: site.region,
    logGroups,
    reservationIds,
    reservationWatch: regional.watch,
    regionWatcher: regional.watch === ReservationWatch.LISTED ? undefined : regional.watcher,
    alarms,
    dashboards: paginate('SiteDashboard', `${cluster}-${site.name}`, siteRows(cluster, site, config, regional, alarms)),
    capacityEvents:
      regional.watch === ReservationWatch.COVERED
        ? undefined
        : { pattern: { source: ['aws.ec2'], detailType: [{ prefix: 'Capacity Block' }, { prefix: 'EC2 Capacity Reservation' }] } },
    firstInRegion,
    reservationTagFilter: `tag."rainier:cluster" = '${cluster}'`,
    launchFailures: {
      source: 'aws.autoscaling',
      detailType: 'EC2 Instance Launch Unsuccessful',
      groupNamePrefixes: site.pools.map((pool) => `${cluster}-${site.name}-${pool.name}-`),
    },
    subscribers: planAlarmSubscribers(config, site),
  };
}

/**
 * Who the site's alarm topic reaches: the configured addresses; else, unless the configuration says
 * a subscription is made outside this app, a required deploy-time address (rule RAIN-W701 covers
 * the `external` case).
 */
export function planAlarmSubscribers(config: ClusterConfig, site: SitePlan): AlarmSubscribersPlan {
  const { emailSubscriptions, alarmSubscribers } = config.monitoring;
  if (emailSubscriptions.length > 0) {
    return { kind: 'emails', addresses: emailSubscriptions };
  }
  if (alarmSubscribers === 'external') {
    return { kind: 'external' };
  }
  return {
    kind: 'parameter',
    parameter: {
      name: ALARM_EMAIL_PARAMETER,
      type: 'String',
      allowedPattern: ALARM_EMAIL_PATTERN,
      constraintDescription: 'an e-mail address such as oncall@example.com',
      description:
        `E-mail address subscribed to the ${site.name} alarm topic (every alarm and failed launch of the site). ` +
        'SNS sends it a confirmation message, and delivers nothing until the link in it is followed (https://docs.aws.amazon.com/sns/latest/dg/sns-email-notifications.html). ' +
        'Later cdk deploy runs keep the previous value unless a new one is passed.',
    },
  };
}

function poolAlarms(
  cluster: string,
  site: SitePlan,
  pool: PoolPlan,
  config: ClusterConfig,
  logGroups: SiteMonitoringPlan['logGroups'],
  window: string,
): AlarmPlan[] {
  const t = config.monitoring.alarms;
  const id = pascalCase(pool.name);
  const minutes = t.evaluationPeriods * (PERIOD_SECONDS / 60);
  return [
    {
      id: `NodesBelowPlan${id}`,
      pool: pool.name,
      summary: `pool ${pool.name}: fewer nodes reporting than planned`,
      // The publisher writes NodesReporting = 1 per node per minute of the wall clock, stamped at the
      // minute's start (lib/constructs/node-telemetry.ts): the one-minute Sum counts nodes.
      metric: metric(ours(cluster, site.name, pool.name, NEURON_METRIC.nodesReporting, 'Sum', 'Nodes reporting', 60)),
      comparison: 'LessThanThreshold',
      threshold: pool.nodeCount,
      evaluationPeriods: minutes,
      datapointsToAlarm: minutes,
      // No data at all means no node of the pool is running: that is below plan.
      treatMissingData: 'breaching',
      description:
        `Site ${site.name}, pool ${pool.name}: fewer than the planned ${pool.nodeCount} nodes have published ${METRIC_NAMESPACE} ${NEURON_METRIC.nodesReporting} for ${minutes} consecutive minutes. ` +
        `A node is missing: still booting, abandoned by its health check, failed to launch, or its telemetry stopped. It is also in ALARM while a Capacity Block is not yet active ` +
        `(no instance can launch before the block starts). Do: look at the pool's Auto Scaling group activity and the NodeHealthCheckFailed${id} alarm; read the boot log in ${logGroups.system}.`,
      metricsInsights: false,
    },
    {
      id: `NodeHealthCheckFailed${id}`,
      pool: pool.name,
      summary: `pool ${pool.name}: a new node failed its self-check and was abandoned`,
      metric: metric(ours(cluster, site.name, pool.name, HEALTH_METRIC.checkFailed, 'Sum', 'Failed self-checks')),
      ...ON_FIRST_OCCURRENCE,
      description:
        `Site ${site.name}, pool ${pool.name}: a launching node failed its self-check (Neuron devices, EFA devices, scratch, Lustre, telemetry, or a boot step) and was abandoned; its group launches a replacement. ` +
        `Do: the metric's ${CHECK_DIMENSION} dimension names the failed check; the node's log line "rainier-health: FAILED check=..." is in ${logGroups.system} (cloud-init-output). ` +
        `A check named image:<command> means the image lacks it (docs/operations.md); repeated hardware failures (neuron-devices, efa-devices) on one reservation: open a support case.`,
      metricsInsights: false,
    },
    {
      id: `NeuronCoreUtilizationLow${id}`,
      pool: pool.name,
      summary: `pool ${pool.name}: NeuronCore utilisation low while nodes run`,
      metric: metric(ours(cluster, site.name, pool.name, NEURON_METRIC.coreUtilization, 'Average', 'NeuronCore utilisation, %')),
      comparison: 'LessThanThreshold',
      threshold: t.neuronCoreUtilizationLowPercent,
      evaluationPeriods: t.evaluationPeriods,
      datapointsToAlarm: t.evaluationPeriods,
      // No data means no node is running (nothing publishes): the reservation alarm covers that.
      treatMissingData: 'notBreaching',
      description:
        `Site ${site.name}, pool ${pool.name} (${pool.nodeCount} x ${pool.instanceType}): average NeuronCore utilisation below ${t.neuronCoreUtilizationLowPercent}% for ${window} ` +
        `while the nodes hold reserved capacity (${METRIC_NAMESPACE} ${NEURON_METRIC.coreUtilization}). Do: check that the training job is running and not stalled ` +
        `(data loader, a hung collective, a crashed rank); look at "Nodes reporting" and "Neuron errors" on the site dashboard; if the pool is idle on purpose, ` +
        `release the capacity or acknowledge the alarm.`,
      metricsInsights: false,
    },
    {
      id: `NeuronUncorrectedEcc${id}`,
      pool: pool.name,
      summary: `pool ${pool.name}: uncorrected HBM or SRAM ECC error`,
      metric: {
        kind: 'math',
        expression: 'FILL(hbm, 0) + FILL(sram, 0)',
        using: {
          hbm: ours(cluster, site.name, pool.name, NEURON_METRIC.hbmEccUncorrected, 'Sum'),
          sram: ours(cluster, site.name, pool.name, NEURON_METRIC.sramEccUncorrected, 'Sum'),
        },
        periodSeconds: PERIOD_SECONDS,
        label: 'Uncorrected ECC events',
      },
      ...ON_FIRST_OCCURRENCE,
      description:
        `Site ${site.name}, pool ${pool.name}: a Trainium device reported an uncorrected ECC error in HBM or SRAM (neuron-monitor mem_ecc_uncorrected / sram_ecc_uncorrected). ` +
        `Results computed on that node since the error may be wrong. Do: ${logsHint(logGroups.neuronMetrics, NEURON_METRIC.hbmEccUncorrected + ' + ' + NEURON_METRIC.sramEccUncorrected)} ` +
        `Drain that node (stop the job, resume from the last good checkpoint without it), terminate it so its Auto Scaling group replaces it, and report the instance ID to AWS Support.`,
      metricsInsights: false,
    },
  ];
}

function siteRows(
  cluster: string,
  site: SitePlan,
  config: ClusterConfig,
  regional: RegionalWatch,
  alarms: readonly AlarmPlan[],
): WidgetPlan[][] {
  const region = site.region;
  const t = config.monitoring.alarms;
  const g = (title: string, metrics: MetricSourcePlan[], extra: Partial<WidgetPlan> = {}): WidgetPlan => ({
    kind: 'graph',
    title,
    width: 8,
    height: 6,
    region,
    metrics,
    ...extra,
  });
  const rows: WidgetPlan[][] = [];
  rows.push([
    {
      kind: 'text',
      title: 'About',
      width: 16,
      height: 4,
      region,
      markdown:
        `# ${cluster} / ${site.name} (${region}, ${site.availabilityZone})\n` +
        `${site.pools.map((p) => `**${p.name}**: ${p.nodeCount} x ${p.instanceType} (${p.kind}, ${p.capacity.reservedNodes} reserved)`).join(' · ')}\n\n` +
        `Node metrics: namespace \`${METRIC_NAMESPACE}\`, dimensions ${Object.values(DIMENSION).join(', ')}. Node logs: \`/${cluster}/${site.name}/nodes/*\`.`,
    },
    { kind: 'alarm-status', title: 'Alarms', width: 8, height: 4, region },
  ]);
  if (regional.watch === ReservationWatch.COVERED) {
    rows.push([
      {
        kind: 'text',
        title: 'Reservations',
        width: 24,
        height: 2,
        region,
        markdown:
          `**Reservations**: some Capacity Block IDs in ${region} are deploy-time parameters, so every Capacity Reservation of the Region tagged rainier:cluster=${cluster} ` +
          `is watched once, on the \`${cluster}-${regional.watcher}\` dashboard and by its alarm.`,
      },
    ]);
  } else {
    const planned =
      regional.watch === ReservationWatch.LISTED
        ? { value: reservedNodesOf(site), label: `Planned reserved nodes (${reservedNodesOf(site)})` }
        : { value: regional.regionReservedNodes, label: `Planned reserved nodes of ${cluster} in ${region} (${regional.regionReservedNodes})` };
    rows.push([
      g(
        `Reserved vs used instances (${regional.watch === ReservationWatch.LISTED ? 'site' : `reservations in ${region} tagged rainier:cluster=${cluster}`})`,
        [
          query(`SELECT SUM(TotalInstanceCount) FROM ${RESERVATIONS_SCHEMA}${PLACEHOLDER.reservationWhere}`, 1, 'Reserved'),
          query(`SELECT SUM(UsedInstanceCount) FROM ${RESERVATIONS_SCHEMA}${PLACEHOLDER.reservationWhere}`, 1, 'Used'),
        ],
        { width: 12, requires: Binding.RESERVATIONS, annotation: planned, leftMin: 0 },
      ),
      g(
        'Least-used reservations (InstanceUtilization, lowest 10)',
        [query(`SELECT AVG(InstanceUtilization) FROM ${RESERVATIONS_SCHEMA}${PLACEHOLDER.reservationWhere} GROUP BY CapacityReservationId ORDER BY AVG() ASC LIMIT 10`, 10)],
        { width: 12, requires: Binding.RESERVATIONS, annotation: { value: 100 - t.reservedCapacityIdlePercent, label: 'Idle alarm' }, leftMin: 0, leftMax: 100 },
      ),
    ]);
  }
  for (const pool of site.pools) {
    const o = (name: string, stat: string, label?: string, period?: number) => metric(ours(cluster, site.name, pool.name, name, stat, label, period));
    const p = `${pool.name}: `;
    rows.push([
      g(`${p}NeuronCore utilisation`, [o(NEURON_METRIC.coreUtilization, 'Average', 'Average'), o(NEURON_METRIC.coreUtilization, 'Minimum', 'Least-busy node')], {
        annotation: { value: t.neuronCoreUtilizationLowPercent, label: 'Low alarm' },
        leftMin: 0,
        leftMax: 100,
      }),
      g(`${p}Nodes reporting`, [o(NEURON_METRIC.nodesReporting, 'Sum', 'Nodes', 60)], {
        annotation: { value: pool.nodeCount, label: `Planned (${pool.nodeCount})` },
        leftMin: 0,
      }),
      g(`${p}Neuron device memory used`, [o(NEURON_METRIC.deviceMemoryUsed, 'Average', 'Average'), o(NEURON_METRIC.deviceMemoryUsed, 'Maximum', 'Fullest node')], { leftMin: 0 }),
      g(
        `${p}Neuron errors`,
        [
          o(NEURON_METRIC.hbmEccUncorrected, 'Sum', 'HBM ECC uncorrected'),
          o(NEURON_METRIC.sramEccUncorrected, 'Sum', 'SRAM ECC uncorrected'),
          o(NEURON_METRIC.hbmEccCorrected, 'Sum', 'HBM ECC corrected'),
          o(NEURON_METRIC.sramEccCorrected, 'Sum', 'SRAM ECC corrected'),
          o(NEURON_METRIC.executionErrors, 'Sum', 'Execution errors'),
        ],
        { leftMin: 0 },
      ),
      g(
        `${p}Network allowances exceeded (ENA)`,
        ETHTOOL_ALLOWANCES.map((c) => o(ethtoolMetricName(c), 'Sum', c)),
        { leftMin: 0 },
      ),
      g(`${p}Host memory and root disk used`, [o(AGENT_METRIC.memUsedPercent, 'Maximum', 'Memory, fullest node'), o(AGENT_METRIC.diskUsedPercent, 'Maximum', 'Root disk, fullest node')], {
        leftMin: 0,
        leftMax: 100,
      }),
    ]);
  }
  const fsx = (name: string, stat: string, label: string): MetricStatPlan => ({
    namespace: 'AWS/FSx',
    metricName: name,
    dimensions: { FileSystemId: PLACEHOLDER.fileSystemId },
    statistic: stat,
    periodSeconds: PERIOD_SECONDS,
    label,
  });
  const free = alarms.find((a) => a.id === 'FsxFreeCapacityLow');
  rows.push([
    g('FSx throughput (bytes per period)', [metric(fsx('DataReadBytes', 'Sum', 'Read')), metric(fsx('DataWriteBytes', 'Sum', 'Write'))], { width: 6, requires: Binding.FILE_SYSTEM, leftMin: 0 }),
    g('FSx metadata operations', [metric(fsx('MetadataOperations', 'Sum', 'Metadata operations'))], { width: 6, requires: Binding.FILE_SYSTEM, leftMin: 0 }),
    g('FSx free capacity, %', free ? [free.metric] : [], {
      width: 6,
      requires: Binding.FILE_SYSTEM,
      annotation: { value: t.fsxFreeCapacityLowPercent, label: 'Low alarm' },
      leftMin: 0,
      leftMax: 100,
    }),
    g(
      'FSx throughput utilisation, %',
      [
        query(`SELECT MAX(NetworkThroughputUtilization) FROM "AWS/FSx" WHERE ${FSX_ID}`, 1, 'Network'),
        query(`SELECT MAX(DiskThroughputUtilization) FROM "AWS/FSx" WHERE ${FSX_ID}`, 1, 'Disk'),
      ],
      { width: 6, requires: Binding.FILE_SYSTEM, annotation: { value: t.fsxThroughputSaturatedPercent, label: 'Saturated alarm' }, leftMin: 0, leftMax: 100 },
    ),
  ]);
  rows.push([
    g(
      'Status checks failing (this site\'s node groups; worst 10)',
      [query(nodeStatusQuery(cluster, site.name, ' GROUP BY AutoScalingGroupName ORDER BY MAX() DESC LIMIT 10'), 10)],
      { width: 24, leftMin: 0 },
    ),
  ]);
  return rows;
}

/**
 * The cluster overview: one block per Region, each widget one Metrics Insights query per metric,
 * grouped by Site (bounded by the Region's site count) and ordered so the worst sites come first.
 */
function planOverview(config: ClusterConfig, sites: readonly SitePlan[]): DashboardPlan[] {
  const cluster = config.name;
  const regions = [...new Set(sites.map((s) => s.region))];
  const rows: WidgetPlan[][] = [];
  const schema = `SCHEMA("${METRIC_NAMESPACE}", ${DIMENSION.cluster}, ${DIMENSION.site}, ${DIMENSION.pool})`;
  const where = `WHERE ${DIMENSION.cluster} = '${cluster}'`;
  for (const region of regions) {
    const siteCount = sites.filter((s) => s.region === region).length;
    // Each query returns at most `limit` series; a widget with q queries stays within the per-widget limit.
    const limitFor = (queries: number) => Math.max(1, Math.min(siteCount, Math.floor(DASHBOARD_LIMITS.metricsPerWidget / queries)));
    const bySite = (fn: string, name: string, order: 'ASC' | 'DESC', queries: number, label?: string) =>
      query(`SELECT ${fn}(${name}) FROM ${schema} ${where} GROUP BY ${DIMENSION.site} ORDER BY ${fn}() ${order} LIMIT ${limitFor(queries)}`, limitFor(queries), label);
    const g = (title: string, metrics: MetricSourcePlan[], extra: Partial<WidgetPlan> = {}): WidgetPlan => ({ kind: 'graph', title: `${region}: ${title}`, width: 8, height: 6, region, metrics, ...extra });
    const regionalSites = sites.filter((s) => s.region === region);
    rows.push([
      {
        kind: 'text',
        title: region,
        width: 24,
        height: 2,
        region,
        markdown: `## ${region}: ${regionalSites.length} site(s), ${regionalSites.reduce((n, s) => n + s.totals.nodes, 0)} nodes, ${regionalSites.reduce((n, s) => n + s.totals.chips, 0)} chips`,
      },
    ]);
    rows.push([
      g('NeuronCore utilisation by site (lowest first)', [bySite('AVG', NEURON_METRIC.coreUtilization, 'ASC', 1)], { leftMin: 0, leftMax: 100 }),
      g('Nodes reporting by site', [bySite('SUM', NEURON_METRIC.nodesReporting, 'ASC', 1)], { leftMin: 0 }),
      g(
        'Reserved vs used instances (Region)',
        [query(`SELECT SUM(TotalInstanceCount) FROM ${RESERVATIONS_SCHEMA}`, 1, 'Reserved'), query(`SELECT SUM(UsedInstanceCount) FROM ${RESERVATIONS_SCHEMA}`, 1, 'Used')],
        { leftMin: 0 },
      ),
      g(
        'Uncorrected ECC events by site',
        [bySite('SUM', NEURON_METRIC.hbmEccUncorrected, 'DESC', 2, 'HBM'), bySite('SUM', NEURON_METRIC.sramEccUncorrected, 'DESC', 2, 'SRAM')],
        { leftMin: 0 },
      ),
      g('Neuron execution errors by site', [bySite('SUM', NEURON_METRIC.executionErrors, 'DESC', 1)], { leftMin: 0 }),
      g(
        'Network allowances exceeded by site',
        ETHTOOL_ALLOWANCES.map((c) => bySite('SUM', ethtoolMetricName(c), 'DESC', ETHTOOL_ALLOWANCES.length, c)),
        { leftMin: 0 },
      ),
      g(
        'FSx free capacity by file system (lowest first)',
        [query(`SELECT MIN(FreeDataStorageCapacity) FROM SCHEMA("AWS/FSx", FileSystemId) GROUP BY FileSystemId ORDER BY MIN() ASC LIMIT ${limitFor(1)}`, limitFor(1))],
        { leftMin: 0 },
      ),
      g(
        'FSx network throughput utilisation by file system (highest first)',
        [query(`SELECT MAX(NetworkThroughputUtilization) FROM "AWS/FSx" GROUP BY FileSystemId ORDER BY MAX() DESC LIMIT ${limitFor(1)}`, limitFor(1))],
        { leftMin: 0, leftMax: 100 },
      ),
      g('Status checks failing (worst 10 Auto Scaling groups)', [query(`SELECT MAX(StatusCheckFailed) FROM ${STATUS_SCHEMA} GROUP BY AutoScalingGroupName ORDER BY MAX() DESC LIMIT 10`, 10)], {
        leftMin: 0,
      }),
    ]);
  }
  return paginate('OverviewDashboard', `${cluster}-overview`, rows);
}
