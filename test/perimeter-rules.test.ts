import { App, Stack } from 'aws-cdk-lib';
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

  test('passes when the group records egress: nat, and for egress to a group or prefix list', () => {
    const s = stack();
    const v = vpc(s);
    const nat = new ec2.SecurityGroup(s, 'Nat', { vpc: v, allowAllOutbound: false });
    nat.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443));
    (nat.node.defaultChild as ec2.CfnSecurityGroup).cfnOptions.metadata = { [PERIMETER_METADATA]: { egress: 'nat' } };
    const closed = new ec2.SecurityGroup(s, 'Closed', { vpc: v, allowAllOutbound: false });
    closed.addEgressRule(ec2.Peer.prefixList('pl-0123abcd'), ec2.Port.tcp(443));
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
