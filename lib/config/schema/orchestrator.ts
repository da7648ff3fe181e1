import { z } from 'zod';
import { ACCESS_POLICY_NAMES, KUBERNETES_VERSION } from '../../catalog/kubernetes';

/**
 * The scheduler on the nodes (docs/scheduler.md): `none`, or Amazon EKS with one cluster per EFA
 * fabric whose nodes are the plan's nodes (self-managed, joined from the existing Auto Scaling
 * groups after their boot self-check). Written as `none`, `eks`, or an object for the details.
 */

export enum OrchestratorEngine {
  NONE = 'none',
  EKS = 'eks',
}

/** One access entry: who may use the cluster's Kubernetes API, and how much. */
export const accessEntrySchema = z.strictObject({
  principal: z
    .string()
    .min(1)
    .max(2048)
    .describe(
      'An IAM role: its name in this account (e.g. `TrainingAdmins`), only for a role without a path, as the name becomes `arn:<partition>:iam::<account>:role/<name>`; or its full ARN, path included (`arn:aws:iam::111122223333:role/path/TrainingAdmins`). ' +
        'An access entry names the ARN of one existing principal (Amazon EKS User Guide, Create access entries). Never the account root, a user, or a wildcard; each role once (rule RAIN-E802).',
    ),
  policy: z
    .enum(ACCESS_POLICY_NAMES)
    .describe(
      '`admin` (AmazonEKSClusterAdminPolicy, the whole cluster), `edit` (AmazonEKSEditPolicy) or `view` (AmazonEKSViewPolicy), the last two scoped to the job namespace `rainier-jobs`.',
    ),
});

const eksSchema = z.strictObject({
  engine: z.literal(OrchestratorEngine.EKS).describe('The engine: `eks` (Amazon EKS).'),
  kubernetesVersion: z
    .string()
    .regex(/^1\.\d{1,2}$/, { message: 'a Kubernetes minor version such as "1.33"' })
    .default(KUBERNETES_VERSION)
    .describe(`Kubernetes minor version of every EKS cluster. Default ${KUBERNETES_VERSION}, the version the job manifests are written and checked for (rule RAIN-E803).`),
  controlPlaneZone: z
    .string()
    .regex(/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d[a-z]$/, { message: 'an Availability Zone name such as "us-east-2b"' })
    .optional()
    .describe(
      "The second Availability Zone of every EKS cluster's control-plane subnets (EKS needs subnets in two zones; the first is the fabric's own). Must be in the fabric's Region and not the fabric's zone (rule RAIN-E804). Default: per fabric, the Region's zone `a`, or `b` for a fabric in `a`.",
    ),
  podAddressesPerNode: z
    .number()
    .int()
    .min(1)
    // 64: a bound on this input set by this app, not a documented VPC CNI or EC2 limit; what the
    // node subnet can hold is rule RAIN-W807's check.
    .max(64)
    .default(3)
    .describe(
      'VPC addresses each node holds for pods, from its subnet: the VPC CNI keeps MINIMUM_IP_TARGET addresses per node and WARM_IP_TARGET 1 spare (aws/amazon-vpc-cni-k8s docs/eni-and-ip-target.md), instead of its default of a whole spare interface. ' +
        'Default 3, an ASSUMPTION: per node one training pod and the Neuron device plugin (the EFA plugin and the node agents use the host network), plus the spare; raise it for more pods per node. The node subnet must hold them (rule RAIN-W807).',
    ),
  access: z
    .array(accessEntrySchema)
    // An empty list would silently mean the default (the ClusterAdminRoleArn parameter), not "nobody".
    .max(20)
    .refine((entries) => entries.length > 0, {
      message: 'at least one entry, or no access field at all (each orchestrator stack then takes the ClusterAdminRoleArn parameter naming the admin role)',
    })
    .optional()
    .describe(
      'Access entries of every EKS cluster: named IAM roles and their access policy, never the whole account; 1 to 20 entries (20: a limit of this app, not an EKS quota). ' +
        'Default: none configured, so each orchestrator stack takes a required deploy-time parameter `ClusterAdminRoleArn` naming the one admin role. ' +
        'Each entry is keyed by its principal, so entries can be added, removed and reordered freely; moving one role between `ClusterAdminRoleArn` and this list in one deployment fails (EKS keeps one entry per principal); `npm run diff` cannot see it, as the value of the parameter is not in the configuration: take the role out in one deployment and add it in the next (docs/deploy.md).',
    ),
});

export const orchestratorSchema = z
  .union([z.literal(OrchestratorEngine.NONE), z.literal(OrchestratorEngine.EKS), eksSchema])
  .default(OrchestratorEngine.NONE)
  .transform((o): OrchestratorConfig => {
    if (o === OrchestratorEngine.NONE) {
      return { engine: OrchestratorEngine.NONE };
    }
    if (o === OrchestratorEngine.EKS) {
      return eksSchema.parse({ engine: OrchestratorEngine.EKS });
    }
    return o;
  });

export type AccessEntryConfig = z.output<typeof accessEntrySchema>;
export type EksOrchestratorConfig = z.output<typeof eksSchema>;
/** The orchestrator with every default filled: `{ engine: 'none' }` or the EKS object. */
export type OrchestratorConfig = { readonly engine: OrchestratorEngine.NONE } | EksOrchestratorConfig;
