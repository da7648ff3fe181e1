import { App, CfnParameter, Fn, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { PERIMETER_PACK, PERIMETER_RULES, RainierPerimeterChecks } from '../lib/perimeter/pack';
import { actionCovers } from '../lib/perimeter/rules/policy';
import { PERIMETER_METADATA } from '../lib/perimeter/rules/no-open-egress';
import { S3_PREFIX_LIST_PARAMETER } from '../lib/plan/deploy-parameters';
import { CDK_JSON_CONTEXT } from './support/synth';

/**
 * The perimeter rules (lib/perimeter) fail on a hand-made stack with each violation, as the
 * templates were before the perimeter (CDK defaults), and pass on the fixed shape. That they pass on
 * every preset is checked with the other packs in test/compliance.test.ts.
 */

function stack(): Stack {
  return new Stack(new App({ context: CDK_JSON_CONTEXT }), 'Bad', { env: { account: '111122223333', region: 'us-east-2' } });
}

function violations(s: Stack): string[] {
  const report = new RainierPerimeterChecks().validateScope(s);
  return report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} ${(r.constructPath ?? '').replace(/^Bad\//, '')}`)).sort();
}

const rule = (id: string) => `${PERIMETER_PACK}-${id}`;

test('the pack has the five rules of the perimeter', () => {
  expect(PERIMETER_RULES.map((r) => r.id)).toEqual(['EndpointHasPolicy', 'NoOpenEgress', 'KeyRootDoesNotUse', 'NoIdentityWritesToDatasets', 'ServiceGrantConditioned']);
});

describe('EndpointHasPolicy', () => {
  test('fails when an interface or gateway endpoint has no policy', () => {
    const s = stack();
    const vpc = new ec2.Vpc(s, 'Vpc', { natGateways: 0, maxAzs: 1, subnetConfiguration: [{ name: 'p', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }], restrictDefaultSecurityGroup: false });
    vpc.addInterfaceEndpoint('Kms', { service: ec2.InterfaceVpcEndpointAwsService.KMS });
    vpc.addGatewayEndpoint('S3', { service: ec2.GatewayVpcEndpointAwsService.S3 });
    expect(violations(s)).toEqual(expect.arrayContaining([`${rule('EndpointHasPolicy')} Vpc/Kms/Resource`, `${rule('EndpointHasPolicy')} Vpc/S3/Resource`]));
  });

  test('fails when a statement allows without a condition; passes with this account\'s principals only', () => {
    const s = stack();
    const vpc = new ec2.Vpc(s, 'Vpc', { natGateways: 0, maxAzs: 1, subnetConfiguration: [{ name: 'p', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }], restrictDefaultSecurityGroup: false });
    const open = vpc.addGatewayEndpoint('Open', { service: ec2.GatewayVpcEndpointAwsService.S3 });
    open.addToPolicy(new iam.PolicyStatement({ principals: [new iam.AnyPrincipal()], actions: ['s3:*'], resources: ['*'] }));
    const closed = vpc.addGatewayEndpoint('Closed', { service: ec2.GatewayVpcEndpointAwsService.DYNAMODB });
    closed.addToPolicy(new iam.PolicyStatement({ principals: [new iam.AnyPrincipal()], actions: ['*'], resources: ['*'], conditions: { StringEquals: { 'aws:PrincipalAccount': s.account } } }));
    expect(violations(s).filter((v) => v.includes('EndpointHasPolicy'))).toEqual([`${rule('EndpointHasPolicy')} Vpc/Open/Resource`]);
  });
});

describe('NoOpenEgress', () => {
  const vpc = (s: Stack) => new ec2.Vpc(s, 'Vpc', { natGateways: 0, maxAzs: 1, subnetConfiguration: [{ name: 'p', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }], restrictDefaultSecurityGroup: false });

  test.each([
    ['HTTPS to 0.0.0.0/0 (the cluster group before the perimeter)', (g: ec2.SecurityGroup) => g.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443)), 'Group/Resource'],
    [
      'a separate egress rule to ::/0',
      (g: ec2.SecurityGroup) => new ec2.CfnSecurityGroupEgress(g, 'Ipv6', { groupId: g.securityGroupId, ipProtocol: 'tcp', fromPort: 443, toPort: 443, cidrIpv6: '::/0' }),
      'Group/Ipv6',
    ],
  ] as const)('fails on %s without egress: nat', (_what, open, path) => {
    const s = stack();
    const group = new ec2.SecurityGroup(s, 'Group', { vpc: vpc(s), allowAllOutbound: false });
    open(group);
    expect(violations(s)).toContain(`${rule('NoOpenEgress')} ${path}`);
  });

  test('fails on allowAllOutbound (CDK\'s default)', () => {
    const s = stack();
    new ec2.SecurityGroup(s, 'Group', { vpc: vpc(s) });
    expect(violations(s)).toContain(`${rule('NoOpenEgress')} Group/Resource`);
  });

  test('passes when the group records egress: nat, and for egress to a group or the S3 prefix list parameter', () => {
    const s = stack();
    const v = vpc(s);
    const nat = new ec2.SecurityGroup(s, 'Nat', { vpc: v, allowAllOutbound: false });
    nat.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443));
    (nat.node.defaultChild as ec2.CfnSecurityGroup).cfnOptions.metadata = { [PERIMETER_METADATA]: { egress: 'nat' } };
    const closed = new ec2.SecurityGroup(s, 'Closed', { vpc: v, allowAllOutbound: false });
    closed.addEgressRule(ec2.Peer.prefixList(new CfnParameter(s, S3_PREFIX_LIST_PARAMETER, { type: 'String' }).valueAsString), ec2.Port.tcp(443));
    closed.addEgressRule(nat, ec2.Port.tcp(443));
    expect(violations(s).filter((x) => x.includes('NoOpenEgress'))).toEqual([]);
  });
});

describe('KeyRootDoesNotUse', () => {
  test('fails on CDK\'s default key policy (the account root with kms:*)', () => {
    const s = stack();
    new kms.Key(s, 'Key', { enableKeyRotation: true });
    expect(violations(s)).toContain(`${rule('KeyRootDoesNotUse')} Key/Resource`);
  });

  test.each([['kms:Decrypt'], ['kms:Decrypt*'], ['kms:*'], ['*']])('fails when the root is given %s', (action) => {
    const s = stack();
    const key = new kms.Key(s, 'Key', { policy: new iam.PolicyDocument() });
    key.addToResourcePolicy(new iam.PolicyStatement({ principals: [new iam.AccountRootPrincipal()], actions: [action], resources: ['*'] }));
    expect(violations(s)).toContain(`${rule('KeyRootDoesNotUse')} Key/Resource`);
  });

  test('passes when the root administers only', () => {
    const s = stack();
    const key = new kms.Key(s, 'Key', { policy: new iam.PolicyDocument() });
    key.addToResourcePolicy(new iam.PolicyStatement({ principals: [new iam.AccountRootPrincipal()], actions: ['kms:Describe*', 'kms:Put*', 'kms:Create*'], resources: ['*'] }));
    expect(violations(s).filter((x) => x.includes('KeyRootDoesNotUse'))).toEqual([]);
  });
});

describe('NoIdentityWritesToDatasets', () => {
  test.each([
    ['read/write as the node role had it', ['s3:GetObject', 's3:PutObject', 's3:DeleteObject']],
    ['a wildcard', ['s3:*']],
    ['a Put wildcard', ['s3:Put*']],
  ])('fails when a role may write the datasets bucket with %s', (_what, actions) => {
    const s = stack();
    const bucket = new s3.Bucket(s, 'DatasetsBucket');
    const role = new iam.Role(s, 'NodeRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    new iam.ManagedPolicy(s, 'Access', { roles: [role], statements: [new iam.PolicyStatement({ actions, resources: [bucket.arnForObjects('*')] })] });
    expect(violations(s)).toContain(`${rule('NoIdentityWritesToDatasets')} Access/Resource`);
  });

  test('passes for read-only datasets and writes to another bucket', () => {
    const s = stack();
    const datasets = new s3.Bucket(s, 'DatasetsBucket');
    const checkpoints = new s3.Bucket(s, 'CheckpointsBucket');
    const role = new iam.Role(s, 'NodeRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    new iam.ManagedPolicy(s, 'Access', {
      roles: [role],
      statements: [
        new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [datasets.arnForObjects('*')] }),
        new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [checkpoints.arnForObjects('train/*')] }),
      ],
    });
    expect(violations(s).filter((x) => x.includes('NoIdentityWritesToDatasets'))).toEqual([]);
  });
});

describe('ServiceGrantConditioned', () => {
  test('fails on the statement CDK\'s SnsTopic target adds for EventBridge (no source condition)', () => {
    const s = stack();
    const topic = new sns.Topic(s, 'Topic');
    new events.Rule(s, 'Rule', { eventPattern: { source: ['aws.ec2'] }, targets: [new targets.SnsTopic(topic)] });
    expect(violations(s)).toContain(`${rule('ServiceGrantConditioned')} Topic/Policy/Resource`);
  });

  test('fails on a key statement and a role trust for a service without a condition', () => {
    const s = stack();
    const key = new kms.Key(s, 'Key', { policy: new iam.PolicyDocument() });
    key.addToResourcePolicy(new iam.PolicyStatement({ principals: [new iam.ServicePrincipal('events.amazonaws.com')], actions: ['kms:Decrypt'], resources: ['*'] }));
    new iam.Role(s, 'FlowLogRole', { assumedBy: new iam.ServicePrincipal('vpc-flow-logs.amazonaws.com') });
    expect(violations(s)).toEqual(expect.arrayContaining([`${rule('ServiceGrantConditioned')} Key/Resource`, `${rule('ServiceGrantConditioned')} FlowLogRole/Resource`]));
  });

  test('passes with aws:SourceAccount and aws:SourceArn', () => {
    const s = stack();
    new iam.Role(s, 'FlowLogRole', {
      assumedBy: new iam.ServicePrincipal('vpc-flow-logs.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': s.account }, ArnLike: { 'aws:SourceArn': `arn:aws:ec2:us-east-2:${s.account}:vpc-flow-log/*` } },
      }),
    });
    expect(violations(s)).toEqual([]);
  });
});

test.each([
  ['kms:*', 'kms:Decrypt', true],
  ['kms:Decrypt*', 'kms:Decrypt', true],
  ['KMS:decrypt', 'kms:Decrypt', true],
  ['kms:Describe*', 'kms:Decrypt', false],
  ['s3:Put*', 's3:PutObject', true],
  ['s3:GetObject', 's3:PutObject', false],
])('action pattern %s covers %s: %s', (pattern, action, covers) => {
  expect(actionCovers(pattern, action)).toBe(covers);
});

/**
 * The hostile review's mutations (third wave): each is a way around a rule as first written, and
 * each rule must catch its whole family, not just the shape CDK's defaults produce.
 */
describe('rules catch the families, not only the first shape', () => {
  const isolatedVpc = (s: Stack) => new ec2.Vpc(s, 'Vpc', { natGateways: 0, maxAzs: 1, subnetConfiguration: [{ name: 'p', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }], restrictDefaultSecurityGroup: false });
  const account = { StringEquals: { 'aws:PrincipalAccount': '111122223333' } };

  test.each([
    ['a condition that is always true (StringLike "*")', { StringLike: { 'aws:PrincipalAccount': '*' } }],
    ['a condition that holds when the key is absent (...IfExists)', { StringEqualsIfExists: { 'aws:PrincipalAccount': '111122223333' } }],
    ['a condition on something else (aws:SecureTransport)', { Bool: { 'aws:SecureTransport': 'true' } }],
    ['a negated condition (StringNotEquals)', { StringNotEquals: { 'aws:PrincipalAccount': '444455556666' } }],
  ])('EndpointHasPolicy fails on an Allow to everyone with %s', (_what, conditions) => {
    const s = stack();
    const e = isolatedVpc(s).addInterfaceEndpoint('Kms', { service: ec2.InterfaceVpcEndpointAwsService.KMS });
    e.addToPolicy(new iam.PolicyStatement({ principals: [new iam.AnyPrincipal()], actions: ['*'], resources: ['*'], conditions }));
    expect(violations(s)).toContain(`${rule('EndpointHasPolicy')} Vpc/Kms/Resource`);
  });

  test.each([
    ['S3 gateway: s3:PutObject to any account\'s bucket', ec2.GatewayVpcEndpointAwsService.S3, ['s3:PutObject'], 'S3'],
    ['S3 gateway: s3:* (covers PutObject)', ec2.GatewayVpcEndpointAwsService.S3, ['s3:*'], 'S3'],
    ['ecr.api: a push to another account\'s registry', ec2.InterfaceVpcEndpointAwsService.ECR, ['ecr:*'], 'Ecr'],
    ['logs: events into another account\'s log group', ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS, ['logs:PutLogEvents'], 'Logs'],
  ] as const)('EndpointHasPolicy fails on %s (principal condition only, no aws:ResourceAccount)', (_what, service, actions, id) => {
    const s = stack();
    const v = isolatedVpc(s);
    const e = service instanceof ec2.GatewayVpcEndpointAwsService ? v.addGatewayEndpoint(id, { service }) : v.addInterfaceEndpoint(id, { service: service as ec2.InterfaceVpcEndpointAwsService });
    e.addToPolicy(new iam.PolicyStatement({ principals: [new iam.AnyPrincipal()], actions: [...actions], resources: ['*'], conditions: account }));
    expect(violations(s)).toContain(`${rule('EndpointHasPolicy')} Vpc/${id}/Resource`);
  });

  test('EndpointHasPolicy passes on S3 reads of AWS-owned buckets with the principal condition, and writes confined to this account', () => {
    const s = stack();
    const e = isolatedVpc(s).addGatewayEndpoint('S3', { service: ec2.GatewayVpcEndpointAwsService.S3 });
    e.addToPolicy(new iam.PolicyStatement({ principals: [new iam.AnyPrincipal()], actions: ['s3:*'], resources: ['*'], conditions: { StringEquals: { 'aws:PrincipalAccount': '111122223333', 'aws:ResourceAccount': '111122223333' } } }));
    e.addToPolicy(new iam.PolicyStatement({ principals: [new iam.AnyPrincipal()], actions: ['s3:GetObject'], resources: ['arn:aws:s3:::amazon-ssm-us-east-2/*'], conditions: account }));
    expect(violations(s).filter((v) => v.includes('EndpointHasPolicy'))).toEqual([]);
  });

  test.each([
    ['NotAction naming something else', { notActions: ['kms:ScheduleKeyDeletion'] }],
    ['a hidden wildcard kms:*crypt*', { actions: ['kms:*crypt*'] }],
    ['kms:ReEncrypt* (decrypts out of this key)', { actions: ['kms:ReEncrypt*'] }],
  ])('KeyRootDoesNotUse fails when the root is given %s', (_what, grant) => {
    const s = stack();
    const key = new kms.Key(s, 'Key', { policy: new iam.PolicyDocument() });
    key.addToResourcePolicy(new iam.PolicyStatement({ principals: [new iam.AccountRootPrincipal()], resources: ['*'], ...grant }));
    expect(violations(s)).toContain(`${rule('KeyRootDoesNotUse')} Key/Resource`);
  });

  test('KeyRootDoesNotUse fails on the root spelled as Fn::Sub', () => {
    const s = stack();
    const key = new kms.Key(s, 'Key', { policy: new iam.PolicyDocument() });
    key.addToResourcePolicy(new iam.PolicyStatement({ principals: [new iam.ArnPrincipal(Fn.sub('arn:${AWS::Partition}:iam::${AWS::AccountId}:root'))], actions: ['kms:Decrypt'], resources: ['*'] }));
    expect(violations(s)).toContain(`${rule('KeyRootDoesNotUse')} Key/Resource`);
  });

  test.each([
    ['no condition', true, undefined],
    ['only kms:CallerAccount (every principal of the account, as the root)', true, { StringEquals: { 'kms:CallerAccount': '111122223333' } }],
    ['a useless StringLike "*"', true, { StringLike: { 'aws:PrincipalArn': '*' } }],
    ['kms:ViaService (one service\'s use, as the FSx statement)', false, { StringEquals: { 'kms:CallerAccount': '111122223333', 'kms:ViaService': 's3.us-east-2.amazonaws.com' } }],
    ['a named principal ARN', false, { ArnEquals: { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:role/x' } }],
  ])('KeyRootDoesNotUse on kms:Decrypt for principal "*" with %s: fails %s', (_what, fails, conditions) => {
    const s = stack();
    const key = new kms.Key(s, 'Key', { policy: new iam.PolicyDocument() });
    key.addToResourcePolicy(new iam.PolicyStatement({ principals: [new iam.AnyPrincipal()], actions: ['kms:Decrypt'], resources: ['*'], conditions }));
    expect(violations(s).includes(`${rule('KeyRootDoesNotUse')} Key/Resource`)).toBe(fails);
  });

  test.each([
    ['NotAction', (arn: string) => ({ notActions: ['s3:GetObject'], resources: [arn] })],
    ['NotResource naming another bucket', (_arn: string) => ({ actions: ['s3:PutObject'], notResources: ['arn:aws:s3:::other/*'] })],
    ['a wildcard bucket ARN', (_arn: string) => ({ actions: ['s3:PutObject'], resources: ['arn:aws:s3:::*/*'] })],
    ['["*"] as a list', (_arn: string) => ({ actions: ['s3:DeleteObject'], resources: ['*'] })],
    ['a lifecycle rule that expires every object', (arn: string) => ({ actions: ['s3:PutLifecycleConfiguration'], resources: [arn] })],
  ])('NoIdentityWritesToDatasets fails on %s', (_what, grant) => {
    const s = stack();
    const bucket = new s3.Bucket(s, 'DatasetsBucket');
    const role = new iam.Role(s, 'NodeRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    new iam.ManagedPolicy(s, 'Access', { roles: [role], statements: [new iam.PolicyStatement(grant(bucket.bucketArn))] });
    expect(violations(s)).toContain(`${rule('NoIdentityWritesToDatasets')} Access/Resource`);
  });

  test.each([
    ['a useless StringLike "*"', { StringLike: { 'aws:SourceArn': '*' } }],
    ['aws:SourceAccount under ...IfExists', { StringEqualsIfExists: { 'aws:SourceAccount': '111122223333' } }],
    ['a condition on transport only', { Bool: { 'aws:SecureTransport': 'true' } }],
  ])('ServiceGrantConditioned fails on a service grant with %s', (_what, conditions) => {
    const s = stack();
    const topic = new sns.Topic(s, 'Topic');
    topic.addToResourcePolicy(new iam.PolicyStatement({ principals: [new iam.ServicePrincipal('events.amazonaws.com')], actions: ['sns:Publish'], resources: [topic.topicArn], conditions }));
    expect(violations(s)).toContain(`${rule('ServiceGrantConditioned')} Topic/Policy/Resource`);
  });

  test.each([
    ['::0/0', { cidrIpv6: '::0/0' }],
    ['0::/0', { cidrIpv6: '0::/0' }],
    ['a public IPv6 range', { cidrIpv6: '2600:1f00::/24' }],
    ['0.0.0.0/1 (half the internet)', { cidrIp: '0.0.0.0/1' }],
    ['10.0.0.0/0 (anywhere, odd spelling)', { cidrIp: '10.0.0.0/0' }],
    ['a public /32', { cidrIp: '198.51.100.7/32' }],
    ['a prefix list other than the S3 parameter', { destinationPrefixListId: 'pl-0123abcd' }],
  ])('NoOpenEgress fails on egress to %s without egress: nat', (_what, destination) => {
    const s = stack();
    const group = new ec2.SecurityGroup(s, 'Group', { vpc: isolatedVpc(s), allowAllOutbound: false });
    new ec2.CfnSecurityGroupEgress(group, 'Out', { groupId: group.securityGroupId, ipProtocol: 'tcp', fromPort: 443, toPort: 443, ...destination });
    expect(violations(s)).toContain(`${rule('NoOpenEgress')} Group/Out`);
  });

  test('NoOpenEgress fails on a group with no egress rule at all (EC2 then adds allow-all outbound)', () => {
    const s = stack();
    new ec2.CfnSecurityGroup(s, 'Bare', { groupDescription: 'no egress rule', vpcId: isolatedVpc(s).vpcId });
    expect(violations(s)).toContain(`${rule('NoOpenEgress')} Bare`);
  });

  test.each([['10.1.0.0/16'], ['172.31.0.0/16'], ['100.64.0.0/16']])('NoOpenEgress passes on egress to the private range %s', (cidrIp) => {
    const s = stack();
    const group = new ec2.SecurityGroup(s, 'Group', { vpc: isolatedVpc(s), allowAllOutbound: false });
    new ec2.CfnSecurityGroupEgress(group, 'Out', { groupId: group.securityGroupId, ipProtocol: 'tcp', fromPort: 443, toPort: 443, cidrIp });
    expect(violations(s).filter((v) => v.includes('NoOpenEgress'))).toEqual([]);
  });
});
