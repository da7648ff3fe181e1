import { resolveConfig, parseConfig } from '../lib/config/load';
import { PRESET_NAMES, RAINIER_SCALE_SITES } from '../lib/config/presets';
import { ConfigError } from '../lib/config/errors';
import { planCluster } from '../lib/plan/build';
import {
  DASHBOARD_LIMITS,
  DashboardPlan,
  METRICS_INSIGHTS_LIMITS,
  MonitoringPlan,
  ReservationWatch,
  WidgetPlan,
  dashboardMetrics,
  freeCapacityThresholdBytes,
  paginate,
  planMonitoring,
  widgetMetrics,
} from '../lib/plan/monitoring';

const plans = new Map(PRESET_NAMES.map((name) => [name, planCluster(resolveConfig(name))]));

function allDashboards(m: MonitoringPlan): DashboardPlan[] {
  return [...m.sites.flatMap((s) => s.dashboards), ...m.overview];
}

describe('dashboards stay within CloudWatch limits (REFERENCE §8, stricter figures)', () => {
  test.each([...PRESET_NAMES])('%s', (preset) => {
    const { monitoring } = plans.get(preset)!;
    const dashboards = allDashboards(monitoring);
    expect(dashboards.length).toBeGreaterThan(0);
    for (const d of dashboards) {
      expect(d.widgets.length).toBeGreaterThan(0);
      expect(d.widgets.length).toBeLessThanOrEqual(DASHBOARD_LIMITS.widgetsPerDashboard);
      expect(dashboardMetrics(d)).toBeLessThanOrEqual(DASHBOARD_LIMITS.metricsPerDashboard);
      for (const w of d.widgets) {
        expect(widgetMetrics(w)).toBeLessThanOrEqual(DASHBOARD_LIMITS.metricsPerWidget);
      }
    }
    // Dashboard names are account-wide: no two may collide.
    expect(new Set(dashboards.map((d) => d.name)).size).toBe(dashboards.length);
  });

  test('the stricter limits are the ones designed for', () => {
    expect(DASHBOARD_LIMITS).toEqual({ widgetsPerDashboard: 500, metricsPerWidget: 100, metricsPerDashboard: 500 });
  });

  test('rainier-scale: 30 site dashboards and one overview, no metric per node', () => {
    const plan = plans.get('rainier-scale')!;
    expect(plan.totals.nodes).toBe(31_200);
    expect(plan.monitoring.sites).toHaveLength(RAINIER_SCALE_SITES);
    expect(plan.monitoring.overview).toHaveLength(1);
    // A site dashboard's series count does not grow with the node count: 260 UltraServers per site
    // give the same widgets as one.
    const small = planCluster(resolveConfig('ultraserver')).monitoring.sites[0].dashboards;
    const big = plan.monitoring.sites[0].dashboards;
    expect(big.map(dashboardMetrics)).toEqual(small.map(dashboardMetrics));
    // No widget or alarm addresses a single node: dimensions are pool-level (or the file system),
    // and no query names InstanceId.
    const sources = [
      ...plan.monitoring.sites.flatMap((s) => [...s.alarms.map((a) => a.metric), ...s.dashboards.flatMap((d) => d.widgets.flatMap((w) => w.metrics ?? []))]),
      ...plan.monitoring.overview.flatMap((d) => d.widgets.flatMap((w) => w.metrics ?? [])),
    ];
    const stats = sources.flatMap((m) => (m.kind === 'metric' ? [m] : m.kind === 'math' ? Object.values(m.using) : []));
    expect(stats.length).toBeGreaterThan(0);
    for (const m of stats) {
      expect(['Cluster,Pool,Site', 'FileSystemId']).toContain(Object.keys(m.dimensions).sort().join(','));
    }
    for (const m of sources) {
      if (m.kind === 'query') expect(m.query).not.toMatch(/InstanceId/);
    }
  });

  test('many pools spill onto further dashboard pages instead of breaking a limit', () => {
    const pools: Record<string, unknown> = {};
    for (let i = 0; i < 60; i++) {
      pools[`p${i}`] = { kind: 'on-demand-capacity-reservation', instanceType: 'trn2.3xlarge', nodes: 1 };
    }
    const config = parseConfig({ name: 'wide', sites: { ohio: { region: 'us-east-2', availabilityZone: 'us-east-2a', cidr: '10.0.0.0/16', pools } } });
    const m = planMonitoring(config, planCluster(config).sites);
    const pages = m.sites[0].dashboards;
    expect(pages.length).toBeGreaterThan(1);
    expect(pages.map((p) => p.name)).toEqual(pages.map((_, i) => (i === 0 ? 'wide-ohio' : `wide-ohio-${i + 1}`)));
    for (const p of pages) {
      expect(dashboardMetrics(p)).toBeLessThanOrEqual(DASHBOARD_LIMITS.metricsPerDashboard);
    }
    // Every pool's row is on some page, whole.
    const titles = pages.flatMap((p) => p.widgets.map((w) => w.title));
    for (let i = 0; i < 60; i++) {
      expect(titles.filter((t) => t.startsWith(`p${i}: `))).toHaveLength(6);
    }
  });

  test('paginate fails when a single widget breaks the per-widget limit', () => {
    const wide: WidgetPlan = {
      kind: 'graph',
      title: 'too many',
      width: 8,
      height: 6,
      region: 'us-east-2',
      metrics: [{ kind: 'query', query: 'SELECT ...', maxSeries: 101, periodSeconds: 300 }],
    };
    expect(() => paginate('D', 'd', [[wide]])).toThrow(/101 metrics; the limit is 100/);
  });
});

describe('alarms', () => {
  const mini = plans.get('rainier-mini')!;
  const site = mini.monitoring.sites[0];
  const byId = (id: string) => {
    const a = site.alarms.find((x) => x.id === id);
    if (a === undefined) throw new Error(`no alarm ${id}; have ${site.alarms.map((x) => x.id).join(', ')}`);
    return a;
  };

  test('one utilisation-low and one uncorrected-ECC alarm per pool, addressed by pool dimensions', () => {
    for (const pool of ['Train', 'Dev']) {
      const low = byId(`NeuronCoreUtilizationLow${pool}`);
      expect(low).toMatchObject({ comparison: 'LessThanThreshold', threshold: 20, evaluationPeriods: 3 });
      expect(low.metric).toMatchObject({
        kind: 'metric',
        namespace: 'Rainier',
        metricName: 'NeuronCoreUtilization',
        statistic: 'Average',
        dimensions: { Cluster: 'rainier', Site: 'ohio', Pool: pool.toLowerCase() },
      });
      const ecc = byId(`NeuronUncorrectedEcc${pool}`);
      expect(ecc).toMatchObject({ comparison: 'GreaterThanThreshold', threshold: 0, evaluationPeriods: 1 });
      expect(ecc.metric.kind === 'math' && Object.values(ecc.metric.using).map((m) => m.metricName)).toEqual(['NeuronHbmEccUncorrected', 'NeuronSramEccUncorrected']);
    }
  });

  test('thresholds come from the configuration', () => {
    const config = resolveConfig('rainier-mini', {
      monitoring: { alarms: { reservedCapacityIdlePercent: 25, neuronCoreUtilizationLowPercent: 35, fsxFreeCapacityLowPercent: 15, fsxThroughputSaturatedPercent: 80, evaluationPeriods: 6 } },
    });
    const alarms = planCluster(config).monitoring.sites[0].alarms;
    const get = (id: string) => alarms.find((a) => a.id === id)!;
    expect(get('ReservedCapacityIdle')).toMatchObject({ threshold: 75, evaluationPeriods: 6, datapointsToAlarm: 6 });
    expect(get('NeuronCoreUtilizationLowTrain')).toMatchObject({ threshold: 35, evaluationPeriods: 6 });
    // One-minute periods, so 6 five-minute periods are 30 of them.
    expect(get('FsxFreeCapacityLow')).toMatchObject({ threshold: 15, evaluationPeriods: 30, datapointsToAlarm: 30 });
    expect(get('FsxNetworkThroughputSaturated')).toMatchObject({ threshold: 80 });
    expect(get('FsxDiskThroughputSaturated')).toMatchObject({ threshold: 80 });
    expect(get('NeuronUncorrectedEccTrain').evaluationPeriods).toBe(1);
  });

  test('every description says what to do and fits CloudWatch (1,024 characters)', () => {
    for (const plan of plans.values()) {
      for (const s of plan.monitoring.sites) {
        for (const a of s.alarms) {
          expect(a.description).toMatch(/Do: /);
          expect(a.description.length).toBeLessThanOrEqual(1024);
        }
      }
    }
  });

  test('the idle-reservation alarm reads AWS/EC2CapacityReservations and filters by the configured IDs', () => {
    const a = byId('ReservedCapacityIdle');
    expect(a.metric.kind === 'query' && a.metric.query).toBe(
      'SELECT MIN(InstanceUtilization) FROM SCHEMA("AWS/EC2CapacityReservations", CapacityReservationId){{reservationWhere}}',
    );
    const withIds = planCluster(
      resolveConfig('ultraserver', { sites: { ohio: { pools: { train: { reservationIds: ['cr-0123456789abcdef0'] } } } } }),
    ).monitoring.sites[0];
    expect(withIds.reservationIds).toEqual(['cr-0123456789abcdef0']);
  });

  test('rainier-scale (30 sites, one Region): a status-check alarm per site, scoped to its groups; the Region-wide reservation watch in building-01 only', () => {
    const scale = plans.get('rainier-scale')!.monitoring.sites;
    for (const s of scale) {
      const status = s.alarms.find((a) => a.id === 'NodeStatusCheckFailed')!;
      expect(status.metric.kind === 'query' && status.metric.query).toContain(`tag."rainier:cluster" = 'rainier' AND tag."rainier:site" = '${s.site}'`);
    }
    expect(scale.filter((s) => s.reservationWatch === ReservationWatch.REGION).map((s) => s.site)).toEqual(['building-01']);
    expect(scale.filter((s) => s.reservationWatch === ReservationWatch.COVERED).length).toBe(RAINIER_SCALE_SITES - 1);
    expect(new Set(scale.map((s) => s.regionWatcher))).toEqual(new Set(['building-01']));
  });

  test.each([...PRESET_NAMES])('%s: Metrics Insights alarms per Region stay within the default quota of 200', (preset) => {
    const perRegion = new Map<string, number>();
    for (const s of plans.get(preset)!.monitoring.sites) {
      perRegion.set(s.region, (perRegion.get(s.region) ?? 0) + s.alarms.filter((a) => a.metricsInsights).length);
    }
    for (const n of perRegion.values()) {
      expect(n).toBeLessThanOrEqual(METRICS_INSIGHTS_LIMITS.alarmsPerRegion);
    }
  });

  test('rainier-scale: the status-check query reads Auto Scaling groups, fewer than Metrics Insights processes per query', () => {
    const plan = plans.get('rainier-scale')!;
    const groupsPerRegion = plan.sites.reduce((n, s) => n + s.pools.reduce((m, p) => m + p.nodeGroups.length, 0), 0);
    expect(groupsPerRegion).toBe(7_800);
    expect(groupsPerRegion).toBeLessThan(METRICS_INSIGHTS_LIMITS.metricsPerQuery);
  });
});

describe('configuration', () => {
  test('defaults', () => {
    const m = resolveConfig('single-node').monitoring;
    expect(m).toEqual({
      logRetentionDays: 365,
      alarms: { reservedCapacityIdlePercent: 10, neuronCoreUtilizationLowPercent: 20, fsxFreeCapacityLowPercent: 10, fsxThroughputSaturatedPercent: 90, evaluationPeriods: 3 },
      emailSubscriptions: [],
      alarmSubscribers: 'parameter',
    });
  });

  test('fails when an e-mail address is malformed, naming the field and the value', () => {
    expect(() => resolveConfig('single-node', { monitoring: { emailSubscriptions: ['oncall-at-example.com'] } })).toThrow(ConfigError);
    try {
      resolveConfig('single-node', { monitoring: { emailSubscriptions: ['oncall-at-example.com'] } });
    } catch (e) {
      expect((e as Error).message).toMatch(/monitoring\.emailSubscriptions\.0/);
      expect((e as Error).message).toMatch(/oncall-at-example\.com/);
    }
  });

  test('fails when an e-mail address is listed twice', () => {
    expect(() => resolveConfig('single-node', { monitoring: { emailSubscriptions: ['a@example.com', 'A@example.com'] } })).toThrow(/each e-mail address once/);
  });

  test('accepts valid addresses', () => {
    expect(resolveConfig('single-node', { monitoring: { emailSubscriptions: ['oncall@example.com'] } }).monitoring.emailSubscriptions).toEqual(['oncall@example.com']);
  });

  test.each([
    ['reservedCapacityIdlePercent', 101],
    ['neuronCoreUtilizationLowPercent', -1],
    ['evaluationPeriods', 0],
    ['evaluationPeriods', 1.5],
  ])('fails when alarms.%s is %p', (field, value) => {
    expect(() => resolveConfig('single-node', { monitoring: { alarms: { [field]: value } } })).toThrow(new RegExp(`monitoring\\.alarms\\.${field}`));
  });
});

test('free-capacity threshold in bytes', () => {
  expect(freeCapacityThresholdBytes(1200, 10)).toBe(Math.floor(1200 * 1024 ** 3 * 0.1));
  expect(freeCapacityThresholdBytes(2400, 0)).toBe(0);
});

describe('which reservations a site watches', () => {
  const CB_ID = 'cr-0123456789abcdef0';
  const OHIO = { region: 'us-east-2', availabilityZone: 'us-east-2a', cidr: '10.0.0.0/16' };
  const watch = (preset: string, overlay: Record<string, unknown> = {}) =>
    planCluster(resolveConfig(preset, overlay)).monitoring.sites.map((s) => [s.site, s.reservationWatch, s.regionWatcher ?? '-', s.reservationIds.join(',')]);

  test('every reservation known at synthesis (configured IDs, stack-created ODCRs): exactly those', () => {
    expect(watch('single-node')).toEqual([['ohio', ReservationWatch.LISTED, '-', '']]);
    expect(watch('ultraserver', { sites: { ohio: { pools: { train: { reservationIds: [CB_ID] } } } } })).toEqual([['ohio', ReservationWatch.LISTED, '-', CB_ID]]);
  });

  test('a Capacity Block taken from a parameter makes the site watch its Region, even beside configured IDs, and its alarm says so', () => {
    const mixed = { sites: { ohio: { pools: { block: { kind: 'capacity-block', instanceType: 'trn2.48xlarge', nodes: 2, reservationId: CB_ID } } } } };
    expect(watch('rainier-mini', mixed)).toEqual([['ohio', ReservationWatch.REGION, 'ohio', CB_ID]]);
    const idle = planCluster(resolveConfig('rainier-mini', mixed)).monitoring.sites[0].alarms.find((a) => a.id === 'ReservedCapacityIdle')!;
    expect(idle.description).toMatch(/Scope: some Capacity Block IDs in us-east-2 are deploy-time parameters, so this watches every Capacity Reservation of the Region tagged rainier:cluster=rainier \(tag purchased Capacity Blocks with it\)\.$/);
  });

  test('once a Region needs the Region-wide watch, its first site holds it and the others watch no reservation (nothing alarms twice)', () => {
    const twoSites = {
      sites: {
        ohio: { pools: { train: { reservationIds: [CB_ID] } } },
        ohio2: { ...OHIO, availabilityZone: 'us-east-2b', cidr: '10.1.0.0/16', pools: { train: { kind: 'ultraserver-capacity-block', instanceType: 'trn2u.48xlarge', ultraServers: 1 } } },
        ohio3: { ...OHIO, availabilityZone: 'us-east-2c', cidr: '10.2.0.0/16', pools: { train: { kind: 'ultraserver-capacity-block', instanceType: 'trn2u.48xlarge', ultraServers: 1 } } },
      },
    };
    // ohio could list its own block, but ohio2 and ohio3 cannot: ohio, first in the Region, watches all of it.
    expect(watch('ultraserver', twoSites)).toEqual([
      ['ohio', ReservationWatch.REGION, 'ohio', CB_ID],
      ['ohio2', ReservationWatch.COVERED, 'ohio', ''],
      ['ohio3', ReservationWatch.COVERED, 'ohio', ''],
    ]);
    const sites = planCluster(resolveConfig('ultraserver', twoSites)).monitoring.sites;
    expect(sites.map((s) => s.alarms.filter((a) => a.id === 'ReservedCapacityIdle').length)).toEqual([1, 0, 0]);
    expect(sites.map((s) => s.capacityEvents !== undefined)).toEqual([true, false, false]);
    // The watching site's dashboard plans for the cluster's reservations across the Region (3 UltraServers).
    const reserved = sites[0].dashboards[0].widgets.find((w) => w.title.startsWith('Reserved vs used'))!;
    expect(reserved.title).toBe('Reserved vs used instances (reservations in us-east-2 tagged rainier:cluster=rainier)');
    expect(reserved.annotation).toEqual({ value: 12, label: 'Planned reserved nodes of rainier in us-east-2 (12)' });
    expect(sites[1].dashboards[0].widgets.map((w) => w.markdown ?? '').join('\n')).toMatch(/watched once, on the `rainier-ohio` dashboard/);
  });

  test('decided Region by Region', () => {
    const regions = {
      sites: {
        virginia: { region: 'us-east-1', availabilityZone: 'us-east-1a', cidr: '10.1.0.0/16', pools: { train: { kind: 'on-demand-capacity-reservation', instanceType: 'trn1.32xlarge', nodes: 4 } } },
        virginia2: { region: 'us-east-1', availabilityZone: 'us-east-1b', cidr: '10.2.0.0/16', pools: { train: { kind: 'capacity-block', instanceType: 'trn1.32xlarge', nodes: 4 } } },
        oregon: { region: 'us-west-2', availabilityZone: 'us-west-2a', cidr: '10.3.0.0/16', pools: { train: { kind: 'on-demand-capacity-reservation', instanceType: 'trn1.32xlarge', nodes: 4 } } },
      },
    };
    // ohio: its UltraServer block IDs are a parameter. virginia lists its own, but virginia2 cannot,
    // so virginia (first in us-east-1) watches that Region. oregon, alone in us-west-2, lists its own.
    expect(watch('ultraserver', regions)).toEqual([
      ['ohio', ReservationWatch.REGION, 'ohio', ''],
      ['virginia', ReservationWatch.REGION, 'virginia', ''],
      ['virginia2', ReservationWatch.COVERED, 'virginia', ''],
      ['oregon', ReservationWatch.LISTED, '-', ''],
    ]);
  });

  test('a Region where every reservation is known lists them site by site', () => {
    const sites = planCluster(resolveConfig('single-node', { sites: { ohio2: { ...OHIO, availabilityZone: 'us-east-2b', cidr: '10.1.0.0/16', pools: { dev: { kind: 'on-demand-capacity-reservation', instanceType: 'trn2.48xlarge', nodes: 1 } } } } })).monitoring.sites;
    expect(sites.map((s) => [s.reservationWatch, s.alarms.filter((a) => a.id === 'ReservedCapacityIdle').length])).toEqual([
      [ReservationWatch.LISTED, 1],
      [ReservationWatch.LISTED, 1],
    ]);
  });
});

describe('launch-failure rules of sites whose names extend one another', () => {
  test("site ohio's rule does not match the groups of site ohio-east (same cluster, same Region)", () => {
    const base = resolveConfig('rainier-mini');
    const ohio = base.sites.ohio;
    const config = resolveConfig('rainier-mini', { sites: { 'ohio-east': { ...ohio, cidr: '10.64.0.0/16' } } } as never);
    const plan = planCluster(config);
    const rule = plan.monitoring.sites.find((s) => s.site === 'ohio')!.launchFailures;
    const eastGroups = plan.stacks.filter((st) => st.site === 'ohio-east' && st.pool !== undefined).map((st) => `${st.id}-UltraServer0001ResourceASG-ABC`);
    expect(eastGroups.length).toBeGreaterThan(0);
    for (const group of eastGroups) expect(rule.groupNamePrefixes.some((p) => group.startsWith(p))).toBe(false);
  });
});

describe('node health alarms and launch failures', () => {
  test.each([...PRESET_NAMES])('%s: every pool has a nodes-below-plan and a health-check alarm; every site a launch-failure rule', (preset) => {
    const plan = plans.get(preset)!;
    for (const site of plan.sites) {
      const m = plan.monitoring.sites.find((s) => s.site === site.name)!;
      expect(m.launchFailures).toEqual({
        source: 'aws.autoscaling',
        detailType: 'EC2 Instance Launch Unsuccessful',
        groupNamePrefixes: site.pools.map((pool) => `${plan.name}-${site.name}-${pool.name}-`),
      });
      // Every compute stack of the site (hence every group name CloudFormation generates) has one of the prefixes.
      for (const stack of plan.stacks.filter((st) => st.site === site.name && st.pool !== undefined)) {
        expect(m.launchFailures.groupNamePrefixes.some((p) => `${stack.id}-`.startsWith(p))).toBe(true);
      }
      for (const pool of site.pools) {
        const below = m.alarms.find((a) => a.pool === pool.name && a.id.startsWith('NodesBelowPlan'))!;
        expect(below).toMatchObject({ comparison: 'LessThanThreshold', threshold: pool.nodeCount, treatMissingData: 'breaching' });
        expect(below.metric).toMatchObject({ kind: 'metric', metricName: 'NodesReporting', statistic: 'Sum', periodSeconds: 60, dimensions: { Cluster: plan.name, Site: site.name, Pool: pool.name } });
        const failed = m.alarms.find((a) => a.pool === pool.name && a.id.startsWith('NodeHealthCheckFailed'))!;
        expect(failed).toMatchObject({ comparison: 'GreaterThanThreshold', threshold: 0, evaluationPeriods: 1, treatMissingData: 'notBreaching' });
        expect(failed.metric).toMatchObject({ kind: 'metric', namespace: 'Rainier', metricName: 'NodeHealthCheckFailed', dimensions: { Pool: pool.name } });
        expect(failed.description).toContain('Check dimension names the failed check');
      }
    }
  });

  test('nodes below plan waits evaluationPeriods x 5 one-minute periods and says what a Capacity Block not yet active looks like', () => {
    const m = planCluster(resolveConfig('ultraserver', { monitoring: { alarms: { evaluationPeriods: 2 } } })).monitoring.sites[0];
    const below = m.alarms.find((a) => a.id === 'NodesBelowPlanTrain')!;
    expect(below).toMatchObject({ evaluationPeriods: 10, datapointsToAlarm: 10 });
    expect(below.description).toContain('while a Capacity Block is not yet active');
  });
});
