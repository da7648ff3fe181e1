/**
 * What runs inside each pod of the sample training job (lib/orchestrator/manifests.ts `trainingJob`): a bash
 * launcher that sets Neuron's UltraServer environment from the node's /etc/rainier/topology.json,
 * then starts torchrun, and a small PyTorch/XLA training script that checkpoints to the site's
 * checkpoints path. Both ship in the job's ConfigMap, so the job runs on the unmodified Neuron
 * training image.
 *
 * Sources:
 * - [US-HOWTO] Neuron, "How to schedule MPI jobs to run on Neuron UltraServer on EKS": the runtime
 *   needs NEURON_GLOBAL_TOPOID (the worker's topology ID), NEURON_GLOBAL_TOPOID0_HOST (the FQDN of
 *   the worker with topology ID 0), NEURON_RT_ULTRASERVER_MODE, _SERVER_ID and _NODE_ID;
 *   https://awsdocs-neuron.readthedocs-hosted.com/en/latest/containers/how-to/how-to-ultraserver.html
 * - [US-INIT] Neuron's init script for it (aws-neuron/aws-neuron-sdk src/k8/k8s-ultraserver-init-script.sh):
 *   mode 1 is the 4-node UltraServer mode (NEURON_ULTRASERVER_MODE_X4=1); topology IDs number the
 *   workers sorted by (server ID, node ID), so the four nodes of an UltraServer are consecutive and
 *   in node-ID order, and it checks that each server ID has exactly 4 workers with distinct node IDs.
 *   This launcher numbers UltraServers in the job's order instead of by server ID (any order of
 *   whole UltraServers keeps that property) and makes the same checks.
 * - [NRT] Neuron runtime guide: NEURON_RT_ROOT_COMM_ID=<ip_address:port> is "mandatory for
 *   applications that run workloads containing Collective Communication operators" and names the
 *   rank 0 worker; its example port is 46820.
 *   https://awsdocs-neuron.readthedocs-hosted.com/en/latest/neuron-runtime/guides/nrt-developer-guide.html
 * - [MLP] Neuron's multi-node torchrun example: `torchrun --nproc_per_node=32 --nnodes=2
 *   --node_rank=0 --master_addr=<root IP> --master_port=2020`, rank 0 with `--node_rank=0` ("to
 *   avoid hang"), FI_PROVIDER=efa and FI_EFA_USE_DEVICE_RDMA=1, 64 processes per trn2.48xlarge at
 *   the default of 2 physical NeuronCores per logical core; `init_process_group('xla')`,
 *   `xm.optimizer_step`, `xm.save` (archive/nxd-training/mlp.rst in aws-neuron/aws-neuron-sdk).
 *
 * Why a shared-file rendezvous: torchrun's static rendezvous needs the rank-0 host's address in
 * every pod before it starts, and rank 0 must be the worker with topology ID 0 (position 0 of the
 * job's first UltraServer). Which pod lands there is only known after scheduling (one pod template,
 * no per-index placement in a batch/v1 Job), so each pod writes one line (topology ID, UltraServer,
 * Neuron server ID, FQDN, IP) to a directory on the shared /fsx named after the Job's UID, waits
 * for all of them, checks them, and reads rank 0's address. No API access, no extra operator.
 */

/** The launcher: bash, run as `bash /opt/rainier/launch.sh`. Every input is an environment variable. */
export const LAUNCH_SCRIPT = `#!/bin/bash
# rainier-cdk training launcher (docs/jobs.md): Neuron UltraServer environment from the node's
# topology, a rendezvous on the shared file system, then torchrun with node rank = topology ID.
set -euo pipefail

topology_file="\${RAINIER_TOPOLOGY_FILE:-/etc/rainier/topology.json}"
index="\${JOB_COMPLETION_INDEX:?set by Kubernetes for an Indexed Job}"
: "\${RAINIER_ULTRASERVERS:?the UltraServers of the job, space-separated}"
per="\${RAINIER_NODES_PER_ULTRASERVER:?nodes per UltraServer}"
: "\${RAINIER_NPROC_PER_NODE:?processes per node}"
: "\${RAINIER_RENDEZVOUS_DIR:?shared rendezvous directory}"
: "\${RAINIER_JOB_UID:?the UID of the Job}"
: "\${RAINIER_MASTER_PORT:?torchrun master port}"
: "\${RAINIER_NEURON_COMM_PORT:?Neuron root communicator port}"
: "\${RAINIER_TRAIN_SCRIPT:?training script}"
: "\${CHECKPOINT_DIR:?checkpoint directory}"
: "\${POD_IP:?the IP of the pod}"
# ASSUMPTION (no source): 900 s for every pod of the job to start and reach the rendezvous; set
# RAINIER_RENDEZVOUS_TIMEOUT for a slower start (e.g. nodes pulling the training image for the first time).
timeout="\${RAINIER_RENDEZVOUS_TIMEOUT:-900}"
poll="\${RAINIER_RENDEZVOUS_POLL:-2}"

fail() {
  echo "launch: pod $index: $*" >&2
  exit 1
}

[ -r "$topology_file" ] || fail "no $topology_file on this node (written at boot, docs/topology.md)"
topology=$(python3 -c '
import json, sys
t = json.load(open(sys.argv[1]))
for key in ("ultraServer", "position", "neuronServerId", "nodesPerUltraServer"):
    value = t.get(key)
    print("" if value is None else value)
' "$topology_file") || fail "cannot read $topology_file"
mapfile -t fields <<<"$topology"
ultra_server="\${fields[0]:-}"
position="\${fields[1]:-}"
server_id="\${fields[2]:-}"
[ -n "$ultra_server" ] || fail "this node is not in an UltraServer ($topology_file)"
[ "\${fields[3]:-}" = "$per" ] || fail "$topology_file says \${fields[3]:-nothing} nodes per UltraServer, the job $per"
case "$position" in
  ''|*[!0-9]*) fail "position '$position' in $topology_file is not a number" ;;
esac
[ "$position" -lt "$per" ] || fail "position $position is not below $per"
[ -n "$server_id" ] || fail "no neuronServerId in $topology_file"

read -r -a ultra_servers <<<"$RAINIER_ULTRASERVERS"
order=-1
for i in "\${!ultra_servers[@]}"; do
  if [ "\${ultra_servers[$i]}" = "$ultra_server" ]; then order=$i; fi
done
[ "$order" -ge 0 ] || fail "node's UltraServer $ultra_server is not one of the job's: $RAINIER_ULTRASERVERS"
nnodes=$(( \${#ultra_servers[@]} * per ))
topo_id=$(( order * per + position ))

rendezvous="$RAINIER_RENDEZVOUS_DIR/$RAINIER_JOB_UID"
mkdir -p "$rendezvous"
fqdn=$(hostname --fqdn)
printf '%s %s %s %s %s\\n' "$topo_id" "$ultra_server" "$server_id" "$fqdn" "$POD_IP" >"$rendezvous/.pod-$index"
mv -f "$rendezvous/.pod-$index" "$rendezvous/pod-$index"

deadline=$(( SECONDS + timeout ))
while :; do
  arrived=$(find "$rendezvous" -maxdepth 1 -name 'pod-*' | wc -l)
  [ "$arrived" -lt "$nnodes" ] || break
  [ "$SECONDS" -lt "$deadline" ] || fail "$arrived of $nnodes pods reached $rendezvous within \${timeout}s"
  sleep "$poll"
done

# Every topology ID exactly once; one Neuron server ID per UltraServer, a different one for each.
ids=$(cut -d' ' -f1 "$rendezvous"/pod-* | sort -n | tr '\\n' ' ')
[ "$ids" = "$(seq 0 $(( nnodes - 1 )) | tr '\\n' ' ')" ] || fail "topology IDs are not 0-$(( nnodes - 1 )) once each: $ids"
pairs=$(cut -d' ' -f2,3 "$rendezvous"/pod-* | sort -u)
[ "$(wc -l <<<"$pairs")" -eq "\${#ultra_servers[@]}" ] || fail "an UltraServer reports more than one Neuron server ID: $pairs"
[ "$(cut -d' ' -f2 <<<"$pairs" | sort -u | wc -l)" -eq "\${#ultra_servers[@]}" ] || fail "two UltraServers report the same Neuron server ID: $pairs"
read -r _ _ _ leader_fqdn leader_ip < <(awk '$1 == 0' "$rendezvous"/pod-*)

export NEURON_RT_ULTRASERVER_MODE=1
export NEURON_RT_ULTRASERVER_SERVER_ID="$server_id"
export NEURON_RT_ULTRASERVER_NODE_ID="$position"
export NEURON_GLOBAL_TOPOID="$topo_id"
export NEURON_GLOBAL_TOPOID0_HOST="$leader_fqdn"
export NEURON_RT_ROOT_COMM_ID="$leader_ip:$RAINIER_NEURON_COMM_PORT"
export CHECKPOINT_DIR
mkdir -p "$CHECKPOINT_DIR"

echo "launch: pod $index on $ultra_server position $position: node rank $topo_id of $nnodes, rank 0 $leader_fqdn ($leader_ip), checkpoints $CHECKPOINT_DIR"
exec torchrun --nnodes="$nnodes" --node_rank="$topo_id" --nproc_per_node="$RAINIER_NPROC_PER_NODE" \\
  --master_addr="$leader_ip" --master_port="$RAINIER_MASTER_PORT" "$RAINIER_TRAIN_SCRIPT"
`;

/**
 * A data-parallel training loop on synthetic data, small enough to compile quickly: the job's point
 * is the launch (placement, topology, collectives over NeuronLink and EFA, checkpoints), not the
 * model. Replace it with your own script in the ConfigMap or the image. It resumes from the last
 * checkpoint, so a resubmitted job continues where the failed one stopped.
 */
export const TRAIN_SCRIPT = `# rainier-cdk sample training script (docs/jobs.md): an MLP on synthetic data, data parallel.
import os

import torch
import torch.distributed as dist
import torch_xla.core.xla_model as xm
import torch_xla.distributed.xla_backend  # noqa: F401  (registers the 'xla' process-group backend)

dist.init_process_group('xla')
device = xm.xla_device()
rank, world = dist.get_rank(), dist.get_world_size()

torch.manual_seed(0)  # the same initial weights on every worker
model = torch.nn.Sequential(torch.nn.Linear(784, 512), torch.nn.ReLU(), torch.nn.Linear(512, 10)).to(device)
optimizer = torch.optim.SGD(model.parameters(), lr=0.01 * world)
loss_fn = torch.nn.CrossEntropyLoss()

steps = int(os.environ.get('TRAIN_STEPS', '1000'))
every = int(os.environ.get('CHECKPOINT_EVERY', '100'))
path = os.path.join(os.environ['CHECKPOINT_DIR'], 'checkpoint.pt')
start = 0
if os.path.exists(path):
    state = torch.load(path)
    model.load_state_dict(state['model'])
    start = state['step'] + 1
    xm.master_print(f'resuming from {path} at step {start}')

torch.manual_seed(1000 + rank)  # different data on every worker
for step in range(start, steps):
    x = torch.randn(32, 784).to(device)
    y = torch.randint(0, 10, (32,)).to(device)
    optimizer.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    xm.optimizer_step(optimizer)  # all-reduces the gradients, then steps
    xm.mark_step()
    if (step + 1) % every == 0 or step + 1 == steps:
        # One writer for the whole job: the global master, onto the shared file system.
        xm.save({'model': model.state_dict(), 'step': step}, path, global_master=True)
        xm.master_print(f'step {step + 1}/{steps}: loss {loss.item():.4f}, checkpoint {path}')
        xm.rendezvous('checkpoint')

xm.master_print('training done')
`;
