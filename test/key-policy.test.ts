import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Match } from 'aws-cdk-lib/assertions';
import { ConfigError } from '../lib/config/errors';
import { actionCovers } from '../lib/perimeter/rules/policy';
import { synthCluster } from './support/synth';

/** Key policies separate administration from use; deletion needs a named break-glass role. */

function configFile(yaml: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rainier-keys-'));
  const file = path.join(dir, 'cluster.yaml');
  fs.writeFileSync(file, yaml);
  return file;
}

type Statement = { Sid?: string; Effect: string; Principal: any; Action: string | string[]; Condition?: any };
const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const isRoot = (principal: any) => JSON.stringify(principal ?? {}).includes(':root');

function keyStatements(built: ReturnType<typeof synthCluster>): { key: string; statements: Statement[] }[] {
  return built.stackIds().flatMap((id) =>
    Object.entries(built.template(id).findResources('AWS::KMS::Key')).map(([key, r]) => ({ key: `${id}/${key}`, statements: r.Properties.KeyPolicy.Statement })),
  );
}

describe('default (rainier-mini)', () => {
  const built = synthCluster();
  const keys = keyStatements(built);

  test('there are keys in every stateful slice', () => {
    expect(keys.length).toBeGreaterThanOrEqual(5);
  });

  test.each(keyStatements(synthCluster()).map((k) => [k.key, k.statements] as const))('%s: the account root administers but never uses or deletes', (_key, statements) => {
    const root = statements.filter((s) => s.Effect === 'Allow' && isRoot(s.Principal));
    expect(root).toHaveLength(1);
    const actions = root.flatMap(actionsOf);
    for (const forbidden of ['kms:*', 'kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*', 'kms:ScheduleKeyDeletion']) {
      expect(actions).not.toContain(forbidden);
    }
    expect(actions).toContain('kms:Put*');
  });

  test.each(keyStatements(synthCluster()).map((k) => [k.key, k.statements] as const))('%s: deletion is denied to everyone (no break-glass role named)', (_key, statements) => {
    const deny = statements.find((s) => s.Sid === 'DenyDeletionExceptBreakGlass')!;
    expect(deny).toMatchObject({ Effect: 'Deny', Principal: { AWS: '*' }, Action: 'kms:ScheduleKeyDeletion' });
    expect(deny.Condition).toBeUndefined();
  });

  test('the data key is used only through S3, by tagged node roles, and by FSx', () => {
    const data = keys.find((k) => k.key.includes('StorageDataKey'))!;
    const uses = data.statements.filter((s) => s.Effect === 'Allow' && actionsOf(s).includes('kms:Decrypt'));
    expect(uses.map((s) => s.Sid).sort()).toEqual(['AllowFSxS3AccessThroughS3', 'NodeRolesThroughS3']);
    for (const s of uses) {
      expect(s.Condition.StringEquals['kms:ViaService']).toBe('s3.us-east-2.amazonaws.com');
    }
    expect(uses.find((s) => s.Sid === 'NodeRolesThroughS3')!.Condition.StringEquals['aws:PrincipalTag/rainier:data-access']).toBe('rainier-ohio');
  });

  test('every node role carries the data-access tag the data key trusts', () => {
    const roles = Object.values(built.template('rainier-ohio-train').findResources('AWS::IAM::Role'));
    const nodeRoles = roles.filter((r: any) => JSON.stringify(r.Properties.AssumeRolePolicyDocument).includes('ec2.amazonaws.com'));
    expect(nodeRoles).toHaveLength(1);
    expect(nodeRoles[0].Properties.Tags).toContainEqual({ Key: 'rainier:data-access', Value: 'rainier-ohio' });
  });
});

describe('configured administrators and break-glass role', () => {
  const admin = 'arn:aws:iam::111122223333:role/KeyAdmins';
  const glass = 'arn:aws:iam::111122223333:role/BreakGlass';
  const built = synthCluster({ preset: 'single-node', configPath: configFile(`perimeter:\n  keyAdministrators: ["${admin}"]\n  breakGlass: ["${glass}"]\n`) });
  const keys = keyStatements(built);

  test.each(keys.map((k) => [k.key, k.statements] as const))('%s: the named administrators administer, only the break-glass role may delete', (_key, statements) => {
    expect(statements.find((s) => s.Sid === 'KeyAdministratorsAdministerNeverUse')).toMatchObject({ Principal: { AWS: admin } });
    expect(statements.find((s) => s.Sid === 'BreakGlassMayDelete')).toMatchObject({ Principal: { AWS: glass }, Action: ['kms:CancelKeyDeletion', 'kms:ScheduleKeyDeletion'] });
    expect(statements.find((s) => s.Sid === 'DenyDeletionExceptBreakGlass')!.Condition).toEqual({ ArnNotLike: { 'aws:PrincipalArn': [glass] } });
  });
});

describe('configuration errors', () => {
  test('fails when a principal is not an IAM role or user ARN', () => {
    expect(() => synthCluster({ preset: 'single-node', configPath: configFile('perimeter:\n  breakGlass: ["admin"]\n') })).toThrow(/perimeter\.breakGlass\.0/);
  });

  test('fails when checkpointReads names a pool the site does not have', () => {
    expect(() => synthCluster({ preset: 'single-node', configPath: configFile('perimeter:\n  checkpointReads:\n    ohio:\n      dev: [train]\n') })).toThrow(ConfigError);
  });
});

describe('cross-pool checkpoint reads', () => {
  test('perimeter.checkpointReads lets the dev pool read, never write, the train pool\'s checkpoints', () => {
    const built = synthCluster({ configPath: configFile('perimeter:\n  checkpointReads:\n    ohio:\n      dev: [train]\n') });
    const statements = Object.values(built.template('rainier-ohio-dev').findResources('AWS::IAM::ManagedPolicy')).flatMap((p: any) => p.Properties.PolicyDocument.Statement);
    const read = statements.find((s: any) => s.Sid === 'OtherPoolsCheckpointsRead');
    expect(read.Action).toBe('s3:GetObject');
    expect(JSON.stringify(read.Resource)).toContain('/train/*');
    const writes = statements.filter((s: any) => JSON.stringify(s.Resource ?? '').includes('/train/') && [s.Action].flat().some((a: string) => a !== 's3:GetObject'));
    expect(writes).toEqual([]);
  });
});

describe('checkpoints replica (storage.checkpointReplicaRegion)', () => {
  const built = synthCluster({ preset: 'single-node', configPath: configFile('storage:\n  checkpointReplicaRegion: us-west-2\n') });

  test('a retained replica stack in the other Region holds its own bucket and key', () => {
    expect(built.stackIds()).toContain('rainier-ohio-storage-replica');
    expect(built.plan.stacks.find((s) => s.id === 'rainier-ohio-storage-replica')).toMatchObject({ region: 'us-west-2', terminationProtection: true });
    const replica = built.template('rainier-ohio-storage-replica');
    expect(built.app.node.findChild('rainier-ohio-storage-replica')).toMatchObject({ region: 'us-west-2' });
    replica.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain' });
    replica.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: { BucketName: { 'Fn::Join': ['', ['rainier-ohio-checkpoints-', { Ref: 'AWS::AccountId' }]] }, VersioningConfiguration: { Status: 'Enabled' } },
    });
    replica.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/rainier-ohio-checkpoints-replica' });
  });

  test('the checkpoints bucket replicates with its own role, into the replica key, without delete markers', () => {
    const storage = built.template('rainier-ohio-storage');
    const configs = Object.values(storage.findResources('AWS::S3::Bucket'))
      .map((b) => b.Properties.ReplicationConfiguration)
      .filter((c) => c !== undefined);
    expect(configs).toHaveLength(1);
    const [config] = configs;
    expect(config.Rules).toEqual([
      expect.objectContaining({
        DeleteMarkerReplication: { Status: 'Disabled' },
        Destination: expect.objectContaining({ EncryptionConfiguration: { ReplicaKmsKeyID: expect.anything() } }),
      }),
    ]);
    storage.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 's3.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } } })] },
    });
  });

  test('fails when the replica Region is the site\'s own', () => {
    expect(() => synthCluster({ preset: 'single-node', configPath: configFile('storage:\n  checkpointReplicaRegion: us-east-2\n') })).toThrow(/storage\.checkpointReplicaRegion.*us-east-2/s);
  });
});

/**
 * No lock-out: AWS's default key policy gives the account root full access so that the key never
 * becomes unmanageable ("Allows access to the AWS account and enables IAM policies",
 * https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html). Ours keeps the
 * administrative half of that: the root, unconditionally, may change the key policy (so IAM can
 * always give an administrator, or CloudFormation's role, kms:PutKeyPolicy), and no Deny takes it
 * away. Checked on the default and on every perimeter option (the replica key included).
 */
describe.each([
  ['default', {}],
  ['every perimeter option', { configPath: path.join(__dirname, 'fixtures', 'perimeter', 'every-option.yaml') }],
])('no lock-out (%s)', (_label, source) => {
  const keys = keyStatements(synthCluster(source));
  test.each(keys.map((k) => [k.key, k.statements] as const))('%s: the root may put the key policy, describe and enable the key, and no Deny removes it', (_key, statements) => {
    const root = statements.filter((s) => s.Effect === 'Allow' && isRoot(s.Principal) && s.Condition === undefined);
    for (const action of ['kms:PutKeyPolicy', 'kms:GetKeyPolicy', 'kms:DescribeKey', 'kms:EnableKey', 'kms:CreateAlias']) {
      expect(root.some((s) => actionsOf(s).some((p) => actionCovers(p, action)))).toBe(true);
    }
    const denies = statements.filter((s) => s.Effect === 'Deny' && actionsOf(s).some((p) => actionCovers(p, 'kms:PutKeyPolicy')));
    expect(denies).toEqual([]);
  });
});
