import { Match } from 'aws-cdk-lib/assertions';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { INTERFACE_ENDPOINTS } from '../lib/plan/network';
import { synthCluster } from './support/synth';

function configFile(yaml: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rainier-net-'));
  const file = path.join(dir, 'cluster.yaml');
  fs.writeFileSync(file, yaml);
  return file;
}

describe('site network (default preset)', () => {
  const built = synthCluster();
  const t = built.template('rainier-ohio-network');

  test('one VPC with the site CIDR, every subnet in the site AZ and none public', () => {
    t.resourceCountIs('AWS::EC2::VPC', 1);
    t.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '10.0.0.0/16' });
    const subnets = Object.values(t.findResources('AWS::EC2::Subnet'));
    expect(subnets).toHaveLength(2);
    for (const s of subnets) {
      expect(s.Properties.AvailabilityZone).toBe('us-east-2a');
      expect(s.Properties.MapPublicIpOnLaunch).toBe(false);
    }
  });

  test('no internet gateway and no NAT gateway when egress is none', () => {
    t.resourceCountIs('AWS::EC2::InternetGateway', 0);
    t.resourceCountIs('AWS::EC2::NatGateway', 0);
  });

  test('VPC endpoints for S3 (gateway) and every AWS service nodes call', () => {
    t.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Gateway',
      ServiceName: Match.objectLike({ 'Fn::Join': Match.arrayWith([Match.arrayWith(['.s3'])]) }),
    });
    const interfaces = Object.values(t.findResources('AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Interface' } }));
    expect(interfaces).toHaveLength(INTERFACE_ENDPOINTS.length);
    for (const e of interfaces) {
      expect(e.Properties.PrivateDnsEnabled).toBe(true);
    }
  });

  test('flow logs record all traffic to a log group encrypted with a retained customer key', () => {
    t.hasResourceProperties('AWS::EC2::FlowLog', { TrafficType: 'ALL', LogDestinationType: 'cloud-watch-logs' });
    t.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: Match.anyValue(), RetentionInDays: 365 });
    t.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain', Properties: Match.objectLike({ EnableKeyRotation: true }) });
  });

  test('the node log groups exist here, before any node boots, with retention and the retained logs key', () => {
    const [keyId] = Object.keys(t.findResources('AWS::KMS::Key'));
    for (const name of ['/rainier/ohio/nodes/system', '/rainier/ohio/nodes/neuron']) {
      t.hasResource('AWS::Logs::LogGroup', {
        DeletionPolicy: 'Retain',
        Properties: { LogGroupName: name, RetentionInDays: 365, KmsKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } },
      });
    }
    // Every compute stack deploys after this stack.
    for (const id of built.stackIds().filter((s) => !/-(network|storage|monitoring)$/.test(s))) {
      expect((built.app.node.findChild(id) as any).dependencies.map((d: any) => d.node.id)).toContain('rainier-ohio-network');
    }
  });

  test('the cluster security group allows all traffic to and from itself and nothing else in', () => {
    const groups = t.findResources('AWS::EC2::SecurityGroup', {
      Properties: { GroupDescription: Match.stringLikeRegexp('^Trainium nodes') },
    });
    const [id] = Object.keys(groups);
    const ingress = Object.values(t.findResources('AWS::EC2::SecurityGroupIngress')).filter(
      (r) => JSON.stringify(r.Properties.GroupId) === JSON.stringify({ 'Fn::GetAtt': [id, 'GroupId'] }),
    );
    expect(ingress.map((r) => r.Properties)).toEqual([
      expect.objectContaining({ IpProtocol: '-1', SourceSecurityGroupId: { 'Fn::GetAtt': [id, 'GroupId'] } }),
    ]);
    expect(groups[id].Properties.SecurityGroupEgress).toBeUndefined();
  });

  test('nodes open connections only to themselves, the interface endpoints and the S3 prefix list (HTTPS), never 0.0.0.0/0', () => {
    const groups = t.findResources('AWS::EC2::SecurityGroup', { Properties: { GroupDescription: Match.stringLikeRegexp('^Trainium nodes') } });
    const [id] = Object.keys(groups);
    const [endpointGroup] = Object.keys(t.findResources('AWS::EC2::SecurityGroup', { Properties: { GroupDescription: Match.stringLikeRegexp('^VPC interface endpoints') } }));
    const egress = Object.values(t.findResources('AWS::EC2::SecurityGroupEgress'))
      .map((r) => r.Properties)
      .filter((p) => JSON.stringify(p.GroupId) === JSON.stringify({ 'Fn::GetAtt': [id, 'GroupId'] }));
    expect(egress).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ IpProtocol: '-1', DestinationSecurityGroupId: { 'Fn::GetAtt': [id, 'GroupId'] } }),
        expect.objectContaining({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, DestinationSecurityGroupId: { 'Fn::GetAtt': [endpointGroup, 'GroupId'] } }),
        expect.objectContaining({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, DestinationPrefixListId: { Ref: 'S3PrefixListId' } }),
      ]),
    );
    expect(egress).toHaveLength(3);
    expect(JSON.stringify(t.toJSON())).not.toContain('0.0.0.0/0');
  });

  test('every VPC endpoint has a policy limited to this account\'s principals', () => {
    const endpoints = Object.values(t.findResources('AWS::EC2::VPCEndpoint'));
    expect(endpoints).toHaveLength(INTERFACE_ENDPOINTS.length + 1);
    for (const endpoint of endpoints) {
      const statements = endpoint.Properties.PolicyDocument.Statement as { Condition: Record<string, Record<string, unknown>> }[];
      for (const statement of statements) {
        expect(statement.Condition.StringEquals['aws:PrincipalAccount']).toEqual({ Ref: 'AWS::AccountId' });
      }
    }
  });

  test('the S3 gateway endpoint reaches this account\'s buckets and reads only the named AWS-owned buckets', () => {
    const s3 = Object.values(t.findResources('AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Gateway' } }))[0];
    const [own, awsOwned] = s3.Properties.PolicyDocument.Statement;
    expect(own.Condition.StringEquals['aws:ResourceAccount']).toEqual({ Ref: 'AWS::AccountId' });
    expect(awsOwned.Action).toBe('s3:GetObject');
    expect(JSON.stringify(awsOwned.Resource)).toContain('prod-us-east-2-starport-layer-bucket/*');
  });

  test('the default security group is closed (CDK restrictDefaultSecurityGroup)', () => {
    t.resourceCountIs('Custom::VpcRestrictDefaultSG', 1);
  });

  test('the flow-log role can be assumed only for this account\'s flow logs', () => {
    t.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: { Service: 'vpc-flow-logs.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } }, ArnLike: { 'aws:SourceArn': Match.anyValue() } },
          }),
        ],
      },
    });
  });

  test('the endpoints accept HTTPS from the cluster security group only', () => {
    t.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      IpProtocol: 'tcp',
      FromPort: 443,
      ToPort: 443,
      SourceSecurityGroupId: Match.anyValue(),
    });
  });
});

describe('network variants', () => {
  test('egress nat adds a public /28 holding only the NAT gateway, nodes still private', () => {
    const built = synthCluster({ configPath: configFile('sites:\n  ohio:\n    egress: nat\n') });
    const t = built.template('rainier-ohio-network');
    t.resourceCountIs('AWS::EC2::NatGateway', 1);
    t.resourceCountIs('AWS::EC2::InternetGateway', 1);
    t.hasResourceProperties('AWS::EC2::Subnet', { CidrBlock: Match.stringLikeRegexp('/28$'), MapPublicIpOnLaunch: false });
    // What widens: nodes may open HTTPS to any IPv4 address, and the group says the configuration chose it.
    t.hasResource('AWS::EC2::SecurityGroup', {
      Metadata: { 'rainier:perimeter': { egress: 'nat' } },
      Properties: { SecurityGroupEgress: [Match.objectLike({ CidrIp: '0.0.0.0/0', FromPort: 443, ToPort: 443 })] },
    });
  });

  test('no security group anywhere accepts traffic from the internet', () => {
    for (const preset of ['rainier-mini', 'trn1-small']) {
      const built = synthCluster({ preset });
      for (const id of built.stackIds()) {
        const ingressRules = [
          ...Object.values(built.template(id).findResources('AWS::EC2::SecurityGroupIngress')).map((r) => r.Properties),
          ...Object.values(built.template(id).findResources('AWS::EC2::SecurityGroup')).flatMap((r) => r.Properties.SecurityGroupIngress ?? []),
        ];
        expect({ id, ingressFromWorld: ingressRules.filter((r: Record<string, unknown>) => r.CidrIp === '0.0.0.0/0' || r.CidrIpv6 === '::/0') }).toEqual({
          id,
          ingressFromWorld: [],
        });
      }
    }
  });
});
