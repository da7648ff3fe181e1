import { Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { resolveConfig } from '../lib/config/load';
import { NodeStorageAccess } from '../lib/constructs/contracts';
import { BUCKET_ACTIONS, BUCKET_OBJECT_ACTIONS, KEY_ACTIONS } from '../lib/constructs/node-role';
import { planCluster } from '../lib/plan/build';
import { StackKind } from '../lib/plan/types';
import { ComputeStack } from '../lib/stacks/compute-stack';
import { NetworkStack } from '../lib/stacks/network-stack';
import { nagViolations } from './support/nag';
import { testApp } from './support/synth';
import { bootScriptOf } from './support/user-data';

/**
 * The compute stack against the storage contract alone (NodeStorageAccess), with a stand-in
 * storage stack, so these tests do not depend on how the storage slice builds its resources.
 */
function build(efaEnabled: boolean) {
  const app = testApp();
  const plan = planCluster(resolveConfig('single-node'));
  const site = plan.sites[0];
  const env = { region: site.region };
  const network = new NetworkStack(app, 'net', { env, site, logRetentionDays: 30, nodeLogGroups: plan.monitoring.sites[0].logGroups });
  const storageStack = new Stack(app, 'store', { env });
  const key = new kms.Key(storageStack, 'Key', { enableKeyRotation: true });
  const bucket = new s3.Bucket(storageStack, 'Data', {
    encryptionKey: key,
    enforceSSL: true,
    serverAccessLogsPrefix: 'logs/',
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
  });
  const clients = new ec2.SecurityGroup(storageStack, 'Clients', {
    vpc: network.network.vpc,
    description: 'Lustre clients',
    allowAllOutbound: false,
  });
  const storage: NodeStorageAccess = {
    datasets: bucket,
    checkpoints: bucket,
    keys: [key],
    lustre: { fileSystemId: 'fs-0', dnsName: 'fs.example', mountName: 'abc', mountPoint: '/fsx', efaEnabled },
    clientSecurityGroup: clients,
    bootstrap: [{ name: 'lustre-mount', commands: ['mount -t lustre fs.example@tcp:/abc /fsx'] }],
  };
  const stackPlan = plan.stacks.find((s) => s.kind === StackKind.COMPUTE)!;
  const compute = new ComputeStack(app, 'compute', {
    env,
    cluster: plan.name,
    site,
    pool: site.pools[0],
    stack: stackPlan,
    compute: plan.config.compute,
    network: network.network,
    storage,
    bootstrap: [{ name: 'monitoring-agent', commands: ['echo agent'] }],
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, t: Template.fromStack(compute) };
}

describe('compute with the storage slice', () => {
  const { app, t } = build(false);
  const statements = () =>
    (Object.values({ ...t.findResources('AWS::IAM::ManagedPolicy'), ...t.findResources('AWS::IAM::Policy') }) as any[]).flatMap(
      (p) => p.Properties.PolicyDocument.Statement,
    );
  const nics = () => (Object.values(t.findResources('AWS::EC2::LaunchTemplate')) as any[])[0].Properties.LaunchTemplateData.NetworkInterfaces;

  test('datasets read-only: s3:GetObject on its objects, listing on the bucket, nothing else', () => {
    const datasets = statements().filter((s: any) => s.Sid?.startsWith('Datasets'));
    expect(datasets).toEqual([
      expect.objectContaining({ Sid: 'DatasetsList', Action: [...BUCKET_ACTIONS].sort() }),
      expect.objectContaining({ Sid: 'DatasetsRead', Action: 's3:GetObject', Resource: { 'Fn::Join': ['', [{ 'Fn::ImportValue': expect.stringMatching(/Data.*Arn/) }, '/*']] } }),
    ]);
  });

  test('checkpoints read/write only under the pool\'s own prefix, listing only there', () => {
    const pool = planCluster(resolveConfig('single-node')).sites[0].pools[0].name;
    expect(statements()).toContainEqual(
      expect.objectContaining({
        Sid: 'OwnCheckpointsReadWrite',
        Action: [...BUCKET_OBJECT_ACTIONS].sort(),
        Resource: { 'Fn::Join': ['', [{ 'Fn::ImportValue': expect.stringMatching(/Data.*Arn/) }, `/${pool}/*`]] },
      }),
    );
    expect(statements()).toContainEqual(
      expect.objectContaining({ Sid: 'CheckpointsList', Condition: { StringLike: { 's3:prefix': [`${pool}/`, `${pool}/*`] } } }),
    );
    expect(statements().filter((s: any) => s.Sid === 'OtherPoolsCheckpointsRead')).toEqual([]);
  });

  test('kms use on the storage key', () => {
    expect(statements()).toContainEqual(
      expect.objectContaining({ Action: expect.arrayContaining([...KEY_ACTIONS]), Resource: { 'Fn::ImportValue': expect.stringMatching(/Key.*Arn/) } }),
    );
  });

  test('the clients\' security group is on the primary interface only when Lustre runs over TCP', () => {
    const [primary, ...efa] = nics();
    expect(primary.Groups).toHaveLength(2);
    expect(primary.Groups).toContainEqual({ 'Fn::ImportValue': expect.stringContaining('Clients') });
    for (const nic of efa) {
      expect(nic.Groups).toHaveLength(1);
    }
  });

  test('the extra (telemetry) sections run after the scratch volume and before storage, so a failed mount is already logged', () => {
    const script = bootScriptOf((Object.values(t.findResources('AWS::EC2::LaunchTemplate')) as any[])[0].Properties.LaunchTemplateData.UserData);
    const order = ['# --- scratch-volume ---', '# --- monitoring-agent ---', '# --- lustre-mount ---'].map((h) => script.indexOf(h));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  test('the wildcard on bucket objects is acknowledged, nothing else is left', () => {
    expect(nagViolations(app)).toEqual([]);
  });
});

test('an EFA-enabled file system puts the clients\' group on every interface', () => {
  const { t } = build(true);
  const nics = (Object.values(t.findResources('AWS::EC2::LaunchTemplate')) as any[])[0].Properties.LaunchTemplateData.NetworkInterfaces;
  for (const nic of nics) {
    expect(nic.Groups).toContainEqual({ 'Fn::ImportValue': expect.stringContaining('Clients') });
  }
});
