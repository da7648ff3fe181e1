import { TRN2_ULTRASERVER } from '../catalog/ultraserver';
import { CapacityKind } from '../config/schema/site';
import { NODE_TAGS } from '../plan/compute';
import { ClusterPlan } from '../plan/types';
import { BootstrapSection } from './contracts';

/**
 * The node's own place in the topology, written at boot to a small file a launcher reads
 * (docs/topology.md): cluster, site, Availability Zone, EFA fabric, pool, and for UltraServer nodes
 * the UltraServer, its index, the Capacity Block it is bound to and the node's position (0-3).
 *
 * Nothing is fetched from outside the instance:
 * - Group-level facts (UltraServer, index, block) are the Auto Scaling group's tags, which it
 *   propagates to the instance; the launch template enables instance tags in IMDS
 *   (`InstanceMetadataTags: enabled`), read at `meta-data/tags/instance/<key>` with an IMDSv2 token
 *   (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/work-with-tags-in-IMDS.html). Propagated
 *   tags can appear a little after boot, so the read retries for a minute (TAG_READ_ATTEMPTS tries,
 *   each IMDS call capped at 2 s, so the step stays within its budget in lib/plan/health.ts).
 * - The position inside the UltraServer cannot come from the group (its four instances share one
 *   launch template and one set of tags): the Neuron driver exposes it as
 *   `/sys/class/neuron_device/node_id_4` and the UltraServer's identity as `server_id_4` (read so by
 *   Neuron's UltraServer init script: aws-neuron/aws-neuron-sdk src/k8/k8s-ultraserver-init-script.sh,
 *   which passes them to the runtime as NEURON_RT_ULTRASERVER_NODE_ID / _SERVER_ID, and uses
 *   `0000000000000000` for a missing server ID:
 *   https://awsdocs-neuron.readthedocs-hosted.com/en/v2.28.1/_downloads/6adbba6e495c3325f92f917e79c654f9/k8s-ultraserver-init-script.sh).
 *   A missing or unset position or identity fails the boot.
 *
 * Static facts (cluster, site, zone, fabric, pool) are baked in from the plan.
 */
export const TOPOLOGY_FILE = '/etc/rainier/topology.json';
/** Tries of each tag read, 2 s apart; each try makes two IMDS calls capped at 2 s (lib/plan/health.ts budgets it). */
export const TAG_READ_ATTEMPTS = 30;

export interface NodeTopologyOptions {
  readonly cluster: string;
  readonly site: string;
  readonly region: string;
  readonly availabilityZone: string;
  /** The EFA fabric the node's site belongs to (lib/plan/fabric.ts). */
  readonly fabric: string;
  readonly pool: string;
  readonly instanceType: string;
  /** Whether the pool is made of UltraServers (tags and Neuron sysfs are then required). */
  readonly ultraServer: boolean;
}

/**
 * Reads one instance tag from IMDS, retrying while the Auto Scaling group's tags propagate. Names
 * are prefixed so they cannot clash with other sections of the boot script. The two paths can be
 * overridden from the environment only so the tests can run the section on a stub.
 */
const PRELUDE = [
  'RAINIER_TOPOLOGY_FILE="${RAINIER_TOPOLOGY_FILE:-' + TOPOLOGY_FILE + '}"',
  'RAINIER_NEURON_SYSFS="${RAINIER_NEURON_SYSFS:-/sys/class/neuron_device}"',
  'rainier_imds_token() { curl -sf --max-time 2 -X PUT "http://169.254.169.254/latest/api/token" -H "X-aws-ec2-metadata-token-ttl-seconds: 300"; }',
  'rainier_instance_tag() {',
  '  local value=""',
  `  for _ in $(seq 1 ${TAG_READ_ATTEMPTS}); do`,
  '    value=$(curl -sf --max-time 2 -H "X-aws-ec2-metadata-token: $(rainier_imds_token)" "http://169.254.169.254/latest/meta-data/tags/instance/$1") && break',
  '    sleep 2',
  '  done',
  '  printf \'%s\' "$value"',
  '}',
];

export function nodeTopologySection(opts: NodeTopologyOptions): BootstrapSection {
  const per = TRN2_ULTRASERVER.instancesPerUltraServer;
  const commands: string[] = [...PRELUDE, 'mkdir -p "$(dirname "$RAINIER_TOPOLOGY_FILE")"'];
  if (opts.ultraServer) {
    commands.push(
      `ULTRASERVER=$(rainier_instance_tag ${NODE_TAGS.ultraServer})`,
      `ULTRASERVER_INDEX=$(rainier_instance_tag ${NODE_TAGS.ultraServerIndex})`,
      `CAPACITY_BLOCK=$(rainier_instance_tag ${NODE_TAGS.capacityBlock})`,
      'if [ -z "$ULTRASERVER" ] || [ -z "$ULTRASERVER_INDEX" ] || [ -z "$CAPACITY_BLOCK" ]; then',
      `  echo "topology: UltraServer tags (${NODE_TAGS.ultraServer}, ${NODE_TAGS.ultraServerIndex}, ${NODE_TAGS.capacityBlock}) not readable from IMDS" >&2`,
      '  exit 1',
      'fi',
      `POSITION=$(cat "$RAINIER_NEURON_SYSFS/node_id_${per}" 2>/dev/null || echo -1)`,
      `NEURON_SERVER_ID=$(cat "$RAINIER_NEURON_SYSFS/server_id_${per}" 2>/dev/null || echo "")`,
      'case "$ULTRASERVER_INDEX" in',
      "  ''|*[!0-9]*) echo \"topology: tag " + NODE_TAGS.ultraServerIndex + " is not a number (got $ULTRASERVER_INDEX)\" >&2; exit 1 ;;",
      'esac',
      'case "$POSITION" in',
      `  [0-${per - 1}]) ;;`,
      `  *) echo "topology: no UltraServer position 0-${per - 1} in /sys/class/neuron_device/node_id_${per} (got $POSITION)" >&2; exit 1 ;;`,
      'esac',
      // Neuron's init script treats a missing server_id as the all-zero "unset" ID (NEURON_ULTRASERVER_SERVER_ID_DEFAULT_VALUE):
      // a node with no UltraServer identity cannot join a 4-node NeuronLink job, so the boot fails rather than record it.
      `case "$NEURON_SERVER_ID" in`,
      `  ''|${'0'.repeat(16)}) echo "topology: no UltraServer identity in /sys/class/neuron_device/server_id_${per} (got '$NEURON_SERVER_ID')" >&2; exit 1 ;;`,
      'esac',
    );
  }
  const json = [
    '{',
    `  "cluster": "${opts.cluster}",`,
    `  "site": "${opts.site}",`,
    `  "region": "${opts.region}",`,
    `  "availabilityZone": "${opts.availabilityZone}",`,
    `  "fabric": "${opts.fabric}",`,
    `  "pool": "${opts.pool}",`,
    `  "instanceType": "${opts.instanceType}",`,
    ...(opts.ultraServer
      ? [
          '  "ultraServer": "${ULTRASERVER}",',
          '  "ultraServerIndex": ${ULTRASERVER_INDEX},',
          '  "capacityBlock": "${CAPACITY_BLOCK}",',
          `  "nodesPerUltraServer": ${per},`,
          '  "position": ${POSITION},',
          '  "neuronServerId": "${NEURON_SERVER_ID}"',
        ]
      : ['  "ultraServer": null']),
    '}',
  ];
  commands.push('cat > "$RAINIER_TOPOLOGY_FILE" <<TOPOLOGY', ...json, 'TOPOLOGY', 'chmod 0644 "$RAINIER_TOPOLOGY_FILE"');
  return { name: 'node-topology', commands };
}

/** The topology section of one pool's nodes, from the plan. */
export function nodeTopologyForPool(plan: ClusterPlan, siteName: string, poolName: string): BootstrapSection {
  const site = plan.sites.find((s) => s.name === siteName);
  const pool = site?.pools.find((p) => p.name === poolName);
  if (site === undefined || pool === undefined) {
    throw new Error(`no pool ${poolName} in site ${siteName}`);
  }
  return nodeTopologySection({
    cluster: plan.name,
    site: site.name,
    region: site.region,
    availabilityZone: site.availabilityZone,
    fabric: site.fabric,
    pool: pool.name,
    instanceType: pool.instanceType,
    ultraServer: pool.kind === CapacityKind.ULTRASERVER_CAPACITY_BLOCK,
  });
}
