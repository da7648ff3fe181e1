import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { JOB_NAMESPACE, NODE_LABELS } from '../lib/catalog/kubernetes';
import { JOB_IMAGES, pullThroughImage } from '../lib/catalog/container-images';
import { ConfigError } from '../lib/config/errors';
import { resolveConfig } from '../lib/config/load';
import { TOPOLOGY_FILE } from '../lib/constructs/node-topology';
import { LAUNCH_SCRIPT } from '../lib/orchestrator/launch';
import {
  EFA_RESOURCE,
  KubernetesObject,
  NEURON_COMM_PORT,
  NEURON_RESOURCE,
  renderJobManifests,
  trainingJob,
} from '../lib/orchestrator/manifests';
import { JobRequest, selectJobTarget } from '../lib/orchestrator/select';
import { VALIDATED_KINDS, validateObjects } from '../lib/orchestrator/validate';
import { planCluster } from '../lib/plan/build';
import { ClusterPlan } from '../lib/plan/types';
import { JOB_CLI, jobMain, runJob } from '../scripts/job';
import { parseArgs } from '../scripts/review-cli';
import { lintTest, shellcheckIssues } from './support/shellcheck';

/**
 * The sample training job of `npm run job` (lib/orchestrator/, docs/jobs.md): every object
 * validates against the Kubernetes schemas (kubernetes-models), the job is sized and placed on whole
 * UltraServers, and its launcher, run under bash with stubs, exports Neuron's UltraServer variables
 * computed from each node's topology.json.
 */

const ACCOUNT = '111122223333';
/** rainier-mini (ohio: train = 2 UltraServers of trn2u.48xlarge, dev = 2 trn2.48xlarge) with EKS. */
const plan: ClusterPlan = planCluster(resolveConfig('rainier-mini', { orchestrator: 'eks' }));

function render(request: Partial<JobRequest> = {}): { objects: KubernetesObject[]; job: Job; target: ReturnType<typeof selectJobTarget> } {
  const target = selectJobTarget(plan, { account: ACCOUNT, ...request });
  const objects = renderJobManifests(plan, target).flatMap((f) => f.objects);
  const job = objects.find((o) => o.kind === 'Job') as Job;
  return { objects, job, target };
}

describe('manifests', () => {
  // What Neuron's Helm chart (the EKS user guide's install) renders for the device plugin:
  // aws-neuron/neuron-helm-charts templates/device-plugin/device-plugin-rbac.yaml and values.yaml devicePlugin.
  test("the Neuron device plugin has the chart's RBAC rules and host mounts, /opt/aws read-only", () => {
    const { objects } = render();
    const role = objects.find((o) => o.kind === 'ClusterRole' && o.metadata?.name === 'neuron-device-plugin') as any;
    expect(role.rules).toEqual([
      { apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['update', 'patch', 'get', 'list', 'watch'] },
      { apiGroups: [''], resources: ['nodes/status'], verbs: ['patch', 'update'] },
      { apiGroups: [''], resources: ['nodes/proxy'], verbs: ['get', 'list'] },
    ]);
    const ds = objects.find((o) => o.kind === 'DaemonSet' && o.metadata?.name === 'neuron-device-plugin-daemonset') as any;
    const spec = ds.spec.template.spec;
    expect(spec.containers[0].volumeMounts).toEqual([
      { name: 'device-plugin', mountPath: '/var/lib/kubelet/device-plugins' },
      { name: 'infa-map', mountPath: '/run' },
      { name: 'aws-config', mountPath: '/opt/aws', readOnly: true },
    ]);
    expect(spec.volumes.map((v: any) => [v.name, v.hostPath.path])).toEqual([
      ['device-plugin', '/var/lib/kubelet/device-plugins'],
      ['infa-map', '/run'],
      ['aws-config', '/opt/aws'],
    ]);
    expect(spec.containers[0].securityContext).toEqual({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(spec.priorityClassName).toBe('system-node-critical');
  });

  test.each([1, 2])('every object for %i UltraServer(s) validates against the Kubernetes schemas of its kind', (n) => {
    const { objects } = render({ ultraServers: n });
    expect(objects.map((o) => `${o.apiVersion}/${o.kind}`).sort()).toEqual(
      [
        'apps/v1/DaemonSet',
        'apps/v1/DaemonSet',
        'batch/v1/Job',
        'rbac.authorization.k8s.io/v1/ClusterRole',
        'rbac.authorization.k8s.io/v1/ClusterRoleBinding',
        'v1/ConfigMap',
        'v1/Namespace',
        'v1/PersistentVolume',
        'v1/PersistentVolume',
        'v1/PersistentVolumeClaim',
        'v1/PersistentVolumeClaim',
        'v1/Service',
        'v1/ServiceAccount',
      ].sort(),
    );
    expect(() => validateObjects(objects)).not.toThrow();
    expect(new Set(objects.map((o) => `${o.apiVersion}/${o.kind}`))).toEqual(new Set(VALIDATED_KINDS));
  });

  test('validation fails on an object the API would refuse (a count that is not a number, a container without a name)', () => {
    const { job } = render();
    expect(() => validateObjects([{ ...job, spec: { ...job.spec!, completions: '4' as unknown as number } }])).toThrow(/batch\/v1\/Job neuron-train .*completions must be integer/);
    const spec = job.spec!.template.spec!;
    const nameless = { ...job, spec: { ...job.spec!, template: { spec: { ...spec, containers: [{ ...spec.containers[0], name: undefined as unknown as string }] } } } };
    expect(() => validateObjects([nameless])).toThrow(/containers\/0 must have required property name/);
  });

  test.each([
    [1, ['ohio-train-u0000']],
    [2, ['ohio-train-u0000', 'ohio-train-u0001']],
  ])('a job on %i UltraServer(s): one pod per node, only on its UltraServers, one per host', (n, ultraServers) => {
    const { job } = render({ ultraServers: n });
    const spec = job.spec!;
    expect(spec).toMatchObject({ completionMode: 'Indexed', completions: 4 * n, parallelism: 4 * n, backoffLimit: 0 });
    const pod = spec.template.spec!;
    expect(pod.affinity!.nodeAffinity!.requiredDuringSchedulingIgnoredDuringExecution!.nodeSelectorTerms).toEqual([
      { matchExpressions: [{ key: NODE_LABELS.ultraServer, operator: 'In', values: ultraServers }] },
    ]);
    expect(pod.affinity!.podAntiAffinity!.requiredDuringSchedulingIgnoredDuringExecution).toEqual([
      { labelSelector: { matchLabels: { 'batch.kubernetes.io/job-name': 'neuron-train' } }, topologyKey: 'kubernetes.io/hostname' },
    ]);
    const env = Object.fromEntries(pod.containers[0].env!.map((e) => [e.name, e.value]));
    expect(env.RAINIER_ULTRASERVERS).toBe(ultraServers.join(' '));
    expect(pod.subdomain).toBe('neuron-train');
  });

  test("each pod takes the whole node: every Neuron device and EFA interface of the pool's shape", () => {
    const { job, target } = render();
    const resources = job.spec!.template.spec!.containers[0].resources!;
    expect(target.pool.shape.chips).toBe(16);
    expect(resources.limits).toEqual({ [NEURON_RESOURCE]: target.pool.shape.chips, [EFA_RESOURCE]: target.pool.efaInterfaces });
    expect(resources.requests).toEqual(resources.limits);
    const env = Object.fromEntries(job.spec!.template.spec!.containers[0].env!.map((e) => [e.name, e.value]));
    expect(env.RAINIER_NPROC_PER_NODE).toBe('64');
  });

  // With Pod Security `privileged`, anyone with `edit` on the job namespace could run a privileged pod mounting
  // the node's / and act as the node (its role, its kubelet): `edit` would not stay in the namespace.
  test('the job namespace enforces Pod Security baseline, and its pods pass it: no host path, host namespace or privilege', () => {
    const { objects } = render();
    const ns = objects.find((o) => o.kind === 'Namespace')!;
    expect(ns.metadata!.labels!['pod-security.kubernetes.io/enforce']).toBe('baseline');
    const inNamespace = objects.filter((o) => o.metadata?.namespace === JOB_NAMESPACE && (o.kind === 'Job' || o.kind === 'DaemonSet'));
    expect(inNamespace.length).toBeGreaterThan(0);
    for (const o of inNamespace) {
      const pod = (o as any).spec.template.spec;
      expect(pod.volumes.filter((v: any) => v.hostPath !== undefined)).toEqual([]);
      expect([pod.hostNetwork, pod.hostPID, pod.hostIPC].filter(Boolean)).toEqual([]);
      for (const c of pod.containers) {
        expect(c.securityContext?.privileged ?? false).toBe(false);
        expect(c.securityContext?.capabilities?.add ?? []).toEqual([]);
      }
    }
  });

  test('the host directories are admin-created volumes, each pre-bound to one claim of the job namespace and retained', () => {
    const { objects } = render();
    const volumes = objects.filter((o) => o.kind === 'PersistentVolume') as any[];
    expect(volumes.map((v) => [v.spec.hostPath, v.spec.claimRef.namespace, v.spec.claimRef.name, v.spec.persistentVolumeReclaimPolicy, v.spec.accessModes])).toEqual([
      [{ path: '/fsx', type: 'Directory' }, JOB_NAMESPACE, 'fsx', 'Retain', ['ReadWriteMany']],
      [{ path: path.dirname(TOPOLOGY_FILE), type: 'Directory' }, JOB_NAMESPACE, 'topology', 'Retain', ['ReadOnlyMany']],
    ]);
    const claims = objects.filter((o) => o.kind === 'PersistentVolumeClaim') as any[];
    expect(claims.map((c) => [c.metadata.namespace, c.metadata.name, c.spec.volumeName, c.spec.storageClassName])).toEqual([
      [JOB_NAMESPACE, 'fsx', volumes[0].metadata.name, ''],
      [JOB_NAMESPACE, 'topology', volumes[1].metadata.name, ''],
    ]);
  });

  test("mounts /fsx and /etc/rainier (read-only) from the host, and writes checkpoints under the site's checkpoints path", () => {
    const { job, target } = render({ name: 'llama-pretrain' });
    const pod = job.spec!.template.spec!;
    expect(pod.volumes).toEqual(
      expect.arrayContaining([
        { name: 'fsx', persistentVolumeClaim: { claimName: 'fsx', readOnly: false } },
        { name: 'topology', persistentVolumeClaim: { claimName: 'topology', readOnly: true } },
      ]),
    );
    expect(pod.containers[0].volumeMounts).toEqual(
      expect.arrayContaining([
        { name: 'fsx', mountPath: target.site.storage.mountPoint },
        { name: 'topology', mountPath: '/etc/rainier', readOnly: true },
      ]),
    );
    const env = Object.fromEntries(pod.containers[0].env!.map((e) => [e.name, e.value]));
    const checkpoints = target.site.storage.dataRepositories.find((r) => r.bucket === 'checkpoints')!.fileSystemPath;
    expect(env.CHECKPOINT_DIR).toBe(`/fsx${checkpoints}/${target.pool.name}/llama-pretrain`);
    expect(env.RAINIER_RENDEZVOUS_DIR!.startsWith(`/fsx/`)).toBe(true);
    expect(env.RAINIER_RENDEZVOUS_DIR!.startsWith(`/fsx${checkpoints}`)).toBe(false);
  });

  test("images come through the account's ECR pull-through cache in the cluster's Region, pinned", () => {
    const { objects } = render();
    const images = objects.flatMap((o) => (o.kind === 'Job' || o.kind === 'DaemonSet' ? o.spec!.template.spec!.containers.map((c) => c.image) : []));
    const registry = `${ACCOUNT}.dkr.ecr.us-east-2.amazonaws.com/ecr-public/`;
    expect(images.sort()).toEqual(
      JOB_IMAGES.map((i) => `${registry}${i.repository}:${i.tag}`).sort(),
    );
    for (const o of objects) {
      if (o.kind === 'Job' || o.kind === 'DaemonSet') expect(o.spec!.template.spec!.containers.every((c) => c.imagePullPolicy === 'IfNotPresent')).toBe(true);
    }
  });

  test("the device plugins run on the cluster's own instance types", () => {
    const { objects } = render();
    const daemonSets = objects.filter((o) => o.kind === 'DaemonSet');
    expect(daemonSets.map((o) => o.metadata!.name)).toEqual(['neuron-device-plugin-daemonset', 'aws-efa-k8s-device-plugin']);
    // rainier-mini's pools: train on trn2u.48xlarge, dev on trn2.48xlarge.
    expect([...new Set(plan.sites.flatMap((site) => site.pools.map((p) => p.instanceType)))].sort()).toEqual(['trn2.48xlarge', 'trn2u.48xlarge']);
    for (const ds of daemonSets) {
      const terms = (ds as { spec: { template: { spec: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: unknown } } } } } }).spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution;
      expect(terms).toEqual({ nodeSelectorTerms: [{ matchExpressions: [{ key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['trn2.48xlarge', 'trn2u.48xlarge'] }] }] });
    }
  });

  test("a site sharing another's fabric: the job goes to the fabric's cluster, on the site's own UltraServers and file system", () => {
    const shared = planCluster(
      resolveConfig('rainier-mini', {
        orchestrator: 'eks',
        sites: {
          ohio: { fabric: 'campus' },
          annex: { region: 'us-east-2', availabilityZone: 'us-east-2a', cidr: '10.0.0.0/16', fabric: 'campus', pools: { big: { kind: 'ultraserver-capacity-block', instanceType: 'trn2u.48xlarge', ultraServers: 3 } } },
        },
      }),
    );
    const target = selectJobTarget(shared, { account: ACCOUNT, site: 'annex', ultraServers: 3 });
    expect(target.cluster.name).toBe('rainier-fabric-campus');
    expect(target.ultraServers).toEqual(['annex-big-u0000', 'annex-big-u0001', 'annex-big-u0002']);
    const job = trainingJob(target)[2] as Job;
    expect(job.spec!.completions).toBe(12);
    expect(job.spec!.template.spec!.containers[0].env!.find((e) => e.name === 'CHECKPOINT_DIR')!.value).toBe(`${target.site.storage.mountPoint}/checkpoints/${target.pool.name}/neuron-train`);
    expect(() => validateObjects(renderJobManifests(shared, target).flatMap((f) => f.objects))).not.toThrow();
  });

  test('the job runs in the plan\'s job namespace, with the launcher and script from its ConfigMap', () => {
    const { target } = render();
    const [configMap, service, job] = trainingJob(target);
    expect([configMap, service, job].map((o) => o.metadata!.namespace)).toEqual([target.cluster.jobNamespace, target.cluster.jobNamespace, target.cluster.jobNamespace]);
    expect(Object.keys((configMap as { data: Record<string, string> }).data)).toEqual(['launch.sh', 'train.py']);
    expect((service as { spec: unknown }).spec).toEqual({ clusterIP: 'None', publishNotReadyAddresses: true, selector: { 'batch.kubernetes.io/job-name': 'neuron-train' } });
  });
});

// ---------------------------------------------------------------------------------------------
// The launcher, linted and run

const python = spawnSync('python3', ['--version']).status === 0;
if (!python && process.env.CI === 'true') {
  throw new Error('python3 is needed by the launcher tests');
}
/** The interpreter itself, not a version manager's shim (which costs a few hundred milliseconds a start). */
const PYTHON = python ? spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).stdout.trim() : '';
const run = python ? describe : describe.skip;

lintTest('the launcher is shellcheck-clean', () => {
  expect(shellcheckIssues(LAUNCH_SCRIPT)).toBe('');
});

interface PodPlacement {
  readonly ultraServer: string;
  readonly position: number;
  readonly serverId: string;
}

interface PodResult {
  readonly status: number | null;
  readonly stderr: string;
  /** What the torchrun stub saw: its arguments and the Neuron variables. */
  readonly torchrun?: { args: string[]; env: Record<string, string> };
}

/** Runs the launcher of every pod at once (they meet in a shared directory), pod i placed as `placements[i]`. */
async function launch(ultraServers: readonly string[], placements: readonly PodPlacement[], extraEnv: Record<string, string> = {}): Promise<PodResult[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rainier-launch-'));
  const script = path.join(dir, 'launch.sh');
  fs.writeFileSync(script, LAUNCH_SCRIPT);
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin);
  fs.symlinkSync(PYTHON, path.join(bin, 'python3'));
  fs.writeFileSync(path.join(bin, 'hostname'), '#!/bin/bash\necho "neuron-train-${JOB_COMPLETION_INDEX}.neuron-train.rainier-jobs.svc.cluster.local"\n', { mode: 0o755 });
  fs.writeFileSync(
    path.join(bin, 'torchrun'),
    '#!/bin/bash\n{ printf "%s\\n" "$@"; echo ---; env | grep -E "^(NEURON_|CHECKPOINT_DIR=)" | sort; } > "$RAINIER_TEST_OUT"\n',
    { mode: 0o755 },
  );
  const results = placements.map(async (p, index) => {
    const topology = path.join(dir, `topology-${index}.json`);
    fs.writeFileSync(
      topology,
      JSON.stringify(
        { cluster: 'rainier', site: 'ohio', pool: 'train', instanceType: 'trn2u.48xlarge', ultraServer: p.ultraServer, ultraServerIndex: 0, capacityBlock: 'cr-0123', nodesPerUltraServer: 4, position: p.position, neuronServerId: p.serverId },
        null,
        2,
      ),
    );
    const out = path.join(dir, `torchrun-${index}.txt`);
    const env = {
      PATH: `${bin}:${process.env.PATH}`,
      JOB_COMPLETION_INDEX: String(index),
      RAINIER_TOPOLOGY_FILE: topology,
      RAINIER_ULTRASERVERS: ultraServers.join(' '),
      RAINIER_NODES_PER_ULTRASERVER: '4',
      RAINIER_NPROC_PER_NODE: '64',
      RAINIER_RENDEZVOUS_DIR: path.join(dir, 'fsx', '.rainier', 'rendezvous'),
      RAINIER_RENDEZVOUS_POLL: '0.05',
      RAINIER_RENDEZVOUS_TIMEOUT: '10',
      RAINIER_JOB_UID: 'uid-1',
      RAINIER_MASTER_PORT: '29500',
      RAINIER_NEURON_COMM_PORT: String(NEURON_COMM_PORT),
      RAINIER_TRAIN_SCRIPT: '/opt/rainier/train.py',
      CHECKPOINT_DIR: path.join(dir, 'fsx', 'checkpoints', 'train', 'neuron-train'),
      POD_IP: `10.0.1.${10 + index}`,
      RAINIER_TEST_OUT: out,
      ...extraEnv,
    };
    const child = spawn('bash', [script], { env });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.resume();
    const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
    if (!fs.existsSync(out)) return { status, stderr };
    const [args, vars] = fs.readFileSync(out, 'utf8').split('---\n');
    return {
      status,
      stderr,
      torchrun: { args: args.trim().split('\n'), env: Object.fromEntries(vars.trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)])) },
    };
  });
  return Promise.all(results);
}

const SERVER = { 'ohio-train-u0000': 'a1b2c3d4e5f60001', 'ohio-train-u0001': 'a1b2c3d4e5f60002' } as Record<string, string>;
const at = (ultraServer: string, position: number): PodPlacement => ({ ultraServer, position, serverId: SERVER[ultraServer] });

/** Pods land in any order: in the one-UltraServer job, index 0 on position 2 and index 2 on position 0. */
const ONE = [2, 3, 0, 1].map((p) => at('ohio-train-u0000', p));
const TWO = [at('ohio-train-u0001', 0), at('ohio-train-u0000', 3), at('ohio-train-u0001', 2), at('ohio-train-u0000', 1), at('ohio-train-u0000', 0), at('ohio-train-u0001', 3), at('ohio-train-u0000', 2), at('ohio-train-u0001', 1)];
const BROKEN = {
  'two nodes claiming one position': [at('ohio-train-u0000', 0), at('ohio-train-u0000', 1), at('ohio-train-u0000', 2), at('ohio-train-u0000', 2)],
  'an UltraServer whose nodes report different Neuron server IDs': [at('ohio-train-u0000', 0), at('ohio-train-u0000', 1), at('ohio-train-u0000', 2), { ...at('ohio-train-u0000', 3), serverId: 'ffff000000000000' }],
};

run('the launcher, with stub hostname and torchrun', () => {
  // Every scenario starts at once (each is a set of concurrent pods meeting in its own directory):
  // the file's wall time is the slowest scenario's, not their sum.
  let results: Record<string, PodResult[]>;
  beforeAll(async () => {
    const [one, two, position, serverId, outside, alone] = await Promise.all([
      launch(['ohio-train-u0000'], ONE),
      launch(['ohio-train-u0000', 'ohio-train-u0001'], TWO),
      launch(['ohio-train-u0000'], BROKEN['two nodes claiming one position']),
      launch(['ohio-train-u0000'], BROKEN['an UltraServer whose nodes report different Neuron server IDs']),
      launch(['ohio-train-u0000'], [at('ohio-train-u0001', 3)]),
      // The other three never come: with no time left, the first check fails.
      launch(['ohio-train-u0000'], [at('ohio-train-u0000', 0)], { RAINIER_RENDEZVOUS_TIMEOUT: '0' }),
    ]);
    results = {
      one,
      two,
      'two nodes claiming one position': position,
      'an UltraServer whose nodes report different Neuron server IDs': serverId,
      outside,
      alone,
    };
  });

  test('one UltraServer: topology ID = position, rank 0 is the pod at position 0, Neuron variables exported', () => {
    results.one.forEach((r, index) => {
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const position = ONE[index].position;
      expect(r.torchrun!.env).toMatchObject({
        NEURON_RT_ULTRASERVER_MODE: '1',
        NEURON_RT_ULTRASERVER_SERVER_ID: 'a1b2c3d4e5f60001',
        NEURON_RT_ULTRASERVER_NODE_ID: String(position),
        NEURON_GLOBAL_TOPOID: String(position),
        NEURON_GLOBAL_TOPOID0_HOST: 'neuron-train-2.neuron-train.rainier-jobs.svc.cluster.local',
        NEURON_RT_ROOT_COMM_ID: `10.0.1.12:${NEURON_COMM_PORT}`,
      });
      expect(r.torchrun!.env.CHECKPOINT_DIR).toMatch(/\/fsx\/checkpoints\/train\/neuron-train$/);
      expect(r.torchrun!.args).toEqual(['--nnodes=4', `--node_rank=${position}`, '--nproc_per_node=64', '--master_addr=10.0.1.12', '--master_port=29500', '/opt/rainier/train.py']);
    });
  });

  test('two UltraServers: topology ID = UltraServer order x 4 + position, one rank 0 for all', () => {
    const { two } = results;
    expect(two.map((r) => r.status)).toEqual(TWO.map(() => 0));
    expect(two.map((r) => Number(r.torchrun?.env.NEURON_GLOBAL_TOPOID))).toEqual(TWO.map((p) => (p.ultraServer === 'ohio-train-u0000' ? 0 : 4) + p.position));
    two.forEach((r, index) => {
      // Each pod's own UltraServer and position; one leader (index 4, on u0000 position 0) for all.
      expect(r.torchrun!.env).toMatchObject({
        NEURON_RT_ULTRASERVER_MODE: '1',
        NEURON_RT_ULTRASERVER_SERVER_ID: SERVER[TWO[index].ultraServer],
        NEURON_RT_ULTRASERVER_NODE_ID: String(TWO[index].position),
        NEURON_RT_ROOT_COMM_ID: `10.0.1.14:${NEURON_COMM_PORT}`,
      });
      expect(r.torchrun!.env.NEURON_GLOBAL_TOPOID0_HOST).toBe('neuron-train-4.neuron-train.rainier-jobs.svc.cluster.local');
      expect(r.torchrun!.args).toEqual(expect.arrayContaining(['--nnodes=8', '--master_addr=10.0.1.14', `--node_rank=${r.torchrun!.env.NEURON_GLOBAL_TOPOID}`]));
    });
  });

  test.each([
    ['two nodes claiming one position', /topology IDs are not 0-3 once each: 0 1 2 2/],
    ['an UltraServer whose nodes report different Neuron server IDs', /more than one Neuron server ID/],
  ])('fails on %s, before torchrun starts', (what, message) => {
    const pods = results[what];
    expect(pods.map((r) => r.status)).toEqual([1, 1, 1, 1]);
    for (const r of pods) expect(r.stderr).toMatch(message);
    expect(pods.filter((r) => r.torchrun !== undefined)).toEqual([]);
  });

  test("fails on a node outside the job's UltraServers, before the rendezvous", () => {
    const [r] = results.outside;
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/UltraServer ohio-train-u0001 is not one of the job's: ohio-train-u0000/);
    expect(r.torchrun).toBeUndefined();
  });

  test('fails when the other pods do not arrive in time, naming how many did', () => {
    const [r] = results.alone;
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/1 of 4 pods reached .* within 0s/);
    expect(r.torchrun).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------------------------
// npm run job

describe('npm run job', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rainier-job-'));
  const eks = path.join(dir, 'eks.yaml');
  fs.writeFileSync(eks, 'preset: rainier-mini\norchestrator: eks\n');
  const args = (...argv: string[]) => parseArgs(argv, JOB_CLI, {});

  test('prints every object as YAML that parses back to what was rendered', () => {
    const { files } = runJob(args('-c', `config=${eks}`, '--account', ACCOUNT, '--ultraservers', '2'));
    expect(files.map((f) => f.file)).toEqual(['00-namespace.yaml', '10-neuron-device-plugin.yaml', '11-efa-device-plugin.yaml', '20-neuron-train.yaml']);
    const docs = files.flatMap((f) => parseAllDocuments(f.yaml).map((d) => d.toJS() as KubernetesObject)).filter((d) => d !== null);
    expect(() => validateObjects(docs)).not.toThrow();
    const job = docs.find((d) => d.kind === 'Job') as Job;
    expect(job.spec!.completions).toBe(8);
    expect(files[3].yaml).toMatch(/^# 20-neuron-train\.yaml: rainier-cdk, EKS cluster rainier-fabric-ohio \(us-east-2\)/);
    expect(parseYaml(files[0].yaml.split('---\n')[1])).toMatchObject({ kind: 'Namespace' });
  });

  test.each([
    ['no --account', [], /--account: got nothing; the 12-digit ID of the AWS account/],
    ['an account that is not 12 digits', ['--account', '1234'], /--account: got "1234"; the 12-digit ID/],
    ['more UltraServers than the pool has', ['--account', ACCOUNT, '--ultraservers', '3'], /--ultraservers: got 3; a whole number from 1 to 2: pool ohio\/train has 2 UltraServer\(s\)/],
    ['zero UltraServers', ['--account', ACCOUNT, '--ultraservers', '0'], /--ultraservers: got 0; a whole number from 1 to 2/],
    ['a count that is not a number', ['--account', ACCOUNT, '--ultraservers', 'two'], /--ultraservers: got "two"; a whole number/],
    ['a pool without UltraServers', ['--account', ACCOUNT, '--pool', 'dev'], /--pool: got "dev"; an UltraServer pool of site ohio: train \(pool dev is on-demand-capacity-reservation, not UltraServers\)/],
    ['an unknown site', ['--account', ACCOUNT, '--site', 'oregon'], /--site: got "oregon"; one of the sites with an UltraServer pool: ohio/],
    ['a job name that is not a DNS label', ['--account', ACCOUNT, '--name', 'My_Job'], /--name: got "My_Job"; a DNS label of at most 52 characters/],
    ['an unknown flag', ['--account', ACCOUNT, '--nodes', '4'], /arguments: .*allowed: .*--ultraservers VALUE/],
  ])('refuses %s, naming the flag, the value and what is allowed', (_what, argv, message) => {
    expect(() => runJob(args('-c', `config=${eks}`, ...argv))).toThrow(ConfigError);
    expect(() => runJob(args('-c', `config=${eks}`, ...argv))).toThrow(message);
  });

  test('--out DIR writes one file per group, the same YAML as stdout, and nothing to stdout', () => {
    const out = path.join(dir, 'manifests');
    let printed = '';
    expect(jobMain(args('-c', `config=${eks}`, '--account', ACCOUNT, '--out', out), (t) => (printed += t), () => undefined)).toBe(0);
    expect(printed).toBe('');
    expect(fs.readdirSync(out).sort()).toEqual(['00-namespace.yaml', '10-neuron-device-plugin.yaml', '11-efa-device-plugin.yaml', '20-neuron-train.yaml']);
    let stdout = '';
    jobMain(args('-c', `config=${eks}`, '--account', ACCOUNT), (t) => (stdout += t), () => undefined);
    expect(fs.readdirSync(out).sort().map((f) => fs.readFileSync(path.join(out, f), 'utf8')).join('')).toBe(stdout);
  });

  test.each([
    ['a file', () => fs.writeFileSync(path.join(dir, 'a-file'), ''), 'a-file', /--out: got ".*a-file"; a directory to write the manifests into, or a path where one can be created \(.*a-file is a file\)/],
    ['under a file', () => fs.writeFileSync(path.join(dir, 'b-file'), ''), 'b-file/manifests', /--out: got ".*b-file\/manifests"; .*b-file is a file/],
  ])('--out naming %s is refused with an error naming the flag, never a stack trace', (_what, setup, name, message) => {
    setup();
    const run = () => jobMain(args('-c', `config=${eks}`, '--account', ACCOUNT, '--out', path.join(dir, name)), () => undefined, () => undefined);
    expect(run).toThrow(ConfigError);
    expect(run).toThrow(message);
  });

  test('--out creates missing parent directories', () => {
    const out = path.join(dir, 'nested', 'deeper', 'manifests');
    expect(jobMain(args('-c', `config=${eks}`, '--account', ACCOUNT, '--out', out), () => undefined, () => undefined)).toBe(0);
    expect(fs.readdirSync(out)).toHaveLength(4);
  });

  // ECR: the first pull through a cache rule over PrivateLink needs a NAT gateway; with egress: none the
  // nodes cannot make it, so docs/jobs.md must say how to seed every image the manifests name.
  test('docs/jobs.md seeds every image the manifests name, from outside the VPC, before the nodes pull it', () => {
    const doc = fs.readFileSync(path.join(__dirname, '..', 'docs', 'jobs.md'), 'utf8');
    const seed = doc.slice(doc.indexOf('### Seed the cache once'));
    expect(seed).toContain('needs a NAT gateway');
    for (const image of JOB_IMAGES) {
      expect(seed).toContain(`docker pull ${pullThroughImage(ACCOUNT, 'us-east-2', image)}\n`);
    }
  });

  test('refuses a configuration without an orchestrator', () => {
    expect(() => runJob(args('-c', 'preset=rainier-mini', '--account', ACCOUNT))).toThrow(/orchestrator: got "none"; eks: a job needs a scheduler/);
  });
});
