import { z } from 'zod';
import { resourceName } from './common';

/**
 * The data perimeter and who administers it (docs/security.md). Every list names IAM principals by
 * ARN. They are written into key and bucket policies, which AWS rejects when a named principal does
 * not exist, so only principals that already exist belong here.
 */

/**
 * An IAM role or user ARN in a partition AWS has: an optional path (`/` separated) and a name of 1-64
 * characters (IAM User Guide, "IAM object quotas" and "IAM identifiers",
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html). KMS and S3 refuse a
 * policy naming a principal that cannot exist, so a malformed ARN would fail the deployment.
 */
export const IAM_PRINCIPAL_ARN_PATTERN = /^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-[a-f]|aws-eusc):iam::\d{12}:(role|user)\/([\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;

const principalArn = z
  .string()
  .regex(IAM_PRINCIPAL_ARN_PATTERN, { message: 'an IAM role or user ARN such as "arn:aws:iam::111122223333:role/KeyAdmins"' });

const principalList = z
  .array(principalArn)
  .max(20)
  .refine((list) => new Set(list).size === list.length, { message: 'each ARN once' });

/** A 12-digit AWS account ID. */
const accountId = z.string().regex(/^\d{12}$/, { message: 'a 12-digit AWS account ID' });

export const perimeterSchema = z.strictObject({
  /**
   * Principals that administer the customer keys (create grants for AWS services aside: describe,
   * enable, disable, rotate, tag, change the key policy). None of them can decrypt.
   * @default [] — the account root administers the keys (no decrypt, no deletion), as AWS's default
   * key policy does, so the account can never lock itself out of a key.
   */
  keyAdministrators: principalList
    .default([])
    .describe(
      'IAM roles or users that administer the customer keys (describe, enable/disable, rotation, tags, key policy), never decrypt. Default: the account root, for administration only, so the account cannot lose control of a key.',
    ),
  /**
   * The only principals that may schedule a key's deletion (and cancel one). Deleting a data key
   * destroys every object and backup it encrypts.
   * @default [] — nobody: `kms:ScheduleKeyDeletion` is denied to every principal.
   */
  breakGlass: principalList
    .default([])
    .describe(
      'IAM roles that alone may schedule (or cancel) the deletion of a customer key. Default: none, so every key deletion is denied until a break-glass role is named here.',
    ),
  /**
   * Principals that may read and write the datasets and checkpoints buckets from outside the site VPC
   * (the console, a workstation, a pipeline). Everything else reaches them only from the site VPC.
   * @default [] — only the nodes (through the VPC) and the FSx service.
   */
  dataAdministrators: principalList
    .default([])
    .describe(
      'IAM roles or users exempt from the buckets\' VPC-only rule (they may use the buckets from outside the site VPC). Their own IAM policies still decide what they can do. Default: none.',
    ),
  /**
   * Principals that write training data into the datasets buckets. No node can: nodes read datasets only.
   * @default [] — nobody can write datasets until one is named.
   */
  datasetIngestion: principalList
    .default([])
    .describe(
      'IAM roles or users that alone may write and delete objects in the datasets buckets (from anywhere; nodes only read). Default: none, so datasets stay read-only until an ingestion role is named.',
    ),
  /**
   * Which other pools' checkpoints a pool may read, by site: `{ ohio: { dev: ['train'] } }` lets the
   * pool `dev` of site `ohio` read (never write) the checkpoints of `train`. Each pool writes only
   * under its own prefix (`<pool>/`).
   * @default {} — each pool reads and writes only its own checkpoints.
   */
  checkpointReads: z
    .record(resourceName, z.record(resourceName, z.array(resourceName).max(50)))
    .default({})
    .describe(
      'Per site, per pool: the other pools whose checkpoints it may read (never write), e.g. `{"ohio": {"dev": ["train"]}}`. Each pool writes only under its own `<pool>/` prefix. Default: none.',
    ),
  /**
   * ECR registries (account IDs) other than this account that nodes may pull images from through
   * the ECR endpoints, e.g. the account of AWS Deep Learning Containers for Neuron in your Region.
   * @default [] — this account's registries only.
   */
  imageRegistryAccounts: z
    .array(accountId)
    .max(20)
    .default([])
    .describe('Account IDs of other ECR registries nodes may pull from through the VPC endpoints (e.g. AWS Deep Learning Containers). Default: this account only.'),
});

export type PerimeterConfig = z.output<typeof perimeterSchema>;
