import { z } from 'zod';

/**
 * Neuron DLAMI families published as public SSM parameters (REFERENCE.md §4, NEURON-DLAMI);
 * each is read as `<prefix>/latest/image_id` at deploy time, never looked up at synth.
 */
export const NEURON_DLAMI_PREFIXES = [
  'base/ubuntu-24.04',
  'base/amazon-linux-2023',
  'multi-framework/ubuntu-24.04',
  'jax-0.10/ubuntu-24.04',
  'jax-0.10/amazon-linux-2023',
] as const;

/** AMI IDs: `ami-` and 8 or 17 hexadecimal digits. */
export const AMI_ID_PATTERN = /^ami-([0-9a-f]{8}|[0-9a-f]{17})$/;
const regionKey = z.string().regex(/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/, { message: 'an AWS Region name such as "us-east-2"' });

/**
 * A pinned node image: every launch, first or replacement, boots exactly this image until the
 * configuration changes it. AMI IDs are Regional, so one per Region of the cluster's sites.
 * - `amiIds`: the AMI ID per Region.
 * - `ssmParameter` + `versions`: one version of an SSM parameter per Region, which the launch
 *   template resolves at launch as `resolve:ssm:<name>:<version>` (EC2 User Guide, "Use a Systems
 *   Manager parameter instead of an AMI ID",
 *   https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/create-launch-template.html). A version of a
 *   parameter never changes value; the Neuron DLAMI parameters publish only `latest` paths and
 *   "support for finding specific Neuron SDK version DLAMIs will be added in future releases"
 *   (Neuron DLAMI guide, deploy/environments/dlami.rst), so a version number is how they are pinned.
 */
export const imageSchema = z.union([
  // The floating image, opted into knowingly (rule RAIN-W702): the family's `latest` parameter,
  // resolved by CloudFormation at every deployment.
  z.literal('latest'),
  z.strictObject({
    amiIds: z
      .record(regionKey, z.string().regex(AMI_ID_PATTERN, { message: 'an AMI ID such as "ami-0123456789abcdef0"' }))
      .describe('AMI ID of the node image per Region, e.g. `{ "us-east-2": "ami-0123456789abcdef0" }`.'),
  }),
  z.strictObject({
    ssmParameter: z
      .string()
      .regex(/^\/[A-Za-z0-9_.\-/]+$/, { message: 'an SSM parameter name starting with "/"' })
      .describe('SSM parameter holding the AMI ID, e.g. `/aws/service/neuron/dlami/base/ubuntu-24.04/latest/image_id`.'),
    versions: z.record(regionKey, z.number().int().min(1)).describe('The parameter version to use, per Region (versions are numbered per Region).'),
  }),
]);

export const computeSchema = z.strictObject({
  dlami: z.enum(NEURON_DLAMI_PREFIXES).default('base/ubuntu-24.04').describe('Neuron DLAMI the nodes boot, as the part of its SSM parameter after `/aws/service/neuron/dlami/`.'),
  // 512 GiB: the Neuron guidance for a root volume of at least 512 GB that PEERS.md records (the
  // hpc-recipes trn1 template allows 500); 16,384 GiB is the gp3 volume maximum (EBS volume types).
  /**
   * The node image.
   * @default unset: every compute stack takes a required `NodeImageId` parameter
   * (`AWS::EC2::Image::Id`, no default), so the deployer pins an AMI at the first deployment and
   * `cdk deploy` keeps it until a new one is passed (docs/operations.md, "Pinned images").
   */
  image: imageSchema
    .optional()
    .describe(
      'The node image: `{ amiIds: { <region>: "ami-..." } }` or `{ ssmParameter, versions: { <region>: <version> } }`, with an entry for every Region of the sites; or `latest`, the DLAMI family\'s `latest` parameter, resolved again at every deployment (a replacement node can boot a newer Neuron SDK; rule RAIN-W702). `dlami` still names the image\'s family (its OS decides the root device). Default: unset, each compute stack takes a required deploy-time parameter `NodeImageId` (an AMI ID, no default): the deployer pins the image at the first deployment and `cdk deploy` keeps it until a new one is passed.',
    ),
  launchHookTimeoutSeconds: z
    .number()
    .int()
    .min(30)
    .max(7200)
    .optional()
    .describe(
      'Seconds a new node may take from launch to passing its self-check before its group abandons it (the launch lifecycle hook\'s heartbeat timeout; 30-7,200, the API\'s range). Default: the sum of the boot\'s step budgets in docs/operations.md (assumptions: AWS publishes no Trainium boot time).',
    ),
  rootVolumeGiB: z.number().int().min(8).max(16384).default(512).describe('Encrypted gp3 root volume per node, GiB. Default 512, the Neuron guidance for the DLAMI, its caches and containers.'),
  /**
   * IMDSv2 response hop limit (`MetadataOptions.HttpPutResponseHopLimit`). 1: only processes on the
   * node itself (and containers on the host network) get a token, so a container on a bridge network
   * cannot take the node role. 2: bridged containers can too, which AWS recommends "in a container
   * environment" (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-IMDS-new-instances.html).
   * @default 1 — a policy choice: the boot and the SSM and CloudWatch agents run on the host; a
   * container that needs AWS credentials gets its own (or runs on the host network) rather than
   * inheriting the node role.
   */
  imdsHopLimit: z.literal([1, 2]).default(1).describe('IMDSv2 hop limit, 1 or 2. 1 (default): only the node and host-network containers reach the instance metadata, so a bridged container cannot take the node role. 2: bridged containers can too (AWS recommends 2 for containers); choose it only if jobs need the node role from a bridged container.'),
});

export type ComputeConfig = z.output<typeof computeSchema>;
