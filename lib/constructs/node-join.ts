import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { NODE_LABELS } from '../catalog/kubernetes';
import { KUBELET_REGISTRATION_WAIT, PULL_THROUGH_CACHE } from '../plan/eks';
import { BootstrapSection } from './contracts';
import { LIFECYCLE_HELPER } from './node-health';
import { TOPOLOGY_FILE } from './node-topology';

/**
 * The node side of `orchestrator: eks`: a boot section that joins the node to its fabric's EKS
 * cluster with nodeadm, only after the self-check passed and before the launch lifecycle action is
 * completed with CONTINUE, so a node that fails its check never registers.
 *
 * The AMI's own nodeadm units cannot register the node first: on the EKS-optimized AL2023 AMIs,
 * `nodeadm-config.service` runs `nodeadm init --skip run` before cloud-init and
 * `nodeadm-run.service` (`Requires=nodeadm-config.service`, `After=... cloud-final.service`) runs
 * the kubelet, both reading the NodeConfig from the instance's user data
 * (awslabs/amazon-eks-ami templates/al2023/runtime/rootfs/etc/systemd/system/nodeadm-{config,run}.service;
 * "This happens automatically, via a systemd service, on AL2023-based EKS AMI's",
 * https://awslabs.github.io/amazon-eks-ami/nodeadm/). This project's user data is a shell script (the
 * boot script's prelude, lib/constructs/node-user-data.ts), not a NodeConfig: nodeadm finds no NodeConfig in it (a non-MIME user data is decoded as one whole
 * NodeConfig and fails; nodeadm internal/configprovider/mime.go), so `nodeadm-config.service` fails
 * and `nodeadm-run.service`, which requires it, never starts the kubelet. The NodeConfig is written
 * by this section, after the check, to a file outside `/etc/eks/nodeadm.d/` (the unit's other
 * source), and passed to `nodeadm init` explicitly with `--config-source file://...`.
 *
 * The launch lifecycle action is completed with CONTINUE only once the kubelet has registered the
 * node (its journal says so), not merely started: a node the API server refuses is abandoned.
 *
 * The NodeConfig names the cluster, its private endpoint, CA and service CIDR (so nodeadm needs no
 * DescribeCluster call: "These arguments bypass Amazon EKS introspection and don't require access to
 * the Amazon EKS API from within the VPC", https://docs.aws.amazon.com/eks/latest/userguide/private-clusters.html;
 * NodeConfig API, https://awslabs.github.io/amazon-eks-ami/nodeadm/doc/api/), and kubelet
 * `--node-labels` (lib/catalog/kubernetes.ts NODE_LABELS): site, pool and fabric from the plan,
 * UltraServer and position from /etc/rainier/topology.json, which the topology section wrote.
 */

export const NODE_CONFIG = '/etc/rainier/nodeadm/nodeconfig.yaml';
/** What the kubelet logs once its Node object exists (kubernetes/kubernetes pkg/kubelet/kubelet_node_status.go). */
export const KUBELET_REGISTERED = 'Successfully registered node';

export interface NodeJoinOptions {
  /** The EKS cluster's name, endpoint (https URL), base64 CA bundle and service IPv4 CIDR: literals or tokens. */
  readonly clusterName: string;
  readonly endpoint: string;
  readonly certificateAuthority: string;
  readonly serviceCidr: string;
  /** Static labels from the plan. */
  readonly site: string;
  readonly pool: string;
  readonly fabric: string;
  /** Whether the pool is made of UltraServers (the UltraServer and position labels are then required). */
  readonly ultraServer: boolean;
}

const MARKER = 'RAINIER_NODECONFIG_EOF';

/** The `node-join` boot section, run after `self-check` (which then leaves CONTINUE to it). */
export function nodeJoinSection(opts: NodeJoinOptions): BootstrapSection {
  const lifecycle = `"\${RAINIER_ROOT:-}${LIFECYCLE_HELPER}"`;
  const staticLabels = `${NODE_LABELS.site}=${opts.site},${NODE_LABELS.pool}=${opts.pool},${NODE_LABELS.fabric}=${opts.fabric}`;
  const commands = [
    // The image must carry nodeadm (an EKS-optimized AL2023 Neuron AMI); a missing one is a failed check that says so.
    'if ! command -v nodeadm >/dev/null 2>&1; then',
    `  ${lifecycle} ABANDON image:nodeadm "nodeadm is not in the image (an EKS-optimized Amazon Linux 2023 accelerated AMI carries it)"`,
    '  trap - EXIT',
    '  exit 1',
    'fi',
    `RAINIER_NODE_CONFIG="\${RAINIER_ROOT:-}${NODE_CONFIG}"`,
    `topology=$(python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(d.get("ultraServer") or "-", d.get("position", "-"))' "\${RAINIER_TOPOLOGY_FILE:-\${RAINIER_ROOT:-}${TOPOLOGY_FILE}}")`,
    'read -r ULTRASERVER_LABEL POSITION_LABEL <<<"$topology"',
    `labels='${staticLabels}'`,
  ];
  if (opts.ultraServer) {
    commands.push(
      'case "$POSITION_LABEL" in',
      '  [0-9]) ;;',
      '  *) echo "node-join: no UltraServer position in the topology file (got $POSITION_LABEL)" >&2; exit 1 ;;',
      'esac',
      'if [ "$ULTRASERVER_LABEL" = - ]; then',
      '  echo "node-join: no UltraServer in the topology file" >&2',
      '  exit 1',
      'fi',
      `labels="$labels,${NODE_LABELS.ultraServer}=$ULTRASERVER_LABEL,${NODE_LABELS.position}=$POSITION_LABEL"`,
    );
  }
  const nodeConfig = [
    '---',
    'apiVersion: node.eks.aws/v1alpha1',
    'kind: NodeConfig',
    'spec:',
    '  cluster:',
    `    name: ${opts.clusterName}`,
    `    apiServerEndpoint: ${opts.endpoint}`,
    `    certificateAuthority: ${opts.certificateAuthority}`,
    `    cidr: ${opts.serviceCidr}`,
    '  kubelet:',
    '    flags:',
    '      - --node-labels=${labels}',
  ];
  commands.push(
    'install -d -m 0700 "$(dirname "$RAINIER_NODE_CONFIG")"',
    `cat > "$RAINIER_NODE_CONFIG" <<${MARKER}`,
    ...nodeConfig,
    MARKER,
    'chmod 0600 "$RAINIER_NODE_CONFIG"',
    'nodeadm init --config-source "file://$RAINIER_NODE_CONFIG"',
    // A running kubelet is not a joined node: one the API server refuses (no access entry, a security
    // group rule missing, the endpoint unreachable) keeps running and retrying, and under systemd's
    // restarts even a crashing one shows as active now and then. The kubelet logs "Successfully
    // registered node" once the API server has its Node object (kubernetes/kubernetes
    // pkg/kubelet/kubelet_node_status.go, registerWithAPIServer); only that completes the launch.
    // grep reads the whole journal (no -q), so pipefail never sees journalctl cut off by SIGPIPE.
    'registered=no',
    `for _ in $(seq 1 ${KUBELET_REGISTRATION_WAIT.attempts}); do`,
    `  if journalctl -q -b -u kubelet --no-pager 2>/dev/null | grep '${KUBELET_REGISTERED}' >/dev/null; then`,
    '    registered=yes',
    '    break',
    '  fi',
    `  sleep ${KUBELET_REGISTRATION_WAIT.intervalSeconds}`,
    'done',
    'if [ "$registered" != yes ]; then',
    '  if systemctl is-active --quiet kubelet; then',
    `    echo "node-join: the kubelet runs but has not registered the node with EKS cluster ${opts.clusterName} (check its access entry, the control-plane security group rules, the private endpoint)" >&2`,
    '  else',
    `    echo "node-join: the kubelet is not active after nodeadm init" >&2`,
    '  fi',
    '  exit 1',
    'fi',
    // `nodeadm init` starts the kubelet but does not enable it (nodeadm internal/kubelet/daemon.go
    // EnsureRunning -> StartDaemon); on the AMI it is the nodeadm-run unit that starts it at every
    // boot, and that unit never runs here (see above). Enabled now, after the join, so a node that
    // reboots (the boot script runs once per instance) rejoins with the configuration nodeadm wrote
    // instead of staying in service outside the cluster.
    'systemctl enable kubelet',
    `${lifecycle} CONTINUE "" "all checks passed; node registered with EKS cluster ${opts.clusterName}"`,
  );
  return { name: 'node-join', commands };
}

/**
 * What a node of an EKS cluster needs beyond the project's node role, least privilege (the node
 * role's documented permissions are AmazonEKSWorkerNodePolicy and AmazonEC2ContainerRegistryPullOnly,
 * Amazon EKS User Guide, "Amazon EKS node IAM role", https://docs.aws.amazon.com/eks/latest/userguide/create-node-role.html;
 * these are the parts of them the nodes use, scoped):
 * - `ec2:DescribeInstances`: the kubelet and nodeadm name the node by its private DNS name from the
 *   EC2 API ("The optimized AMI uses EC2 APIs to set the node DNS name", private-clusters.html).
 *   No resource-level permissions.
 * - `eks-auth:AssumeRoleForPodIdentity` on this cluster only: the Pod Identity Agent's call.
 * - ECR pulls: GetAuthorizationToken (no resource-level permissions); image reads on the named
 *   registries' repositories (the Region's EKS add-on registry and `perimeter.imageRegistryAccounts`)
 *   and this account's pull-through cache repositories (`ecr-public/*`), plus the two actions the
 *   cache needs on a first pull, BatchImportUpstreamImage and CreateRepository, on those only
 *   (https://docs.aws.amazon.com/AmazonECR/latest/userguide/pull-through-cache-iam.html).
 * The VPC CNI's EC2 permissions are not here: they belong to its own Pod Identity role (lib/constructs/eks-cluster.ts).
 */
export function nodeJoinStatements(scope: IConstruct, clusterArn: string, imageRegistryAccounts: readonly string[]): iam.PolicyStatement[] {
  const stack = Stack.of(scope);
  const repositories = (account: string, name: string) =>
    stack.formatArn({ service: 'ecr', account, resource: 'repository', resourceName: name, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
  const cache = repositories(stack.account, `${PULL_THROUGH_CACHE.repositoryPrefix}/*`);
  return [
    new iam.PolicyStatement({ sid: 'NameNodeFromEc2', actions: ['ec2:DescribeInstances'], resources: ['*'] }),
    new iam.PolicyStatement({ sid: 'PodIdentityAgent', actions: ['eks-auth:AssumeRoleForPodIdentity'], resources: [clusterArn] }),
    new iam.PolicyStatement({ sid: 'EcrToken', actions: ['ecr:GetAuthorizationToken'], resources: ['*'] }),
    new iam.PolicyStatement({
      sid: 'PullImages',
      actions: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
      resources: [cache, ...imageRegistryAccounts.map((a) => repositories(a, '*'))],
    }),
    new iam.PolicyStatement({ sid: 'PullThroughCacheFirstPull', actions: ['ecr:BatchImportUpstreamImage', 'ecr:CreateRepository'], resources: [cache] }),
  ];
}

/**
 * The pool's node role as an `EC2_LINUX` access entry of the cluster: EKS then maps it to the
 * `system:node:{{EC2PrivateDNSName}}` user in `system:nodes`, what a self-managed node's kubelet
 * needs, with no access policy (Amazon EKS User Guide, "Create access entries",
 * https://docs.aws.amazon.com/eks/latest/userguide/creating-access-entries.html).
 */
export function nodeAccessEntry(scope: Construct, id: string, clusterName: string, nodeRole: iam.IRole): eks.CfnAccessEntry {
  return new eks.CfnAccessEntry(scope, id, { clusterName, principalArn: nodeRole.roleArn, type: 'EC2_LINUX' });
}
