import type { IDaemonSet } from 'kubernetes-models/apps/v1/DaemonSet';
import type { IJob } from 'kubernetes-models/batch/v1/Job';
import type { IClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import type { IClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { INamespace } from 'kubernetes-models/v1/Namespace';
import type { IPersistentVolume } from 'kubernetes-models/v1/PersistentVolume';
import type { IPersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import type { IService } from 'kubernetes-models/v1/Service';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import type { IServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import type { IIoK8sApiCoreV1Toleration } from 'kubernetes-models/v1/Toleration';
import {
  ContainerImage,
  EFA_DEVICE_PLUGIN_IMAGE,
  NEURON_DEVICE_PLUGIN_IMAGE,
  NEURON_TRAINING_IMAGE,
  pullThroughImage,
} from '../catalog/container-images';
import { NODE_LABELS } from '../catalog/kubernetes';
import { TOPOLOGY_FILE } from '../constructs/node-topology';
import { DATA_REPOSITORIES } from '../plan/storage';
import { EksClusterPlan } from '../plan/orchestrator';
import { ClusterPlan } from '../plan/types';
import { LAUNCH_SCRIPT, TRAIN_SCRIPT } from './launch';
import { JobTarget } from './select';

/**
 * Kubernetes objects of one EKS cluster of the plan, as plain objects typed with kubernetes-models'
 * interfaces (so the compiler refuses a field the Kubernetes API does not have) and validated
 * against its schemas in the tests. Pure: the plan in, objects out; `npm run job` prints them.
 */

export type KubernetesObject =
  | INamespace
  | IPersistentVolume
  | IPersistentVolumeClaim
  | IServiceAccount
  | IClusterRole
  | IClusterRoleBinding
  | IDaemonSet
  | IConfigMap
  | IService
  | IJob;

/** A file of `npm run job --out DIR`: `kubectl apply -f DIR` applies them in name order. */
export interface ManifestFile {
  readonly file: string;
  readonly objects: readonly KubernetesObject[];
}

const KUBE_SYSTEM = 'kube-system';
const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'rainier-cdk' };

/**
 * Taint Neuron's node groups may carry (Neuron's device plugin manifest tolerates it); tolerating it
 * is harmless where nodes are not tainted.
 */
const NEURON_TAINT_TOLERATION: IIoK8sApiCoreV1Toleration = { key: 'aws.amazon.com/neuron', operator: 'Exists', effect: 'NoSchedule' };

/** The extended resources the device plugins advertise (Neuron device plugin; EFA device plugin). */
export const NEURON_RESOURCE = 'aws.amazon.com/neuron';
export const EFA_RESOURCE = 'vpc.amazonaws.com/efa';

/** Well-known node label of the instance type (https://kubernetes.io/docs/reference/labels-annotations-taints/#nodekubernetesioinstance-type). */
const INSTANCE_TYPE_LABEL = 'node.kubernetes.io/instance-type';

/** The instance types of the cluster's pools: the device plugins run on exactly these, no hand-kept list. */
function clusterInstanceTypes(plan: ClusterPlan, cluster: EksClusterPlan): string[] {
  const types = cluster.members.flatMap((m) => plan.sites.find((s) => s.name === m.site)?.pools.find((p) => p.name === m.pool)?.instanceType ?? []);
  return [...new Set(types)].sort();
}

function image(account: string, cluster: EksClusterPlan, img: ContainerImage): string {
  return pullThroughImage(account, cluster.region, img);
}

/**
 * The job namespace, at Pod Security level `baseline` (enforced): its pods cannot be privileged,
 * use the host's network, PID or IPC namespaces, add capabilities beyond the baseline set, or mount
 * host paths (https://kubernetes.io/docs/concepts/security/pod-security-standards/, baseline:
 * "HostPath volumes must be forbidden"). `edit` on this namespace (orchestrator.access) therefore
 * stays inside it: with `privileged`, anyone who may create a pod here could mount the node's root
 * file system and act as the node. The host paths the job needs (the file system and the node's
 * topology) come as PersistentVolumes that only the cluster admin creates (`hostVolumes`), which a
 * pod reaches through its claim: `persistentVolumeClaim` volumes are allowed at every level.
 */
export function jobNamespace(cluster: EksClusterPlan): INamespace {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: cluster.jobNamespace,
      labels: {
        ...MANAGED_BY,
        'pod-security.kubernetes.io/enforce': 'baseline',
        'pod-security.kubernetes.io/warn': 'baseline',
      },
    },
  };
}

/** A host directory the job mounts, as an admin-created PersistentVolume and its claim in the job namespace. */
interface HostVolume {
  /** The claim's name in the job namespace (and the pod's volume name). */
  readonly claim: string;
  readonly path: string;
  readonly readOnly: boolean;
}

/** The claim names of the job's host volumes. */
export const FSX_CLAIM = 'fsx';
export const TOPOLOGY_CLAIM = 'topology';

function hostVolumeList(target: JobTarget): HostVolume[] {
  return [
    { claim: FSX_CLAIM, path: target.site.storage.mountPoint, readOnly: false },
    { claim: TOPOLOGY_CLAIM, path: '/etc/rainier', readOnly: true },
  ];
}

/**
 * The host directories of the job as cluster-scoped PersistentVolumes (`hostPath`, type
 * `Directory`: the file system mounted and checked at boot, the node's topology), each pre-bound to
 * one claim of the job namespace (`claimRef`, `volumeName`, no storage class) so no other claim can
 * take it, reclaim policy `Retain` so deleting a claim never touches the host directory
 * (https://kubernetes.io/docs/concepts/storage/persistent-volumes/#reserving-a-persistentvolume).
 * Creating a PersistentVolume needs the cluster admin, as the rest of `00-namespace.yaml`. A hostPath
 * volume is the node's own directory on every node, so one volume serves every pod of the job.
 * `capacity` is required by the API and only matched against the claim; a host path has no quota.
 * Access modes are not enforced on a host path: `/etc/rainier` is read-only because the job's pod
 * mounts it so, and a pod of the namespace could mount it writable; it holds only what the boot
 * wrote (topology, node settings, the NodeConfig: no credential), read at boot.
 */
export function hostVolumes(target: JobTarget): KubernetesObject[] {
  const { cluster } = target;
  const namespace = cluster.jobNamespace;
  const size = { storage: '1Gi' };
  return hostVolumeList(target).flatMap((v): KubernetesObject[] => {
    const pv = `${namespace}-${v.claim}`;
    const accessModes: ('ReadOnlyMany' | 'ReadWriteMany')[] = [v.readOnly ? 'ReadOnlyMany' : 'ReadWriteMany'];
    const volume: IPersistentVolume = {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: pv, labels: MANAGED_BY },
      spec: {
        capacity: size,
        accessModes,
        persistentVolumeReclaimPolicy: 'Retain',
        storageClassName: '',
        volumeMode: 'Filesystem',
        claimRef: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace, name: v.claim },
        hostPath: { path: v.path, type: 'Directory' },
      },
    };
    const claim: IPersistentVolumeClaim = {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: v.claim, namespace, labels: MANAGED_BY },
      spec: { accessModes, storageClassName: '', volumeName: pv, volumeMode: 'Filesystem', resources: { requests: size } },
    };
    return [volume, claim];
  });
}

/**
 * The Neuron device plugin: the RBAC and DaemonSet of Neuron's Helm chart, which the EKS user guide
 * installs (aws-neuron/neuron-helm-charts charts/neuron-helm-chart/templates/device-plugin/
 * device-plugin-rbac.yaml, device-plugin-daemonset.yaml and values.yaml `devicePlugin`; the
 * standalone aws-neuron-sdk src/k8/ manifests are its older form, written for plugin 2.12), with the
 * image through the pull-through cache, pulled only if absent (the tag is pinned), and node affinity
 * on the cluster's own instance types instead of Neuron's fixed list.
 */
export function neuronDevicePlugin(plan: ClusterPlan, cluster: EksClusterPlan, account: string): KubernetesObject[] {
  const name = 'neuron-device-plugin';
  const labels = { name: 'neuron-device-plugin-ds' };
  const role: IClusterRole = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name, labels: MANAGED_BY },
    rules: [
      { apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['update', 'patch', 'get', 'list', 'watch'] },
      { apiGroups: [''], resources: ['nodes/status'], verbs: ['patch', 'update'] },
      // The chart's plugin (2.2x) also reads through the kubelet API; the standalone 2.12 manifest lacked it.
      // Bound only to this kube-system service account, which only the cluster admin can change.
      { apiGroups: [''], resources: ['nodes/proxy'], verbs: ['get', 'list'] },
    ],
  };
  const account_: IServiceAccount = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: KUBE_SYSTEM, labels: MANAGED_BY } };
  const binding: IClusterRoleBinding = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name, labels: MANAGED_BY },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
    subjects: [{ kind: 'ServiceAccount', name, namespace: KUBE_SYSTEM }],
  };
  const daemonSet: IDaemonSet = {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'neuron-device-plugin-daemonset', namespace: KUBE_SYSTEM, labels: MANAGED_BY },
    spec: {
      selector: { matchLabels: labels },
      updateStrategy: { type: 'RollingUpdate' },
      template: {
        metadata: { labels },
        spec: {
          serviceAccountName: name,
          ...devicePluginPlacement(plan, cluster),
          containers: [
            {
              name: 'neuron-device-plugin',
              image: image(account, cluster, NEURON_DEVICE_PLUGIN_IMAGE),
              imagePullPolicy: 'IfNotPresent',
              env: [
                { name: 'KUBECONFIG', value: '/etc/kubernetes/kubelet.conf' },
                { name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
              ],
              securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
              volumeMounts: [
                { name: 'device-plugin', mountPath: '/var/lib/kubelet/device-plugins' },
                { name: 'infa-map', mountPath: '/run' },
                { name: 'aws-config', mountPath: '/opt/aws', readOnly: true },
              ],
            },
          ],
          volumes: [
            { name: 'device-plugin', hostPath: { path: '/var/lib/kubelet/device-plugins' } },
            { name: 'infa-map', hostPath: { path: '/run' } },
            { name: 'aws-config', hostPath: { path: '/opt/aws' } },
          ],
        },
      },
    },
  };
  return [role, account_, binding, daemonSet];
}

/**
 * Where both device plugins run, as their charts place them: node-critical priority, tolerating the
 * critical-add-on and Neuron taints, on the instance types of the cluster's own pools only.
 */
function devicePluginPlacement(plan: ClusterPlan, cluster: EksClusterPlan): Pick<IPodSpec, 'priorityClassName' | 'tolerations' | 'affinity'> {
  return {
    priorityClassName: 'system-node-critical',
    tolerations: [{ key: 'CriticalAddonsOnly', operator: 'Exists' }, NEURON_TAINT_TOLERATION],
    affinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchExpressions: [{ key: INSTANCE_TYPE_LABEL, operator: 'In', values: clusterInstanceTypes(plan, cluster) }] }],
        },
      },
    },
  };
}

/**
 * The EFA device plugin: the DaemonSet of the eks-charts chart `aws-efa-k8s-device-plugin`
 * (templates/daemonset.yaml, values.yaml), rendered with its defaults: host network, privileged
 * (the chart's default security context; its values list trn1/trn2/trn2u among the instances that
 * need it), no service account token, the device-plugin, /dev/infiniband and /opt/aws/neuron host
 * paths; node affinity on the cluster's instance types, every one of which has EFA.
 */
export function efaDevicePlugin(plan: ClusterPlan, cluster: EksClusterPlan, account: string): IDaemonSet {
  const labels = { name: 'aws-efa-k8s-device-plugin' };
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'aws-efa-k8s-device-plugin', namespace: KUBE_SYSTEM, labels: MANAGED_BY },
    spec: {
      selector: { matchLabels: labels },
      updateStrategy: { type: 'RollingUpdate' },
      template: {
        metadata: { labels },
        spec: {
          automountServiceAccountToken: false,
          ...devicePluginPlacement(plan, cluster),
          hostNetwork: true,
          containers: [
            {
              name: 'aws-efa-k8s-device-plugin',
              image: image(account, cluster, EFA_DEVICE_PLUGIN_IMAGE),
              imagePullPolicy: 'IfNotPresent',
              securityContext: { allowPrivilegeEscalation: true, privileged: true, runAsNonRoot: false, runAsUser: 0 },
              resources: { requests: { cpu: '10m', memory: '20Mi' } },
              volumeMounts: [
                { name: 'device-plugin', mountPath: '/var/lib/kubelet/device-plugins' },
                { name: 'infiniband-volume', mountPath: '/dev/infiniband/' },
                { name: 'neuron-tools', mountPath: '/opt/aws/neuron/' },
              ],
            },
          ],
          volumes: [
            { name: 'device-plugin', hostPath: { path: '/var/lib/kubelet/device-plugins' } },
            { name: 'infiniband-volume', hostPath: { path: '/dev/infiniband/' } },
            { name: 'neuron-tools', hostPath: { path: '/opt/aws/neuron/', type: 'DirectoryOrCreate' } },
          ],
        },
      },
    },
  };
}

/** Where the launcher and training script are mounted in the job's pods. */
export const LAUNCH_DIR = '/opt/rainier';
/** Shared directory of the launcher's rendezvous files, one subdirectory per Job (its UID), outside the exported checkpoints. */
export const RENDEZVOUS_SUBDIR = '.rainier/rendezvous';
/** torchrun's default master port (https://docs.pytorch.org/docs/stable/elastic/run.html, `--master-port` default 29500). */
export const MASTER_PORT = 29500;
/** Port of Neuron's root communicator on rank 0 (NEURON_RT_ROOT_COMM_ID): the Neuron runtime guide's example port; any free port works. */
export const NEURON_COMM_PORT = 46820;
/**
 * Physical NeuronCores per logical NeuronCore on Trainium2: 2 by default, so a trn2.48xlarge runs
 * 64 processes (Neuron MLP tutorial: "For trn2.48xlarge, use --nproc_per_node=64 for 64 Logical
 * NeuronCores default (each Logical NeuronCores using two physical NeuronCores)").
 */
export const TRN2_LOGICAL_NEURON_CORE_SIZE = 2;
/** Sample training length and checkpoint interval: the script's, set in the Job's environment. */
export const TRAIN_STEPS = 1000;
export const CHECKPOINT_EVERY = 100;

/** The site's checkpoints directory on its file system, e.g. `/fsx/checkpoints` (lib/plan/storage.ts). */
export function checkpointsPath(target: JobTarget): string {
  const repo = target.site.storage.dataRepositories.find((r) => r.bucket === 'checkpoints') ?? DATA_REPOSITORIES.find((r) => r.bucket === 'checkpoints')!;
  return `${target.site.storage.mountPoint}${repo.fileSystemPath}`;
}

/** The job's own checkpoint directory: `<checkpoints path>/<pool>/<job name>`, e.g. `/fsx/checkpoints/train/neuron-train`. */
export function jobCheckpointDir(target: JobTarget): string {
  // Under the pool's own prefix, as the node roles' S3 grants and docs/security.md lay checkpoints out.
  return `${checkpointsPath(target)}/${target.pool.name}/${target.name}`;
}

/** Pods of the job: one per node of its UltraServers. */
export function jobPods(target: JobTarget): number {
  return target.ultraServers.length * target.pool.nodeGroups[0].size;
}

/**
 * The sample training job: a ConfigMap (launcher and script), a headless Service (stable pod DNS
 * names for NEURON_GLOBAL_TOPOID0_HOST) and an Indexed batch/v1 Job, one pod per node of the chosen
 * UltraServers:
 * - node affinity on NODE_LABELS.ultraServer In [the UltraServers], and a required pod anti-affinity
 *   per host, so the 4N pods land on the 4N nodes, one each;
 * - each pod takes the whole node: every Neuron device and every EFA interface of the pool's shape;
 * - /fsx (the site's file system, mounted and health-checked at boot) and /etc/rainier (the node's
 *   topology, read-only) from the host, through the admin's PersistentVolumes (hostVolumes);
 * - backoffLimit 0: a distributed step cannot lose a worker, so one failed pod fails the job, which
 *   is resubmitted and resumes from its last checkpoint.
 * (https://kubernetes.io/docs/concepts/workloads/controllers/job/: completionMode Indexed,
 * JOB_COMPLETION_INDEX, pod hostname `<job>-<index>` with `subdomain` = a headless Service.)
 */
export function trainingJob(target: JobTarget): KubernetesObject[] {
  const { cluster, pool, name } = target;
  const namespace = cluster.jobNamespace;
  const pods = jobPods(target);
  const perUltraServer = pool.nodeGroups[0].size;
  const jobLabel = { 'batch.kubernetes.io/job-name': name };
  const labels = { ...MANAGED_BY, 'app.kubernetes.io/name': name };
  const configMap: IConfigMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: `${name}-launch`, namespace, labels },
    data: { 'launch.sh': LAUNCH_SCRIPT, 'train.py': TRAIN_SCRIPT },
  };
  const service: IService = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace, labels },
    spec: { clusterIP: 'None', publishNotReadyAddresses: true, selector: jobLabel },
  };
  const env = (n: string, value: string | number) => ({ name: n, value: String(value) });
  const job: IJob = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace, labels },
    spec: {
      completionMode: 'Indexed',
      completions: pods,
      parallelism: pods,
      backoffLimit: 0,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          subdomain: name,
          tolerations: [NEURON_TAINT_TOLERATION],
          affinity: {
            nodeAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: {
                nodeSelectorTerms: [{ matchExpressions: [{ key: NODE_LABELS.ultraServer, operator: 'In', values: [...target.ultraServers] }] }],
              },
            },
            podAntiAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: jobLabel }, topologyKey: 'kubernetes.io/hostname' }],
            },
          },
          containers: [
            {
              name: 'train',
              image: pullThroughImage(target.account, cluster.region, NEURON_TRAINING_IMAGE),
              imagePullPolicy: 'IfNotPresent',
              command: ['/bin/bash', `${LAUNCH_DIR}/launch.sh`],
              env: [
                env('RAINIER_ULTRASERVERS', target.ultraServers.join(' ')),
                env('RAINIER_NODES_PER_ULTRASERVER', perUltraServer),
                env('RAINIER_NPROC_PER_NODE', pool.shape.neuronCores / TRN2_LOGICAL_NEURON_CORE_SIZE),
                env('RAINIER_TOPOLOGY_FILE', TOPOLOGY_FILE),
                env('RAINIER_RENDEZVOUS_DIR', `${target.site.storage.mountPoint}/${RENDEZVOUS_SUBDIR}`),
                // The Job controller labels its pods with the Job's UID; a label reaches an environment variable through
                // `metadata.labels['<KEY>']` (Downward API, https://kubernetes.io/docs/concepts/workloads/pods/downward-api/#downwardapi-fieldRef).
                { name: 'RAINIER_JOB_UID', valueFrom: { fieldRef: { fieldPath: "metadata.labels['batch.kubernetes.io/controller-uid']" } } },
                { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
                env('RAINIER_MASTER_PORT', MASTER_PORT),
                env('RAINIER_NEURON_COMM_PORT', NEURON_COMM_PORT),
                env('RAINIER_TRAIN_SCRIPT', `${LAUNCH_DIR}/train.py`),
                env('CHECKPOINT_DIR', jobCheckpointDir(target)),
                env('TRAIN_STEPS', TRAIN_STEPS),
                env('CHECKPOINT_EVERY', CHECKPOINT_EVERY),
                // EFA for the collectives between nodes (Neuron MLP tutorial, multi-node torchrun).
                env('FI_PROVIDER', 'efa'),
                env('FI_EFA_USE_DEVICE_RDMA', 1),
              ],
              resources: {
                limits: { [NEURON_RESOURCE]: pool.shape.chips, [EFA_RESOURCE]: pool.efaInterfaces },
                requests: { [NEURON_RESOURCE]: pool.shape.chips, [EFA_RESOURCE]: pool.efaInterfaces },
              },
              volumeMounts: [
                { name: FSX_CLAIM, mountPath: target.site.storage.mountPoint },
                { name: TOPOLOGY_CLAIM, mountPath: '/etc/rainier', readOnly: true },
                { name: 'launch', mountPath: LAUNCH_DIR, readOnly: true },
                { name: 'shm', mountPath: '/dev/shm' },
              ],
            },
          ],
          volumes: [
            // The host directories through their admin-created volumes (hostVolumes): the namespace allows no hostPath.
            ...hostVolumeList(target).map((v) => ({ name: v.claim, persistentVolumeClaim: { claimName: v.claim, readOnly: v.readOnly } })),
            { name: 'launch', configMap: { name: `${name}-launch`, defaultMode: 0o555 } },
            { name: 'shm', emptyDir: { medium: 'Memory' } },
          ],
        },
      },
    },
  };
  return [configMap, service, job];
}

/** Everything `npm run job` prints for a target: the cluster's namespace and device plugins, then the job. */
export function renderJobManifests(plan: ClusterPlan, target: JobTarget): ManifestFile[] {
  return [
    { file: '00-namespace.yaml', objects: [jobNamespace(target.cluster), ...hostVolumes(target)] },
    { file: '10-neuron-device-plugin.yaml', objects: neuronDevicePlugin(plan, target.cluster, target.account) },
    { file: '11-efa-device-plugin.yaml', objects: [efaDevicePlugin(plan, target.cluster, target.account)] },
    { file: `20-${target.name}.yaml`, objects: trainingJob(target) },
  ];
}
