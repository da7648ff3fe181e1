import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AWS_OWNED_BUCKET_ACTIONS, EndpointResourceScope } from '../plan/network';

/**
 * VPC endpoint policies of the data perimeter, shaped after AWS's data perimeter examples
 * (https://github.com/aws-samples/data-perimeter-policy-examples/tree/main/vpc_endpoint_policies;
 * AWS whitepaper "Building a data perimeter on AWS",
 * https://docs.aws.amazon.com/whitepapers/latest/building-a-data-perimeter-on-aws/perimeter-implementation.html),
 * with this account in place of an organization: only this account's principals can use an endpoint
 * (`aws:PrincipalAccount`), and only on this account's resources (`aws:ResourceAccount`) unless the
 * plan names more. Gateway endpoints take `Principal: *` with conditions; a named principal is not
 * supported there (AWS PrivateLink Guide, "Control access to VPC endpoints using endpoint policies",
 * https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html).
 */
export function interfaceEndpointStatements(scope: ec2.InterfaceVpcEndpoint, resources: EndpointResourceScope, imageRegistryAccounts: readonly string[]): iam.PolicyStatement[] {
  const stack = Stack.of(scope);
  const principalAccount = { 'aws:PrincipalAccount': stack.account };
  const statements = [
    new iam.PolicyStatement({
      sid: resources === 'any' ? 'ThisAccountsPrincipals' : 'ThisAccountsPrincipalsOnThisAccountsResources',
      principals: [new iam.AnyPrincipal()],
      actions: ['*'],
      resources: ['*'],
      conditions: { StringEquals: resources === 'any' ? principalAccount : { ...principalAccount, 'aws:ResourceAccount': stack.account } },
    }),
  ];
  if (resources === 'aws-owned-ssm') {
    // Session Manager and the agent read AWS-owned documents and public parameters (data perimeter
    // example ssm_endpoint_policy.json); read actions only.
    statements.push(
      new iam.PolicyStatement({
        sid: 'ThisAccountsPrincipalsReadAwsOwnedSsmDocuments',
        principals: [new iam.AnyPrincipal()],
        actions: ['ssm:Describe*', 'ssm:List*', 'ssm:Get*'],
        resources: [
          `arn:${stack.partition}:ssm:${stack.region}::document/*`,
          `arn:${stack.partition}:ssm:${stack.region}::parameter/aws/*`,
        ],
        conditions: { StringEquals: principalAccount },
      }),
    );
  }
  if (resources === 'image-registries' && imageRegistryAccounts.length > 0) {
    statements.push(
      new iam.PolicyStatement({
        sid: 'ThisAccountsPrincipalsPullFromNamedRegistries',
        principals: [new iam.AnyPrincipal()],
        actions: ['ecr:GetAuthorizationToken', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability', 'ecr:DescribeImages', 'ecr:DescribeRepositories'],
        resources: ['*'],
        conditions: { StringEquals: { ...principalAccount, 'aws:ResourceAccount': [...imageRegistryAccounts] } },
      }),
    );
  }
  return statements;
}

/**
 * The S3 gateway endpoint: this account's principals on this account's buckets (the cluster's
 * buckets live in the storage stack, which deploys after this one, so they are reached by account,
 * not by name), and read-only on the named AWS-owned buckets nodes need (lib/plan/network.ts
 * AWS_OWNED_BUCKETS, each with its source).
 */
export function s3GatewayEndpointStatements(scope: ec2.GatewayVpcEndpoint, awsOwnedBuckets: readonly string[]): iam.PolicyStatement[] {
  const stack = Stack.of(scope);
  const principalAccount = { 'aws:PrincipalAccount': stack.account };
  return [
    new iam.PolicyStatement({
      sid: 'ThisAccountsPrincipalsOnThisAccountsBuckets',
      principals: [new iam.AnyPrincipal()],
      actions: ['s3:*'],
      resources: ['*'],
      conditions: { StringEquals: { ...principalAccount, 'aws:ResourceAccount': stack.account } },
    }),
    new iam.PolicyStatement({
      sid: 'ThisAccountsPrincipalsReadAwsOwnedBuckets',
      principals: [new iam.AnyPrincipal()],
      actions: [...AWS_OWNED_BUCKET_ACTIONS],
      resources: awsOwnedBuckets.map((b) => `arn:${stack.partition}:s3:::${b}/*`),
      conditions: { StringEquals: principalAccount },
    }),
  ];
}
