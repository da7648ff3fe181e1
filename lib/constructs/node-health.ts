import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { NODE_TAGS } from '../plan/compute';
import { CHECK_DIMENSION, HEALTH_METRIC, NodeHealthPlan } from '../plan/health';
import { DIMENSION, METRIC_NAMESPACE } from '../plan/monitoring';
import { BootstrapSection } from './contracts';
import { AGENT_CTL, TELEMETRY_UNIT } from './node-telemetry';

/**
 * The node side of health-gated launch: boot-script sections and the scripts they install.
 *
 * - `node-lifecycle` (first section): writes /etc/rainier/node.env and the helper
 *   `rainier-lifecycle`, which completes the launch lifecycle action with CONTINUE or ABANDON through
 *   the site's Auto Scaling interface endpoint, and on ABANDON first logs the reason and publishes
 *   `NodeHealthCheckFailed` naming the check. It then sets an EXIT trap, so a boot script that stops
 *   on error (`set -e`) abandons the instance instead of leaving it waiting for the heartbeat timeout.
 * - `self-check` (last section): installs and runs `rainier-node-check`, which checks the node
 *   against the catalogue and the plan and completes the action itself.
 *
 * Paths take an optional `RAINIER_ROOT` prefix (empty on a node) so tests can run the scripts under
 * bash with stub commands in a temporary directory. Nothing is downloaded; the commands the checks
 * use must be in the image (docs/operations.md, "What the image must contain"), and a missing one is
 * reported as a failed check that names it.
 */

export const LIFECYCLE_HELPER = '/usr/local/sbin/rainier-lifecycle';
export const NODE_CHECK = '/usr/local/sbin/rainier-node-check';
export const NODE_ENV = '/etc/rainier/node.env';
/** Written once the launch lifecycle action completed with CONTINUE: a reboot or a second run reports nothing. */
export const HOOK_DONE_MARKER = '/var/lib/rainier/launch-hook-completed';
/** IMDSv2 (link-local, never leaves the instance): https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-retrieval.html */
export const IMDS = 'http://169.254.169.254';

export interface NodeIdentity {
  readonly cluster: string;
  readonly site: string;
  readonly pool: string;
  readonly region: string;
}

const MARKER = 'RAINIER_HEALTH_EOF';

function writeFile(path: string, content: string, mode: string): string[] {
  if (content.includes(MARKER)) {
    throw new Error(`content for ${path} contains the heredoc marker`);
  }
  return [`install -d -m 0755 "$(dirname "\${RAINIER_ROOT:-}${path}")"`, `cat > "\${RAINIER_ROOT:-}${path}" <<'${MARKER}'`, content.replace(/\n$/, ''), MARKER, `chmod ${mode} "\${RAINIER_ROOT:-}${path}"`];
}

/** Shell-safe single-quoted literal. */
function q(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * `rainier-lifecycle RESULT [CHECK] [DETAIL]`: completes this instance's launch lifecycle action.
 * The group name comes from the instance's `aws:autoscaling:groupName` tag through IMDS when the
 * metadata service exposes it (the launch template enables instance tags in metadata; whether
 * `aws:`-prefixed tags are included is not verified), else from DescribeAutoScalingInstances.
 * CompleteLifecycleAction with an instance ID needs no token
 * (https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_CompleteLifecycleAction.html).
 */
export function lifecycleHelperScript(): string {
  return `#!/bin/bash
# rainier-lifecycle RESULT [CHECK] [DETAIL]: complete this node's launch lifecycle action.
set -uo pipefail
R="\${RAINIER_ROOT:-}"
# shellcheck source=/dev/null
. "$R${NODE_ENV}"
result="$1"
check="\${2:-}"
detail="\${3:-}"
done_marker="$R${HOOK_DONE_MARKER}"
# A node already in service (a reboot, or the boot run again) has no lifecycle action left to complete.
if [ -e "$done_marker" ]; then
  echo "rainier-health: launch lifecycle action already completed ($(cat "$done_marker")); nothing to report for $result \${check:+check=$check }\${detail:+($detail)}" >&2
  logger -t rainier-health "already in service; $result \${check:+check=$check }not sent" || true
  exit 0
fi
# Every call is bounded and retried: IMDS and the Auto Scaling endpoint can fail for a moment, and a
# healthy node that cannot say so waits out the heartbeat timeout and is abandoned.
export AWS_MAX_ATTEMPTS=1
cli=(--cli-connect-timeout 5 --cli-read-timeout 15)
retry() { local n; for n in 1 2 3 4; do "$@" && return 0; [ "$n" -lt 4 ] && sleep $((n * 5)); done; return 1; }
token=""
for n in 1 2 3 4 5; do
  token="$(curl -sf --max-time 2 -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 300' ${IMDS}/latest/api/token)" && [ -n "$token" ] && break
  token=""
  sleep "$n"
done
imds() { curl -sf --max-time 2 -H "X-aws-ec2-metadata-token: $token" "${IMDS}/latest/meta-data/$1"; }
instance="$(imds instance-id || true)"
group="$(imds tags/instance/aws:autoscaling:groupName || true)"
if [ -z "$group" ] && [ -n "$instance" ]; then
  group="$(aws autoscaling describe-auto-scaling-instances "\${cli[@]}" --region "$REGION" --instance-ids "$instance" --query 'AutoScalingInstances[0].AutoScalingGroupName' --output text || true)"
fi
if [ "$result" = ABANDON ]; then
  message="rainier-health: FAILED check=$check: $detail; abandoning instance $instance of group $group"
  echo "$message" >&2
  logger -t rainier-health "$message" || true
  dims="{\\"Name\\":\\"${DIMENSION.cluster}\\",\\"Value\\":\\"$CLUSTER\\"},{\\"Name\\":\\"${DIMENSION.site}\\",\\"Value\\":\\"$SITE\\"},{\\"Name\\":\\"${DIMENSION.pool}\\",\\"Value\\":\\"$POOL\\"}"
  data="[{\\"MetricName\\":\\"${HEALTH_METRIC.checkFailed}\\",\\"Unit\\":\\"Count\\",\\"Value\\":1,\\"Dimensions\\":[$dims]},{\\"MetricName\\":\\"${HEALTH_METRIC.checkFailed}\\",\\"Unit\\":\\"Count\\",\\"Value\\":1,\\"Dimensions\\":[$dims,{\\"Name\\":\\"${CHECK_DIMENSION}\\",\\"Value\\":\\"$check\\"}]}]"
  aws cloudwatch put-metric-data --region "$REGION" --namespace "$NAMESPACE" --metric-data "$data" || echo "rainier-health: could not publish ${HEALTH_METRIC.checkFailed}" >&2
else
  message="rainier-health: PASSED: $detail; putting instance $instance of group $group in service"
  echo "$message"
  logger -t rainier-health "$message" || true
fi
if [ -z "$instance" ] || [ -z "$group" ]; then
  echo "rainier-health: cannot tell instance ($instance) or group ($group); the hook's default result (ABANDON) applies at its timeout" >&2
  exit 1
fi
if ! retry aws autoscaling complete-lifecycle-action "\${cli[@]}" --region "$REGION" --lifecycle-hook-name "$HOOK" \\
  --auto-scaling-group-name "$group" --instance-id "$instance" --lifecycle-action-result "$result"; then
  echo "rainier-health: could not complete the lifecycle action ($result) after 4 tries; the hook's default result (ABANDON) applies at its timeout" >&2
  logger -t rainier-health "could not complete the lifecycle action ($result); ABANDON at the heartbeat timeout" || true
  exit 1
fi
if [ "$result" = CONTINUE ]; then
  install -d -m 0755 "$(dirname "$done_marker")"
  echo "$result $instance $group" > "$done_marker"
fi
`;
}

/** The first section: node identity, the lifecycle helper, and the EXIT trap that abandons a failed boot. */
export function nodeLifecycleSection(id: NodeIdentity, health: NodeHealthPlan): BootstrapSection {
  const env = [
    `CLUSTER=${q(id.cluster)}`,
    `SITE=${q(id.site)}`,
    `POOL=${q(id.pool)}`,
    `REGION=${q(id.region)}`,
    `NAMESPACE=${q(METRIC_NAMESPACE)}`,
    `HOOK=${q(health.hookName)}`,
  ].join('\n');
  return {
    name: 'node-lifecycle',
    commands: [
      ...writeFile(NODE_ENV, `${env}\n`, '0644'),
      ...writeFile(LIFECYCLE_HELPER, lifecycleHelperScript(), '0755'),
      // Any failure from here on (set -e) abandons the instance, naming the boot step that failed.
      'rainier_on_exit() {',
      '  local rc=$?',
      `  if [ "$rc" -ne 0 ]; then "\${RAINIER_ROOT:-}${LIFECYCLE_HELPER}" ABANDON "boot:\${RAINIER_STEP:-unknown}" "boot script stopped with status $rc"; fi`,
      '}',
      'trap rainier_on_exit EXIT',
    ],
  };
}

/** How the self-check ends when every check passed. */
export interface NodeCheckOptions {
  /**
   * Complete the launch lifecycle action with CONTINUE. Off when a later boot section (the EKS join,
   * lib/constructs/node-join.ts) must run after the checks and completes the action itself.
   * @default true
   */
  readonly complete?: boolean;
}

/** The self-check, pure so tests can run it under bash with stub commands. */
export function nodeCheckScript(health: NodeHealthPlan, options: NodeCheckOptions = {}): string {
  const lines = [
    '#!/bin/bash',
    '# rainier-node-check: this node checked against the catalogue and the plan; completes the launch lifecycle action.',
    'set -uo pipefail',
    'R="${RAINIER_ROOT:-}"',
    `LIFECYCLE="$R${LIFECYCLE_HELPER}"`,
    'fail() { echo "rainier-health: check $1 failed: $2" >&2; "$LIFECYCLE" ABANDON "$1" "$2"; exit 1; }',
    'pass() { echo "rainier-health: check $1 passed: $2"; }',
    'need() { command -v "$1" >/dev/null 2>&1 || fail "image:$1" "$1 is not in the image ($2)"; }',
    '',
    'need python3 "Python 3, to read neuron-ls output"',
    'need neuron-ls "aws-neuronx-tools"',
    `out="$(timeout 60 neuron-ls --json-output)" || fail neuron-devices "neuron-ls failed"`,
    // Devices, total cores, and the distinct per-device core counts: every device must run the same
    // Logical NeuronCore setting, so a device at LNC 1 among devices at LNC 2 fails even if the sum matched.
    `counts="$(printf '%s' "$out" | python3 -c 'import json, sys; d = json.load(sys.stdin); print(len(d), sum(int(x.get("nc_count", 0)) for x in d), len(set(int(x.get("nc_count", 0)) for x in d)))')" || fail neuron-devices "neuron-ls output unreadable"`,
    'read -r devices cores kinds <<<"$counts"',
    `[ "$devices" -eq ${health.neuronDevices} ] || fail neuron-devices "expected ${health.neuronDevices} Neuron device(s), found $devices"`,
    `[ "$kinds" -eq 1 ] || fail neuron-cores "Neuron devices report different NeuronCore counts ($cores in all): mixed Logical NeuronCore settings"`,
    `[ ${health.acceptedNeuronCoreCounts.map((n) => `"$cores" -eq ${n}`).join(' ] || [ ')} ] || fail neuron-cores "expected ${health.acceptedNeuronCoreCounts.join(' or ')} NeuronCores, found $cores"`,
    'pass neuron "$devices devices, $cores NeuronCores"',
  ];
  if (health.efaDevices > 0) {
    lines.push(
      '',
      'need fi_info "EFA software (libfabric)"',
      `efa="$( (timeout 60 fi_info -p efa -t FI_EP_RDM 2>/dev/null || true) | awk '/domain:/ {print $2}' | sort -u | wc -l)"`,
      `[ "$efa" -eq ${health.efaDevices} ] || fail efa-devices "expected ${health.efaDevices} EFA device(s), found $efa"`,
      'pass efa-devices "$efa EFA devices"',
    );
  }
  if (health.scratchMountPoint !== undefined) {
    lines.push(
      '',
      `fstype="$(findmnt -n -o FSTYPE --mountpoint "$R${health.scratchMountPoint}" | tail -n 1)"`,
      `[ "$fstype" = xfs ] || fail scratch "${health.scratchMountPoint} is not the XFS scratch array (found: \${fstype:-nothing mounted})"`,
      `pass scratch "${health.scratchMountPoint} is XFS"`,
    );
  }
  const m = health.lustreMountPoint;
  lines.push(
    '',
    `timeout 120 stat -t "$R${m}/." >/dev/null 2>&1 || true  # triggers the systemd automount`,
    `fstype="$(findmnt -n -o FSTYPE --mountpoint "$R${m}" | tail -n 1)"`,
    `[ "$fstype" = lustre ] || fail lustre-mount "${m} is not a Lustre mount (found: \${fstype:-nothing mounted}); writes there would stay on the root volume"`,
    // Mounted but read-only (a client evicted to read-only, or mounted ro): checkpoints would fail to write.
    `options="$(findmnt -n -o OPTIONS --mountpoint "$R${m}" | tail -n 1)"`,
    `case ",$options," in *,rw,*) ;; *) fail lustre-mount "${m} is mounted read-only (options: $options); checkpoints could not be written" ;; esac`,
    `pass lustre-mount "${m} is Lustre"`,
  );
  if (health.lustreOverEfa) {
    lines.push(
      'need lnetctl "the Lustre client utilities"',
      `up="$(lnetctl net show --net efa 2>/dev/null | grep -c 'status: up' || true)"`,
      `[ "$up" -gt 0 ] || fail lustre-efa "no EFA LNet interface is up; Lustre would run over TCP only"`,
      'pass lustre-efa "$up EFA LNet interface(s) up"',
    );
  }
  lines.push(
    '',
    `[ -x "$R${AGENT_CTL}" ] || fail image:amazon-cloudwatch-agent "${AGENT_CTL} is not in the image"`,
    `systemctl is-active --quiet amazon-cloudwatch-agent || fail telemetry "amazon-cloudwatch-agent is not running"`,
    `systemctl is-active --quiet ${TELEMETRY_UNIT} || fail telemetry "${TELEMETRY_UNIT} is not running"`,
    // Restart=always hides a publisher that dies right after start: between restarts it shows as
    // active. systemd counts the restarts (NRestarts, systemd.exec(5)/org.freedesktop.systemd1(5)).
    `restarts="$(systemctl show -p NRestarts --value ${TELEMETRY_UNIT} 2>/dev/null || true)"`,
    `[ "\${restarts:-0}" -eq 0 ] || fail telemetry "${TELEMETRY_UNIT} restarted $restarts time(s) since boot: the Neuron publisher keeps dying"`,
    'pass telemetry "CloudWatch agent and Neuron publisher running"',
    '',
    'need aws "AWS CLI v2, to complete the lifecycle action"',
    options.complete ?? true ? '"$LIFECYCLE" CONTINUE "" "all checks passed"' : 'echo "rainier-health: all checks passed; the next boot step completes the lifecycle action"',
  );
  return `${lines.join('\n')}\n`;
}

/** The last section: install and run the self-check. It reports itself, so the EXIT trap is cleared on failure. */
export function nodeSelfCheckSection(health: NodeHealthPlan, options: NodeCheckOptions = {}): BootstrapSection {
  return {
    name: 'self-check',
    commands: [...writeFile(NODE_CHECK, nodeCheckScript(health, options), '0755'), `"\${RAINIER_ROOT:-}${NODE_CHECK}" || { trap - EXIT; exit 1; }`],
  };
}

/**
 * The node role's right to complete the launch lifecycle action of its own pool's groups only.
 * CompleteLifecycleAction takes the `autoScalingGroup` resource type and the
 * `autoscaling:ResourceTag/${TagKey}` condition key (Service Authorization Reference, Amazon EC2
 * Auto Scaling, https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2autoscaling.html).
 * Group names are generated by CloudFormation and groups live in several shard stacks, so the
 * statement names the group ARN pattern and requires the pool's tags (cluster, site, pool), which
 * every group of the pool carries and no other group does. A node cannot be limited to its own
 * group within the pool: IAM has no policy variable for the caller instance's group.
 * DescribeAutoScalingInstances (the fallback to find the group) has no resource-level permissions.
 */
export function nodeHealthStatements(scope: IConstruct, id: NodeIdentity): iam.PolicyStatement[] {
  const groups = Stack.of(scope).formatArn({
    service: 'autoscaling',
    resource: 'autoScalingGroup',
    resourceName: '*:autoScalingGroupName/*',
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
  return [
    new iam.PolicyStatement({
      sid: 'CompleteOwnLaunchHook',
      actions: ['autoscaling:CompleteLifecycleAction'],
      resources: [groups],
      conditions: {
        StringEquals: {
          'autoscaling:ResourceTag/rainier:cluster': id.cluster,
          [`autoscaling:ResourceTag/${NODE_TAGS.site}`]: id.site,
          [`autoscaling:ResourceTag/${NODE_TAGS.pool}`]: id.pool,
        },
      },
    }),
    new iam.PolicyStatement({ sid: 'FindOwnGroup', actions: ['autoscaling:DescribeAutoScalingInstances'], resources: ['*'] }),
  ];
}
