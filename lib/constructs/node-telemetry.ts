import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { AGENT_METRIC, DIMENSION, ETHTOOL_ALLOWANCES, METRIC_NAMESPACE, NEURON_METRIC } from '../plan/monitoring';
import { ClusterPlan } from '../plan/types';
import { BootstrapSection } from './contracts';

/**
 * Node telemetry: the boot-script section that makes a node publish its metrics and logs.
 *
 * Two publishers, both writing to namespace `Rainier` with dimensions Cluster, Site and Pool only
 * (so every node of a pool writes the same series and CloudWatch aggregates across nodes; see
 * lib/plan/monitoring.ts):
 *
 * 1. The CloudWatch agent: host memory, root disk and the ENA allowance counters (ethtool plugin,
 *    CloudWatch-Agent-network-performance.html), with per-plugin `append_dimensions` and the
 *    metrics section's `aggregation_dimensions` (CloudWatch-Agent-Configuration-File-Details.html);
 *    `omit_hostname` keeps the host out of the dimensions. It also ships the node logs.
 * 2. Our Neuron publisher: neuron-monitor (NEURON-MON) streams a JSON report to stdout; a small
 *    Python script reads it and writes one CloudWatch embedded-metric-format (EMF) line a minute to
 *    a file the agent ships to the site's `neuron` log group, where CloudWatch Logs extracts the
 *    metrics (CloudWatch_Embedded_Metric_Format_Generation_PutLogEvents.html). We write the
 *    publisher instead of using neuron-monitor-cloudwatch.py because the names that script writes
 *    are not documented (REFERENCE "Uncertain"), and because the EMF line keeps the instance ID as
 *    a searchable field without making it a (per-node, billed) dimension.
 */

export interface NodeTelemetryOptions {
  readonly cluster: string;
  readonly site: string;
  readonly pool: string;
  /** Region of the site. */
  readonly region: string;
  readonly logGroups: { readonly system: string; readonly neuronMetrics: string };
  /** Seconds between published data points. @default 60 */
  readonly intervalSeconds?: number;
}

export const NEURON_MONITOR = '/opt/aws/neuron/bin/neuron-monitor';
export const AGENT_CTL = '/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl';
export const AGENT_CONFIG_PATH = '/opt/aws/amazon-cloudwatch-agent/etc/rainier.json';
export const NEURON_MONITOR_CONFIG_PATH = '/etc/rainier/neuron-monitor.json';
export const PUBLISHER_PATH = '/usr/local/bin/rainier-neuron-publisher';
export const NEURON_METRICS_FILE = '/var/log/rainier/neuron-metrics.log';
export const TELEMETRY_UNIT = 'rainier-neuron-telemetry.service';

/** The section for one pool of one site, read from the plan. */
export function nodeTelemetryForPool(plan: ClusterPlan, siteName: string, poolName: string): BootstrapSection {
  const site = plan.monitoring.sites.find((s) => s.site === siteName);
  if (site === undefined || !plan.sites.some((s) => s.name === siteName && s.pools.some((p) => p.name === poolName))) {
    throw new Error(`no pool ${poolName} in site ${siteName}`);
  }
  return nodeTelemetrySection({ cluster: plan.name, site: siteName, pool: poolName, region: site.region, logGroups: site.logGroups });
}

/** neuron-monitor configuration: the metric groups the publisher reads, every 5 s (neuron-monitor's default period). */
export function neuronMonitorConfig(): object {
  return {
    period: '5s',
    neuron_runtimes: [{ tag_filter: '.*', metrics: [{ type: 'neuroncore_counters' }, { type: 'memory_used' }, { type: 'execution_stats' }] }],
    system_metrics: [{ type: 'neuron_hw_counters' }],
  };
}

/** CloudWatch agent configuration (JSON), pure so tests can read it. */
export function cloudWatchAgentConfig(opts: NodeTelemetryOptions): object {
  const interval = opts.intervalSeconds ?? 60;
  const dims = { [DIMENSION.cluster]: opts.cluster, [DIMENSION.site]: opts.site, [DIMENSION.pool]: opts.pool };
  const stream = (suffix: string) => `{instance_id}/${suffix}`;
  return {
    agent: { metrics_collection_interval: interval, omit_hostname: true },
    metrics: {
      namespace: METRIC_NAMESPACE,
      // Roll every metric up to exactly Cluster/Site/Pool: the series dashboards and alarms read.
      aggregation_dimensions: [[DIMENSION.cluster, DIMENSION.site, DIMENSION.pool]],
      metrics_collected: {
        mem: { measurement: [AGENT_METRIC.memUsedPercent], append_dimensions: dims },
        disk: { measurement: ['used_percent'], resources: ['/'], drop_device: true, append_dimensions: dims },
        ethtool: { metrics_include: [...ETHTOOL_ALLOWANCES], append_dimensions: dims },
      },
    },
    logs: {
      logs_collected: {
        files: {
          collect_list: [
            { file_path: NEURON_METRICS_FILE, log_group_name: opts.logGroups.neuronMetrics, log_stream_name: '{instance_id}' },
            { file_path: '/var/log/cloud-init-output.log', log_group_name: opts.logGroups.system, log_stream_name: stream('cloud-init-output') },
            { file_path: '/var/log/syslog', log_group_name: opts.logGroups.system, log_stream_name: stream('syslog') },
            { file_path: '/var/log/messages', log_group_name: opts.logGroups.system, log_stream_name: stream('messages') },
            { file_path: '/var/log/kern.log', log_group_name: opts.logGroups.system, log_stream_name: stream('kern') },
          ],
        },
      },
    },
  };
}

/**
 * The Neuron publisher. Reads neuron-monitor's JSON lines on stdin, aggregates over the interval
 * and appends one EMF line per interval. Field names it reads are NEURON-MON's.
 * - NeuronCoreUtilization: sum of per-core utilisation / all cores of the node
 *   (neuron_device_count x neuroncore_per_device_count), so idle cores count as 0; mean over the interval.
 * - NeuronDeviceMemoryUsed: device bytes used by all Neuron applications; mean over the interval.
 * - ECC counters: NEURON-MON calls them "number of ... ECC events" without saying whether they are
 *   cumulative; the Prometheus exporter names them *_total. We treat them as cumulative and publish
 *   increases; a decrease is taken as a reset and the new value is published whole. The last totals
 *   persist in /var/lib/rainier so a publisher restart does not report old events again.
 * - NeuronExecutionErrors: execution_stats.error_summary counts are "for the captured period"; summed.
 */
export const NEURON_PUBLISHER = `#!/usr/bin/env python3
"""rainier-neuron-publisher: neuron-monitor JSON on stdin -> CloudWatch EMF lines in a file."""
import argparse
import json
import os
import sys
import time

ECC = {
    "mem_ecc_corrected": "${NEURON_METRIC.hbmEccCorrected}",
    "mem_ecc_uncorrected": "${NEURON_METRIC.hbmEccUncorrected}",
    "sram_ecc_corrected": "${NEURON_METRIC.sramEccCorrected}",
    "sram_ecc_uncorrected": "${NEURON_METRIC.sramEccUncorrected}",
}
STATE = "/var/lib/rainier/neuron-ecc-state.json"


def number(value):
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else 0


def load_state():
    try:
        with open(STATE) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


def save_state(state):
    os.makedirs(os.path.dirname(STATE), exist_ok=True)
    tmp = STATE + ".tmp"
    with open(tmp, "w") as f:
        json.dump(state, f)
    os.replace(tmp, STATE)


def write_record(out, args, instance_id, utilization, memory, errors, ecc, when):
    record = {
        "_aws": {
            "Timestamp": int(when * 1000),
            "CloudWatchMetrics": [{
                "Namespace": args.namespace,
                "Dimensions": [["${DIMENSION.cluster}", "${DIMENSION.site}", "${DIMENSION.pool}"]],
                "Metrics": [
                    {"Name": "${NEURON_METRIC.coreUtilization}", "Unit": "Percent"},
                    {"Name": "${NEURON_METRIC.deviceMemoryUsed}", "Unit": "Bytes"},
                    {"Name": "${NEURON_METRIC.executionErrors}", "Unit": "Count"},
                    {"Name": "${NEURON_METRIC.nodesReporting}", "Unit": "Count"},
                ] + [{"Name": name, "Unit": "Count"} for name in ECC.values()],
            }],
        },
        "${DIMENSION.cluster}": args.cluster,
        "${DIMENSION.site}": args.site,
        "${DIMENSION.pool}": args.pool,
        "InstanceId": instance_id,
        "${NEURON_METRIC.coreUtilization}": sum(utilization) / len(utilization),
        "${NEURON_METRIC.deviceMemoryUsed}": sum(memory) / len(memory),
        "${NEURON_METRIC.executionErrors}": errors,
        "${NEURON_METRIC.nodesReporting}": 1,
    }
    for k, name in ECC.items():
        record[name] = ecc[k]
    out.write(json.dumps(record) + chr(10))


def main():
    ap = argparse.ArgumentParser()
    for name in ("namespace", "cluster", "site", "pool", "output"):
        ap.add_argument("--" + name, required=True)
    ap.add_argument("--interval", type=int, default=60)
    args = ap.parse_args()
    previous = load_state()
    utilization, memory, errors, ecc = [], [], 0, dict((k, 0) for k in ECC)
    instance_id = ""
    current = None
    out = open(args.output, "a", buffering=1)
    for line in sys.stdin:
        try:
            report = json.loads(line)
        except ValueError:
            continue
        # One record per node per interval of the wall clock (a minute: 12:00:00-12:00:59), stamped
        # at the interval's start, so each node is one data point in each one-minute period and the
        # period's Sum of NodesReporting counts the nodes. (A timer started at boot drifts: its
        # records, 60-65 s apart, skip a minute now and then, and a large pool always looks short.)
        now = time.time()
        bucket = int(now // args.interval) if args.interval > 0 else None
        if bucket != current and current is not None and utilization:
            write_record(out, args, instance_id, utilization, memory, errors, ecc, current * args.interval)
            utilization, memory, errors, ecc = [], [], 0, dict((k, 0) for k in ECC)
        current = bucket
        instance_id = (report.get("instance_info") or {}).get("instance_id") or instance_id
        hw = report.get("neuron_hardware_info") or {}
        cores = number(hw.get("neuron_device_count")) * number(hw.get("neuroncore_per_device_count"))
        busy, in_use, used = 0.0, 0, 0
        for runtime in report.get("neuron_runtime_data") or []:
            r = runtime.get("report") or {}
            for core in ((r.get("neuroncore_counters") or {}).get("neuroncores_in_use") or {}).values():
                busy += number(core.get("neuroncore_utilization"))
                in_use += 1
            used += number(((r.get("memory_used") or {}).get("neuron_runtime_used_bytes") or {}).get("neuron_device"))
            errors += sum(number(v) for v in ((r.get("execution_stats") or {}).get("error_summary") or {}).values())
        utilization.append(busy / (cores or in_use or 1))
        memory.append(used)
        totals = dict((k, 0) for k in ECC)
        for device in ((report.get("system_data") or {}).get("neuron_hw_counters") or {}).get("neuron_devices") or []:
            for k in ECC:
                totals[k] += number(device.get(k))
        for k in ECC:
            before = previous.get(k, 0)
            ecc[k] += totals[k] - before if totals[k] >= before else totals[k]
        if totals != previous:
            previous = totals
            save_state(previous)
        if args.interval <= 0:
            write_record(out, args, instance_id, utilization, memory, errors, ecc, now)
            utilization, memory, errors, ecc = [], [], 0, dict((k, 0) for k in ECC)
    return 1


if __name__ == "__main__":
    sys.exit(main())
`;

/** Quoted heredoc: nothing inside is expanded by bash. */
function writeFile(path: string, content: string, mode = '0644'): string[] {
  const marker = 'RAINIER_TELEMETRY_EOF';
  if (content.includes(marker)) {
    throw new Error(`content for ${path} contains the heredoc marker`);
  }
  return [`install -d -m 0755 "$(dirname ${path})"`, `cat > ${path} <<'${marker}'`, content.replace(/\n$/, ''), marker, `chmod ${mode} ${path}`];
}

/** The boot-script section: install and configure the agent, install the publisher, start both. */
export function nodeTelemetrySection(opts: NodeTelemetryOptions): BootstrapSection {
  const interval = opts.intervalSeconds ?? 60;
  const unit = [
    '[Unit]',
    'Description=Rainier Neuron telemetry (neuron-monitor to CloudWatch EMF)',
    'After=network-online.target',
    '',
    '[Service]',
    `ExecStart=/bin/bash -o pipefail -c '${NEURON_MONITOR} -c ${NEURON_MONITOR_CONFIG_PATH} | ${PUBLISHER_PATH} --namespace ${METRIC_NAMESPACE} ` +
      `--cluster ${opts.cluster} --site ${opts.site} --pool ${opts.pool} --output ${NEURON_METRICS_FILE} --interval ${interval}'`,
    'Restart=always',
    'RestartSec=10',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
  ].join('\n');
  const logrotate = [`${NEURON_METRICS_FILE} {`, '  daily', '  rotate 3', '  compress', '  missingok', '  copytruncate', '}'].join('\n');
  return {
    name: 'node-telemetry',
    commands: [
      `if [ ! -x ${NEURON_MONITOR} ]; then echo "node-telemetry: ${NEURON_MONITOR} missing (aws-neuronx-tools)" >&2; exit 1; fi`,
      // The agent must be in the image: the boot installs nothing (no unpinned `latest` package), and a
      // missing agent stops the boot, which abandons the node naming this step (docs/operations.md).
      `if [ ! -x ${AGENT_CTL} ]; then echo "node-telemetry: ${AGENT_CTL} missing (amazon-cloudwatch-agent is not in the image)" >&2; exit 1; fi`,
      'install -d -m 0755 /var/log/rainier /var/lib/rainier',
      ...writeFile(AGENT_CONFIG_PATH, JSON.stringify(cloudWatchAgentConfig(opts), null, 2)),
      ...writeFile(NEURON_MONITOR_CONFIG_PATH, JSON.stringify(neuronMonitorConfig(), null, 2)),
      ...writeFile(PUBLISHER_PATH, NEURON_PUBLISHER, '0755'),
      ...writeFile(`/etc/systemd/system/${TELEMETRY_UNIT}`, unit),
      ...writeFile('/etc/logrotate.d/rainier-neuron-metrics', logrotate),
      `${AGENT_CTL} -a fetch-config -m ec2 -s -c file:${AGENT_CONFIG_PATH}`,
      'systemctl daemon-reload',
      `systemctl enable --now ${TELEMETRY_UNIT}`,
    ],
  };
}

/**
 * What the node role needs for telemetry, narrower than the managed CloudWatchAgentServerPolicy:
 * write to the site's two node log groups, and put metric data only into our namespace.
 */
/** ARN covering every log stream of a node log group (`…:log-group:<name>:*`). */
export function nodeLogStreamsArn(scope: IConstruct, name: string): string {
  return Stack.of(scope).formatArn({ service: 'logs', resource: 'log-group', resourceName: `${name}:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
}

/** The names of a site's two node log groups. */
export interface NodeLogGroups {
  readonly system: string;
  readonly neuronMetrics: string;
}

export function nodeTelemetryStatements(scope: IConstruct, logGroups: NodeLogGroups): iam.PolicyStatement[] {
  const groupArn = (name: string) => nodeLogStreamsArn(scope, name);
  return [
    new iam.PolicyStatement({
      sid: 'NodeLogs',
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
      resources: [groupArn(logGroups.system), groupArn(logGroups.neuronMetrics)],
    }),
    new iam.PolicyStatement({
      sid: 'NodeMetrics',
      actions: ['cloudwatch:PutMetricData'],
      resources: ['*'],
      conditions: { StringEquals: { 'cloudwatch:namespace': METRIC_NAMESPACE } },
    }),
  ];
}
