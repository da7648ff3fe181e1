import { RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/**
 * A customer key as every key of this project is made: rotated yearly, retained when its stack is
 * deleted (what it encrypts outlives the stack), and grants limited to AWS services.
 */
export function retainedKey(scope: Construct, id: string, description: string): kms.Key {
  const key = new kms.Key(scope, id, { description, enableKeyRotation: true, removalPolicy: RemovalPolicy.RETAIN });
  limitGrantsToAwsServices(key);
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
