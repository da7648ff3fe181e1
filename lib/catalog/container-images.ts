/**
 * The container images the Kubernetes manifests of `npm run job` name (lib/orchestrator/), pinned.
 *
 * Nodes pull them through the fabric's ECR pull-through cache rule for Amazon ECR Public
 * (`AWS::ECR::PullThroughCacheRule`, upstream `public.ecr.aws`, rendered by the Region's first
 * orchestrator stack, lib/constructs/eks-cluster.ts), so no image comes from the internet: the image
 * reference is
 * `<account>.dkr.ecr.<region>.amazonaws.com/<prefix>/<upstream repository>:<tag>` ("Pulling an image
 * with a pull through cache rule in Amazon ECR", https://docs.aws.amazon.com/AmazonECR/latest/userguide/pull-through-cache-working.html:
 * `docker pull aws_account_id.dkr.ecr.region.amazonaws.com/ecr-public/repository_name/image_name:tag`).
 *
 * Digests: none of the sources below publishes an image digest, and ECR Public cannot be queried
 * offline, so the images are pinned by tag only. A deployer who wants digests reads them once
 * (`aws ecr-public describe-images --region us-east-1 --repository-name neuron/neuron-device-plugin`)
 * and the manifests can carry `@sha256:...` from then on.
 */

/**
 * The repository prefix of the pull-through cache rule for ECR Public, the ECR console's default
 * namespace for it (same page). Amazon ECR adds the trailing `/` itself ("There is always an assumed
 * / applied to the end of the prefix", CreatePullThroughCacheRule `ecrRepositoryPrefix`,
 * https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreatePullThroughCacheRule.html).
 * The cache rule (lib/plan/eks.ts PULL_THROUGH_CACHE) takes its prefix from here, so the rule and
 * these image references cannot disagree.
 */
export const ECR_PUBLIC_CACHE_PREFIX = 'ecr-public';

/** The upstream registry of the cache rule. */
export const ECR_PUBLIC_REGISTRY = 'public.ecr.aws';

export interface ContainerImage {
  /** Repository in ECR Public, e.g. `neuron/neuron-device-plugin`. */
  readonly repository: string;
  readonly tag: string;
  /** Where the repository and tag come from. */
  readonly sources: readonly string[];
}

/**
 * The Neuron Kubernetes device plugin: advertises `aws.amazon.com/neuron` (Neuron devices) to the
 * kubelet. The UltraServer how-to needs version 2.26.26.0 or later (it labels nodes with their
 * UltraServer identity); 2.29.16.0 is the `aws-neuronx-k8-plugin` of Neuron 2.27.0/2.27.1 and is
 * published under that tag (the image tag is the plugin's package version, as in Neuron's own
 * manifest, 2.22.4.0).
 */
export const NEURON_DEVICE_PLUGIN_IMAGE: ContainerImage = {
  repository: 'neuron/neuron-device-plugin',
  tag: '2.29.16.0',
  sources: [
    'Neuron, How to schedule MPI jobs on Neuron UltraServer on EKS (device plugin >= 2.26.26.0): https://awsdocs-neuron.readthedocs-hosted.com/en/latest/containers/how-to/how-to-ultraserver.html',
    'Neuron release manifest, aws-neuronx-k8-plugin 2.29.16.0 in Neuron 2.27.x: aws-neuron/aws-neuron-sdk src/helperscripts/n2-manifest.json',
    "Neuron's device plugin manifest (image public.ecr.aws/neuron/neuron-device-plugin:<version>): aws-neuron/aws-neuron-sdk src/k8/k8s-neuron-device-plugin.yml",
  ],
};

/**
 * The EFA Kubernetes device plugin: advertises `vpc.amazonaws.com/efa` (EFA devices). v0.5.20 is the
 * `appVersion` of the eks-charts chart `aws-efa-k8s-device-plugin` (chart v0.5.30), whose default
 * repository is EKS's own registry; `public.ecr.aws/eks/aws-efa-k8s-device-plugin` is its ECR Public
 * copy. ASSUMPTION (not verifiable offline): v0.5.20 is published there under the same tag.
 */
export const EFA_DEVICE_PLUGIN_IMAGE: ContainerImage = {
  repository: 'eks/aws-efa-k8s-device-plugin',
  tag: 'v0.5.20',
  sources: [
    'aws/eks-charts stable/aws-efa-k8s-device-plugin/Chart.yaml (appVersion v0.5.20) and values.yaml: https://github.com/aws/eks-charts/tree/master/stable/aws-efa-k8s-device-plugin',
  ],
};

/**
 * The Neuron Deep Learning Container for PyTorch training (PyTorch 2.9.0, torch-neuronx, Python 3.12,
 * Ubuntu 24.04) of Neuron SDK 2.30.0: the LAST one published. "Starting with Neuron SDK 2.31.0, the
 * pytorch-training-neuronx DLC is no longer published. If you require this DLC, please use an image
 * associated with a previous Neuron SDK release (2.30.0 or earlier)." Its Neuron runtime 2.32 needs
 * a host Neuron driver newer than 2.26 (Neuron 2.30.0 container release notes), which the node
 * image's driver must meet.
 */
export const NEURON_TRAINING_IMAGE: ContainerImage = {
  repository: 'neuron/pytorch-training-neuronx',
  tag: '2.9.0-neuronx-py312-sdk2.30.0-ubuntu24.04',
  sources: [
    'aws-neuron/deep-learning-containers README, pytorch-training-neuronx table: https://github.com/aws-neuron/deep-learning-containers#pytorch-training-neuronx',
    'Neuron Containers release notes 2.30.0 and 2.31.0: https://awsdocs-neuron.readthedocs-hosted.com/en/latest/release-notes/components/containers.html',
  ],
};

/** An AWS account ID: 12 digits. */
export const ACCOUNT_ID_PATTERN = /^\d{12}$/;

/** The image's reference through the account's pull-through cache in `region`. */
export function pullThroughImage(account: string, region: string, image: ContainerImage): string {
  return `${account}.dkr.ecr.${region}.amazonaws.com/${ECR_PUBLIC_CACHE_PREFIX}/${image.repository}:${image.tag}`;
}

/**
 * Every image the manifests of `npm run job` name. Their cached repositories are
 * `ecr-public/<repository>`: the role that first pulls one needs `ecr:BatchImportUpstreamImage`, and
 * `ecr:CreateRepository` while it does not exist ("IAM permissions required to sync an upstream
 * registry", https://docs.aws.amazon.com/AmazonECR/latest/userguide/pull-through-cache-iam.html).
 */
export const JOB_IMAGES: readonly ContainerImage[] = [NEURON_DEVICE_PLUGIN_IMAGE, EFA_DEVICE_PLUGIN_IMAGE, NEURON_TRAINING_IMAGE];
