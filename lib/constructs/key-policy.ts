import { RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/** Who administers a key and who alone may delete it (lib/plan/perimeter.ts). */
export interface KeyAdministration {
  /** Administer, never use. The account root always does too (see retainedKey). */
  readonly keyAdministrators: readonly string[];
  /** Alone may schedule or cancel a key's deletion; none: deletion is denied to everyone. */
  readonly breakGlass: readonly string[];
}

export const NO_KEY_ADMINISTRATION: KeyAdministration = { keyAdministrators: [], breakGlass: [] };

/**
 * Key administration without use: the actions of AWS's "Allows key administrators to administer the
 * KMS key" statement (AWS KMS Developer Guide, "Default key policy",
 * https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html#key-policy-default-allow-administrators)
 * less kms:ScheduleKeyDeletion, which only break-glass roles have. None of them encrypts or decrypts;
 * CreateGrant is limited to grants for AWS resources by DenyGrantsExceptForAwsResources.
 */
export const KEY_ADMIN_ACTIONS = [
  'kms:Create*',
  'kms:Describe*',
  'kms:Enable*',
  'kms:List*',
  'kms:Put*',
  'kms:Update*',
  'kms:Revoke*',
  'kms:Disable*',
  'kms:Get*',
  'kms:Delete*',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:RotateKeyOnDemand',
] as const;

/** What only break-glass roles may do. */
export const KEY_DELETION_ACTIONS = ['kms:ScheduleKeyDeletion', 'kms:CancelKeyDeletion'] as const;

/**
 * A customer key as every key of this project is made: rotated yearly, retained when its stack is
 * deleted (what it encrypts outlives the stack), and a key policy that separates administration from
 * use. The key policy replaces CDK's default (the account root with `kms:*`):
 *
 * - The account root keeps the administrative actions only, never kms:Decrypt or kms:*. AWS's
 *   default key policy gives the root full access so that "the KMS key becomes unmanageable" can never
 *   happen and IAM policies can grant access ("Allows access to the AWS account and enables IAM
 *   policies", key-policy-default.html above); keeping the root on administration keeps that
 *   guarantee (no lock-out: IAM can always give an administrator, and CloudFormation's deployment
 *   role, kms:PutKeyPolicy) while IAM policies can no longer grant use. Every use is named in the
 *   key policy by its caller (services with source conditions, node roles by tag through S3).
 * - Configured `keyAdministrators` get the same administrative actions directly.
 * - kms:ScheduleKeyDeletion is denied to everyone but the configured break-glass roles (none by
 *   default, so no key can be deleted until one is named).
 * - kms:CreateGrant only for AWS resources (Control Tower CT.KMS.PR.3, below).
 *
 * An administrator can still rewrite the key policy (kms:PutKeyPolicy); that is administration, and
 * CloudTrail records it. The KMS guide warns that a key policy must always let some principal manage
 * the key (key-policy-default.html, "Allows access to the AWS account and enables IAM policies").
 */
export interface RetainedKeyOptions {
  /**
   * Deny kms:CreateGrant except for AWS resources or AWS services (limitGrantsToAwsServices). Off
   * only for a key whose documented use cannot pass that condition: an EKS cluster's secrets key,
   * whose CreateCluster call does not support kms:GrantIsForAWSResource (lib/constructs/eks-cluster.ts).
   * @default true
   */
  readonly limitGrantsToAwsServices?: boolean;
}

export function retainedKey(
  scope: Construct,
  id: string,
  description: string,
  administration: KeyAdministration = NO_KEY_ADMINISTRATION,
  options: RetainedKeyOptions = {},
): kms.Key {
  const key = new kms.Key(scope, id, {
    description,
    enableKeyRotation: true,
    removalPolicy: RemovalPolicy.RETAIN,
    // Given, so CDK adds no `kms:*` statement for the account root.
    policy: new iam.PolicyDocument(),
  });
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AccountAdministersNeverUses',
      principals: [new iam.AccountRootPrincipal()],
      actions: [...KEY_ADMIN_ACTIONS],
      resources: ['*'],
    }),
  );
  if (administration.keyAdministrators.length > 0) {
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'KeyAdministratorsAdministerNeverUse',
        principals: administration.keyAdministrators.map((arn) => new iam.ArnPrincipal(arn)),
        actions: [...KEY_ADMIN_ACTIONS],
        resources: ['*'],
      }),
    );
  }
  if (administration.breakGlass.length > 0) {
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'BreakGlassMayDelete',
        principals: administration.breakGlass.map((arn) => new iam.ArnPrincipal(arn)),
        actions: [...KEY_DELETION_ACTIONS],
        resources: ['*'],
      }),
    );
  }
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'DenyDeletionExceptBreakGlass',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['kms:ScheduleKeyDeletion'],
      resources: ['*'],
      conditions: administration.breakGlass.length > 0 ? { ArnNotLike: { 'aws:PrincipalArn': [...administration.breakGlass] } } : undefined,
    }),
  );
  if (options.limitGrantsToAwsServices ?? true) {
    limitGrantsToAwsServices(key);
  }
  return key;
}

/**
 * Denies `kms:CreateGrant` on the key to every caller unless the grant is for an AWS resource or
 * the caller is an AWS service (Control Tower CT.KMS.PR.3). The services that use this project's
 * keys create their grants that way: EBS for encrypted root volumes launched by Auto Scaling
 * (whose own statement already requires `kms:GrantIsForAWSResource`), FSx for the file system;
 * CloudWatch Logs, SNS and S3 bucket keys use no grants. Nobody else needs to delegate a key.
 */
export function limitGrantsToAwsServices(key: kms.Key): void {
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'DenyGrantsExceptForAwsResources',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['kms:CreateGrant'],
      resources: ['*'],
      conditions: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
    }),
  );
}
