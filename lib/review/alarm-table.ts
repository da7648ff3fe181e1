import { planNodeHealth } from '../plan/health';
import { AlarmPlan, MetricSourcePlan } from '../plan/monitoring';
import { pascalCase } from '../plan/naming';
import { ClusterPlan } from '../plan/types';

/**
 * The alarm table of docs/operations.md, generated from a plan (`npm run docs`): every kind of
 * alarm a site gets, with what it watches, when it fires and what missing data means. Per-pool
 * alarms are shown once, with `<Pool>` for the pool's name.
 */
export function renderAlarmTable(plan: ClusterPlan): string {
  const rows = new Map<string, string[]>();
  for (const site of plan.monitoring.sites) {
    for (const a of site.alarms) {
      const id = a.pool !== undefined ? a.id.replace(new RegExp(`${pascalCase(a.pool)}$`), '<Pool>') : a.id;
      if (!rows.has(id)) {
        rows.set(id, [`\`${id}\``, watches(a).replace(/\|/g, '\\|'), firesWhen(a), MISSING[a.treatMissingData]]);
      }
    }
  }
  const lines = ['| Alarm | Watches | Fires when | No data means |', '| --- | --- | --- | --- |', ...[...rows.values()].map((r) => `| ${r.join(' | ')} |`)];
  return `${lines.join('\n')}\n`;
}

const MISSING: Record<AlarmPlan['treatMissingData'], string> = {
  notBreaching: 'OK',
  breaching: 'ALARM',
  ignore: 'keep state',
  missing: 'INSUFFICIENT_DATA',
};

function periodOf(m: MetricSourcePlan): number {
  return m.periodSeconds;
}

function watches(a: AlarmPlan): string {
  const m = a.metric;
  const what = m.kind === 'metric' ? `${m.namespace} ${m.metricName} (${m.statistic})` : m.kind === 'query' ? placeholders(m.query) : placeholders(m.expression);
  return `${a.summary.replace(/^pool \S+: /, '')}: \`${what.replace(/'[a-z0-9-]+'/g, "'…'")}\``;
}

function placeholders(text: string): string {
  return text.replace(/\{\{reservationWhere\}\}/g, " WHERE <the site's reservations>").replace(/\{\{(\w+)\}\}/g, '<$1>');
}

function firesWhen(a: AlarmPlan): string {
  const op = a.comparison === 'GreaterThanThreshold' ? '>' : '<';
  const period = periodOf(a.metric);
  const unit = period % 60 === 0 ? `${period / 60} min` : `${period} s`;
  const threshold = a.pool !== undefined && a.id.startsWith('NodesBelowPlan') ? 'the planned node count' : String(a.threshold);
  return `${op} ${threshold} in ${a.datapointsToAlarm} of ${a.evaluationPeriods} periods of ${unit}`;
}

/** The boot's step budgets per instance type of the plan, and the resulting hook timeout. */
export function renderBootBudgetTable(plan: ClusterPlan): string {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const site of plan.sites) {
    for (const pool of site.pools) {
      if (seen.has(pool.instanceType)) continue;
      seen.add(pool.instanceType);
      const h = planNodeHealth(site, pool);
      out.push(`${pool.instanceType} (pool \`${pool.name}\`): heartbeat timeout ${h.heartbeatTimeoutSeconds} s`, '', '| Step | Budget, s | Basis |', '| --- | ---: | --- |');
      out.push(...h.steps.map((s) => `| ${s.step} | ${s.seconds} | ${s.basis} |`), '');
    }
  }
  return `${out.join('\n').trimEnd()}\n`;
}
