import { Match, Template } from 'aws-cdk-lib/assertions';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { RESERVATION_IDS_PER_PARAMETER, RESERVATION_ID_ALLOWED_PATTERN } from '../lib/plan/compute';
import { NODE_GROUPS_PER_SHARD } from '../lib/plan/sharding';
import { nagViolations } from './support/nag';
import { synthCluster } from './support/synth';
import { bootScriptOf } from './support/user-data';

function configFile(yaml: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rainier-compute-'));
  const file = path.join(dir, 'cluster.yaml');
  fs.writeFileSync(file, yaml);
  return file;
}

type Resource = { Type: string; Properties: Record<string, any> };

function only(t: Template, type: string): Resource {
  const found = Object.values(t.findResources(type)) as Resource[];
  expect(found).toHaveLength(1);
  return found[0];
}

function launchData(t: Template): Record<string, any> {
  return only(t, 'AWS::EC2::LaunchTemplate').Properties.LaunchTemplateData;
}

// The default preset: an UltraServer Capacity Block pool (train, 2 UltraServers, IDs from a
// parameter) and an On-Demand Capacity Reservation pool (dev, 2 x trn2.48xlarge).
const mini = synthCluster();
const train = mini.template('rainier-ohio-train');
const dev = mini.template('rainier-ohio-dev');

// Every other kind of pool, in one site.
const variants = synthCluster({
  preset: 'single-node',
  configPath: configFile(`
sites:
  ohio:
    pools:
      dev: null
      blocks:
        kind: capacity-block
        instanceType: trn2.48xlarge
        nodes: 2
      oldblocks:
        kind: capacity-block
        instanceType: trn1.32xlarge
        nodes: 4
        reservationId: cr-0123456789abcdef0
      bought:
        kind: ultraserver-capacity-block
        instanceType: trn2u.48xlarge
        ultraServers: 1
        reservedUltraServers: 2
        reservationIds: [cr-00000000000000001, cr-00000000000000002]
      loose:
        kind: on-demand-capacity-reservation
        instanceType: trn2.48xlarge
        nodes: 1
        placementGroup: false
        endDate: '2027-01-01T00:00:00Z'
      small:
        kind: on-demand-capacity-reservation
        instanceType: trn2.3xlarge
        nodes: 1
`),
});
const blocks = variants.template('rainier-ohio-blocks');
const oldBlocks = variants.template('rainier-ohio-oldblocks');
const bought = variants.template('rainier-ohio-bought');
const loose = variants.template('rainier-ohio-loose');
const small = variants.template('rainier-ohio-small');

const ALL: [string, Template][] = [
  ['UltraServer block pool, IDs from a parameter', train],
  ['On-Demand Capacity Reservation pool', dev],
  ['instance Capacity Block pool, ID from a parameter', blocks],
  ['trn1 Capacity Block pool, ID given', oldBlocks],
  ['UltraServer block pool, IDs given', bought],
  ['ODCR pool without placement group', loose],
  ['trn2.3xlarge pool (no EFA)', small],
];

describe('launch template network interfaces', () => {
  test.each([
    ['trn2u.48xlarge', train, 16],
    ['trn2.48xlarge', dev, 16],
    ['trn1.32xlarge', oldBlocks, 8],
  ])('%s: one ENA primary plus one efa-only interface per network card', (_type, t, cards) => {
    const nics = launchData(t).NetworkInterfaces as Record<string, any>[];
    expect(nics).toHaveLength(cards + 1);
    expect(nics[0]).toMatchObject({ NetworkCardIndex: 0, DeviceIndex: 0, InterfaceType: 'interface' });
    expect(nics[1]).toMatchObject({ NetworkCardIndex: 0, DeviceIndex: 1, InterfaceType: 'efa-only' });
    const efaCards = nics.filter((n) => n.InterfaceType === 'efa-only').map((n) => n.NetworkCardIndex);
    expect(efaCards).toEqual(Array.from({ length: cards }, (_, i) => i));
    for (const nic of nics.slice(2)) {
      expect(nic.DeviceIndex).toBe(0);
    }
  });

  test('an instance without EFA gets only its primary interface', () => {
    const nics = launchData(small).NetworkInterfaces as Record<string, any>[];
    expect(nics).toEqual([expect.objectContaining({ NetworkCardIndex: 0, DeviceIndex: 0, InterfaceType: 'interface' })]);
  });

  test.each(ALL)('%s: security groups sit on every interface, none at the top level', (_name, t) => {
    const data = launchData(t);
    expect(data.SecurityGroupIds).toBeUndefined();
    expect(data.SecurityGroups).toBeUndefined();
    for (const nic of data.NetworkInterfaces) {
      expect(nic.Groups).toEqual(
        expect.arrayContaining([{ 'Fn::ImportValue': expect.stringMatching(/ClusterSecurityGroup.*GroupId/) }]),
      );
    }
  });

  test.each(ALL)('%s: no public IP on the primary interface', (_name, t) => {
    const nics = launchData(t).NetworkInterfaces as Record<string, any>[];
    expect(nics[0].AssociatePublicIpAddress).toBe(false);
    expect(nics.slice(1).every((n) => n.AssociatePublicIpAddress !== true)).toBe(true);
  });
});

describe('launch template hardening', () => {
  test('compute.imdsHopLimit 2 lets bridged containers reach IMDS, and the template says why', () => {
    const built = synthCluster({ preset: 'single-node', configPath: configFile('compute:\n  imdsHopLimit: 2\n') });
    const t = built.template('rainier-ohio-dev');
    expect(launchData(t).MetadataOptions).toMatchObject({ HttpTokens: 'required', HttpPutResponseHopLimit: 2 });
  });

  test.each(ALL)('%s: IMDSv2 required, hop limit 1 by default (no bridged container takes the node role)', (_name, t) => {
    expect(launchData(t).MetadataOptions).toMatchObject({ HttpTokens: 'required', HttpPutResponseHopLimit: 1 });
  });

  test.each(ALL)('%s: encrypted gp3 root volume of the configured size under the pool key', (_name, t) => {
    const [root] = launchData(t).BlockDeviceMappings;
    expect(root).toEqual({
      DeviceName: '/dev/sda1',
      Ebs: {
        VolumeType: 'gp3',
        VolumeSize: 512,
        Encrypted: true,
        KmsKeyId: { 'Fn::GetAtt': [expect.stringMatching(/^NodeKey/), 'Arn'] },
        DeleteOnTermination: true,
      },
    });
  });

  test('the node key is a rotated customer key kept on delete', () => {
    train.hasResource('AWS::KMS::Key', {
      DeletionPolicy: 'Retain',
      Properties: { EnableKeyRotation: true },
    });
  });

  test('the node key lets only the Auto Scaling service-linked role of this account use it, as AWS documents', () => {
    const key = only(train, 'AWS::KMS::Key');
    const use = key.Properties.KeyPolicy.Statement.find((s: any) => s.Sid === 'AutoScalingServiceLinkedRoleUse');
    expect(use.Condition.ArnEquals['aws:PrincipalArn']).toEqual({
      'Fn::Join': ['', ['arn:aws:iam::', { Ref: 'AWS::AccountId' }, ':role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling']],
    });
    expect(use.Condition.StringEquals).toEqual({ 'kms:CallerAccount': { Ref: 'AWS::AccountId' } });
    expect([...use.Action].sort()).toEqual(['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*']);
  });

  test('with no image configured, the AMI is a required NodeImageId parameter (AWS::EC2::Image::Id, no default), not a floating SSM parameter', () => {
    train.hasParameter('NodeImageId', {
      Type: 'AWS::EC2::Image::Id',
      Description: Match.stringLikeRegexp('aws ssm get-parameter --region us-east-2 --name /aws/service/neuron/dlami/base/ubuntu-24.04/latest/image_id'),
    });
    expect(train.toJSON().Parameters.NodeImageId).not.toHaveProperty('Default');
    expect(launchData(train).ImageId).toEqual({ Ref: 'NodeImageId' });
    expect(Object.values<any>(train.toJSON().Parameters).filter((p) => String(p.Default ?? '').startsWith('/aws/service/neuron'))).toEqual([]);
  });

  test('the boot script builds the scratch RAID from the four NVMe drives', () => {
    // The boot script inside the user data prelude; storage sections hold tokens (file-system DNS name).
    const script = bootScriptOf(launchData(train).UserData, () => '<token>');
    expect(script).toMatch(/^#!\/bin\/bash\n/);
    expect(script).toContain('--level=0 --raid-devices=4');
    expect(script).toContain('mkfs.xfs');
  });
});

describe('capacity targeting', () => {
  test.each([
    ['UltraServer blocks', train],
    ['UltraServer blocks, IDs given', bought],
  ])('%s: the launch template sets the capacity-block market and no target (each group targets its own block)', (_name, t) => {
    const data = launchData(t);
    expect(data.InstanceMarketOptions).toEqual({ MarketType: 'capacity-block' });
    expect(data.CapacityReservationSpecification).toBeUndefined();
  });

  test.each([
    ['UltraServer blocks', train],
    ['UltraServer blocks, IDs given', bought],
  ])('%s: no Capacity Reservation resource group (EC2 may place a launch in any block of a group)', (_name, t) => {
    t.resourceCountIs('AWS::ResourceGroups::Group', 0);
  });

  test('UltraServer i of a parameter-fed pool targets only element i of the list, capacity-reservations-only', () => {
    const groups = Object.entries(train.findResources('AWS::AutoScaling::AutoScalingGroup')).sort(([a], [b]) => a.localeCompare(b));
    expect(groups).toHaveLength(2);
    groups.forEach(([, g], i) => {
      expect((g as Resource).Properties.CapacityReservationSpecification).toEqual({
        CapacityReservationPreference: 'capacity-reservations-only',
        CapacityReservationTarget: { CapacityReservationIds: [{ 'Fn::Select': [i, { 'Fn::Split': [',', { Ref: 'ReservationIds' }] }] }] },
      });
    });
  });

  test('listed IDs: UltraServer i targets the i-th ID only', () => {
    bought.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', {
      CapacityReservationSpecification: {
        CapacityReservationPreference: 'capacity-reservations-only',
        CapacityReservationTarget: { CapacityReservationIds: ['cr-00000000000000001'] },
      },
    });
  });

  test('no two UltraServer groups share a block', () => {
    const targets = (Object.values(train.findResources('AWS::AutoScaling::AutoScalingGroup')) as Resource[]).map((g) =>
      JSON.stringify(g.Properties.CapacityReservationSpecification.CapacityReservationTarget),
    );
    expect(new Set(targets).size).toBe(targets.length);
  });

  test.each([
    ['On-Demand Capacity Reservation', dev],
    ['instance Capacity Block', blocks],
  ])('%s: the group leaves targeting to the launch template', (_name, t) => {
    for (const g of Object.values(t.findResources('AWS::AutoScaling::AutoScalingGroup')) as Resource[]) {
      expect(g.Properties.CapacityReservationSpecification).toBeUndefined();
    }
  });

  test('instance Capacity Block: capacity-block market targeting the reservation ID parameter', () => {
    const data = launchData(blocks);
    expect(data.InstanceMarketOptions).toEqual({ MarketType: 'capacity-block' });
    expect(data.CapacityReservationSpecification).toEqual({ CapacityReservationTarget: { CapacityReservationId: { Ref: 'ReservationId' } } });
  });

  test('instance Capacity Block with its ID in the config targets that ID', () => {
    expect(launchData(oldBlocks).CapacityReservationSpecification).toEqual({
      CapacityReservationTarget: { CapacityReservationId: 'cr-0123456789abcdef0' },
    });
  });

  test.each([
    ['with placement group', dev],
    ['without placement group', loose],
  ])('On-Demand Capacity Reservation %s: on-demand market, the stack reservation, capacity-reservations-only', (_name, t) => {
    const data = launchData(t);
    expect(data.InstanceMarketOptions).toBeUndefined();
    expect(data.CapacityReservationSpecification).toEqual({
      CapacityReservationPreference: 'capacity-reservations-only',
      CapacityReservationTarget: { CapacityReservationId: { Ref: expect.stringMatching(/^CapacityReservation(?!Group)/) } },
    });
  });

  test('the ODCR is targeted Linux/UNIX, sized to the pool, in the site AZ, unlimited', () => {
    dev.hasResourceProperties('AWS::EC2::CapacityReservation', {
      InstanceType: 'trn2.48xlarge',
      InstancePlatform: 'Linux/UNIX',
      InstanceMatchCriteria: 'targeted',
      InstanceCount: 2,
      AvailabilityZone: 'us-east-2a',
      EndDateType: 'unlimited',
      EndDate: Match.absent(),
    });
  });

  test('an ODCR with an end date is limited to it', () => {
    loose.hasResourceProperties('AWS::EC2::CapacityReservation', { EndDateType: 'limited', EndDate: '2027-01-01T00:00:00Z' });
  });

  test('the ODCR sits in the cluster placement group through its ARN, and nodes launch into it', () => {
    const group = Object.keys(dev.findResources('AWS::EC2::PlacementGroup', { Properties: { Strategy: 'cluster' } }));
    expect(group).toHaveLength(1);
    dev.hasResourceProperties('AWS::EC2::CapacityReservation', {
      PlacementGroupArn: {
        'Fn::Join': ['', ['arn:aws:ec2:us-east-2:', { Ref: 'AWS::AccountId' }, ':placement-group/', { 'Fn::GetAtt': [group[0], 'GroupName'] }]],
      },
    });
    expect(launchData(dev).Placement).toEqual({ GroupName: { 'Fn::GetAtt': [group[0], 'GroupName'] } });
  });

  test.each([
    ['UltraServer blocks', train],
    ['instance Capacity Block', blocks],
    ['ODCR with placementGroup: false', loose],
  ])('%s: no placement group', (_name, t) => {
    t.resourceCountIs('AWS::EC2::PlacementGroup', 0);
    expect(launchData(t).Placement).toBeUndefined();
    for (const reservation of Object.values(t.findResources('AWS::EC2::CapacityReservation')) as Resource[]) {
      expect(reservation.Properties.PlacementGroupArn).toBeUndefined();
    }
  });

  test.each([
    ['UltraServer blocks', train],
    ['instance Capacity Block', blocks],
  ])('%s: the stack creates no reservation (Capacity Blocks are bought out of band)', (_name, t) => {
    t.resourceCountIs('AWS::EC2::CapacityReservation', 0);
  });
});

describe('reservation parameters', () => {
  test.each([
    ['UltraServer blocks (2 UltraServers: exactly 2 IDs)', train, 'ReservationIds', '^cr-[0-9a-f]{17}(,cr-[0-9a-f]{17}){1}$'],
    ['instance Capacity Block', blocks, 'ReservationId', RESERVATION_ID_ALLOWED_PATTERN],
  ])('%s without IDs in the config: a String parameter with the cr- pattern', (_name, t, name, pattern) => {
    t.hasParameter(name, { Type: 'String', AllowedPattern: pattern, Description: Match.stringLikeRegexp('cr-') });
    expect(RESERVATION_ID_ALLOWED_PATTERN).toBe('^cr-[0-9a-f]{17}$');
  });

  test.each([
    ['UltraServer blocks, IDs given', bought],
    ['instance Capacity Block, ID given', oldBlocks],
    ['ODCR (created by the stack)', dev],
  ])('%s: no reservation parameter', (_name, t) => {
    expect(Object.keys(t.findParameters('*', { AllowedPattern: Match.stringLikeRegexp('cr-') }))).toEqual([]);
  });
});

describe('node groups', () => {
  test('one Auto Scaling group per UltraServer, min = max = desired = 4', () => {
    const groups = Object.values(train.findResources('AWS::AutoScaling::AutoScalingGroup')) as Resource[];
    expect(groups).toHaveLength(2);
    for (const g of groups) {
      expect(g.Properties).toMatchObject({ MinSize: '4', MaxSize: '4', DesiredCapacity: '4', HealthCheckType: 'EC2' });
    }
  });

  test('one Auto Scaling group for the dev pool, sized to it', () => {
    dev.resourceCountIs('AWS::AutoScaling::AutoScalingGroup', 1);
    dev.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', { MinSize: '2', MaxSize: '2', DesiredCapacity: '2' });
  });

  test.each(ALL)('%s: groups launch from the pool template, in the node subnet, announcing every launch and termination', (_name, t) => {
    const [templateId] = Object.keys(t.findResources('AWS::EC2::LaunchTemplate'));
    for (const g of Object.values(t.findResources('AWS::AutoScaling::AutoScalingGroup')) as Resource[]) {
      expect(g.Properties.LaunchTemplate).toEqual({ LaunchTemplateId: { Ref: templateId }, Version: { 'Fn::GetAtt': [templateId, 'LatestVersionNumber'] } });
      expect(g.Properties.VPCZoneIdentifier).toEqual([{ 'Fn::ImportValue': expect.stringMatching(/NodesSubnet/) }]);
      expect(g.Properties.NotificationConfigurations[0].NotificationTypes).toEqual(
        expect.arrayContaining(['autoscaling:EC2_INSTANCE_LAUNCH', 'autoscaling:EC2_INSTANCE_LAUNCH_ERROR', 'autoscaling:EC2_INSTANCE_TERMINATE', 'autoscaling:EC2_INSTANCE_TERMINATE_ERROR']),
      );
    }
  });

  test('UltraServer groups carry site, pool, node-group and UltraServer tags onto their instances', () => {
    const tags = (Object.values(train.findResources('AWS::AutoScaling::AutoScalingGroup')) as Resource[]).map((g) => g.Properties.Tags);
    expect(tags[1]).toEqual(
      expect.arrayContaining([
        { Key: 'rainier:site', Value: 'ohio', PropagateAtLaunch: true },
        { Key: 'rainier:pool', Value: 'train', PropagateAtLaunch: true },
        { Key: 'rainier:node-group', Value: 'ohio-train-u0001', PropagateAtLaunch: true },
        { Key: 'rainier:ultraserver', Value: 'ohio-train-u0001', PropagateAtLaunch: true },
      ]),
    );
  });

  test('the event topic is encrypted with the pool key', () => {
    expect(only(train, 'AWS::SNS::Topic').Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^NodeKey/), 'Arn'] });
  });
});

describe('node role', () => {
  const statements = (t: Template) =>
    // Customer managed policies (NIST 800-53 IAMNoInlinePolicy), plus any inline one.
    (Object.values({ ...t.findResources('AWS::IAM::ManagedPolicy'), ...t.findResources('AWS::IAM::Policy') }) as Resource[]).flatMap(
      (p) => p.Properties.PolicyDocument.Statement,
    );

  test('only the SSM managed policy; telemetry gets its own narrow grants instead of CloudWatchAgentServerPolicy', () => {
    const role = only(train, 'AWS::IAM::Role');
    const names = role.Properties.ManagedPolicyArns.map((a: any) => a['Fn::Join'][1][2]);
    expect(names).toEqual([':iam::aws:policy/AmazonSSMManagedInstanceCore']);
    expect(role.Properties.AssumeRolePolicyDocument.Statement[0].Principal).toEqual({ Service: 'ec2.amazonaws.com' });
  });

  test('telemetry: logs only into the site node log groups, metrics only into the project namespace', () => {
    const all = statements(train);
    const logs = all.find((s: any) => s.Sid === 'NodeLogs');
    expect([...logs.Action].sort()).toEqual(['logs:CreateLogStream', 'logs:DescribeLogStreams', 'logs:PutLogEvents']);
    expect(JSON.stringify(logs.Resource)).toContain('log-group:/rainier/ohio/nodes/system:*');
    expect(JSON.stringify(logs.Resource)).toContain('log-group:/rainier/ohio/nodes/neuron:*');
    const metrics = all.find((s: any) => s.Sid === 'NodeMetrics');
    expect(metrics).toMatchObject({ Action: 'cloudwatch:PutMetricData', Resource: '*', Condition: { StringEquals: { 'cloudwatch:namespace': 'Rainier' } } });
  });

  test('fsx:DescribeFileSystems for the Lustre client (EFA needs it)', () => {
    expect(statements(train)).toContainEqual(expect.objectContaining({ Action: 'fsx:DescribeFileSystems', Resource: '*' }));
  });

  test('no action wildcard in any node policy statement', () => {
    for (const s of statements(train)) {
      for (const action of [s.Action].flat()) {
        expect(action).not.toContain('*');
      }
    }
  });
});

describe('compute shards', () => {
  const ultraServers = NODE_GROUPS_PER_SHARD + 1;
  const big = synthCluster({
    preset: 'ultraserver',
    configPath: configFile(`
sites:
  ohio:
    pools:
      train:
        ultraServers: ${ultraServers}
acknowledgements:
  - rule: RAIN-W107
    path: sites
    reason: test of sharding only; the account limit is not the point here
`),
  });
  const shard0 = big.template('rainier-ohio-train');
  const shard1 = big.template('rainier-ohio-train-01');

  test('shard 0 holds the capacity, the launch template and the first groups', () => {
    shard0.resourceCountIs('AWS::ResourceGroups::Group', 0);
    shard0.resourceCountIs('AWS::EC2::LaunchTemplate', 1);
    shard0.resourceCountIs('AWS::AutoScaling::AutoScalingGroup', NODE_GROUPS_PER_SHARD);
  });

  const data = (t: typeof shard0) => (Object.values(t.findResources('AWS::EC2::LaunchTemplate')) as any[])[0].Properties.LaunchTemplateData;

  test('later shards hold their own launch template and Auto Scaling groups; no template version crosses stacks', () => {
    const types = new Set(Object.values(shard1.toJSON().Resources).map((r: any) => r.Type));
    expect([...types].sort()).toEqual(['AWS::AutoScaling::AutoScalingGroup', 'AWS::EC2::LaunchTemplate']);
    shard1.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', {
      LaunchTemplate: {
        LaunchTemplateId: { Ref: Match.stringLikeRegexp('^LaunchTemplate') },
        Version: { 'Fn::GetAtt': [Match.stringLikeRegexp('^LaunchTemplate'), 'LatestVersionNumber'] },
      },
      Tags: Match.arrayWith([{ Key: 'rainier:ultraserver', Value: `ohio-train-u0${NODE_GROUPS_PER_SHARD}`, PropagateAtLaunch: true }]),
    });
    // Shard 0 exports nothing about its launch template: a new version could not be exported while imported.
    expect(JSON.stringify(shard0.toJSON().Outputs ?? {})).not.toMatch(/LaunchTemplate/);
    // Both shards' templates are the same: same capacity target, interfaces and boot script.
    expect(data(shard1).NetworkInterfaces).toHaveLength(data(shard0).NetworkInterfaces.length);
    expect(data(shard1).InstanceMarketOptions).toEqual(data(shard0).InstanceMarketOptions);
  });

  test('each shard takes its own block IDs: 195 per list parameter (4,096 bytes), one element per UltraServer', () => {
    expect(Object.keys(shard0.toJSON().Parameters).filter((p) => p.startsWith('ReservationIds')).sort()).toEqual(['ReservationIds', 'ReservationIdsPart2']);
    expect(Object.keys(shard1.toJSON().Parameters).filter((p) => p.startsWith('ReservationIds'))).toEqual(['ReservationIds']);
    shard0.hasParameter('ReservationIdsPart2', { Description: Match.stringLikeRegexp(`exactly ${NODE_GROUPS_PER_SHARD - RESERVATION_IDS_PER_PARAMETER},`) });
    shard0.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', {
      CapacityReservationSpecification: { CapacityReservationTarget: { CapacityReservationIds: [{ 'Fn::Select': [0, { 'Fn::Split': [',', { Ref: 'ReservationIdsPart2' }] }] }] } },
      Tags: Match.arrayWith([{ Key: 'rainier:ultraserver', Value: `ohio-train-u0${RESERVATION_IDS_PER_PARAMETER}`, PropagateAtLaunch: true }]),
    });
    shard1.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', {
      CapacityReservationSpecification: { CapacityReservationTarget: { CapacityReservationIds: [{ 'Fn::Select': [0, { 'Fn::Split': [',', { Ref: 'ReservationIds' }] }] }] } },
    });
  });

  test('every shard takes its own NodeImageId (no image ID crosses stacks: an imported export could never change)', () => {
    for (const t of [shard0, shard1]) {
      t.hasParameter('NodeImageId', { Type: 'AWS::EC2::Image::Id' });
      expect(data(t).ImageId).toEqual({ Ref: 'NodeImageId' });
    }
    expect(JSON.stringify(shard0.toJSON().Outputs ?? {})).not.toContain('NodeImageId');
  });

  test('later shards deploy after shard 0', () => {
    const s1 = big.app.node.findChild('rainier-ohio-train-01') as any;
    expect(s1.dependencies.map((d: any) => d.node.id)).toContain('rainier-ohio-train');
  });
});

describe('cdk-nag', () => {
  test('every kind of pool synthesises with no unacknowledged finding', () => {
    expect(nagViolations(variants.app)).toEqual([]);
  });
});
