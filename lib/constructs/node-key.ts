import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { KeyAdministration, retainedKey } from './key-policy';

/**
 * The customer key of a pool's nodes: it encrypts their root volumes and the pool's fleet-event
 * topic. Retained on delete, rotated yearly.
 *
 * Auto Scaling launches the nodes with its service-linked role, which must be able to use the key
 * or every launch with an encrypted volume fails
 * (https://docs.aws.amazon.com/autoscaling/ec2/userguide/key-policy-requirements-EBS-encryption.html).
 * The role exists only after the account's first Auto Scaling group, and a key policy naming a
 * principal that does not exist is rejected, so the statement names it by `aws:PrincipalArn`
 * (any principal, narrowed to that role in this account).
 */
export class NodeKey extends Construct {
  public readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: { readonly description: string; readonly administration?: KeyAdministration }) {
    super(scope, id);
    const stack = Stack.of(this);
    this.key = retainedKey(this, 'Resource', props.description, props.administration);
    // No kms:ViaService narrowing: AWS's documented policy for the role has none, and the role also
    // calls the key directly (DescribeKey) when launching, which a ViaService condition would deny.
    const conditions = {
      StringEquals: { 'kms:CallerAccount': stack.account },
      ArnEquals: {
        'aws:PrincipalArn': `arn:${stack.partition}:iam::${stack.account}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`,
      },
    };
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AutoScalingServiceLinkedRoleUse',
        principals: [new iam.AnyPrincipal()],
        actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
        resources: ['*'],
        conditions,
      }),
    );
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AutoScalingServiceLinkedRoleGrants',
        principals: [new iam.AnyPrincipal()],
        actions: ['kms:CreateGrant'],
        resources: ['*'],
        conditions: { ...conditions, Bool: { 'kms:GrantIsForAWSResource': true } },
      }),
    );
  }
}
