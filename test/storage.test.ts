import { Match, Template } from 'aws-cdk-lib/assertions';
import { resolveConfig } from '../lib/config/load';
import { PRESET_NAMES, PRESETS, PresetName } from '../lib/config/presets';
import { parseConfig } from '../lib/config/load';
import { CapacityKind } from '../lib/config/schema/site';
import { planCluster } from '../lib/plan/build';
import { ClusterPlan, StackKind } from '../lib/plan/types';
import { NetworkStack } from '../lib/stacks/network-stack';
import { StorageStack } from '../lib/stacks/storage-stack';
import { synthCluster, testApp } from './support/synth';

const STATEFUL = ['AWS::FSx::FileSystem', 'AWS::S3::Bucket', 'AWS::KMS::Key', 'AWS::Logs::LogGroup'];

/** The network and storage stacks of the plan's first site, built as lib/stacks/cluster.ts builds them (once per configuration). */
const built = new Map<string, { template: Template; stack: StorageStack }>();
function storageStackOf(plan: ClusterPlan): { template: Template; stack: StorageStack } {
  const key = JSON.stringify(plan.config);
  if (!built.has(key)) {
    built.set(key, buildStorageStack(plan));
  }
  return built.get(key)!;
}

function buildStorageStack(plan: ClusterPlan): { template: Template; stack: StorageStack } {
  const app = testApp();
  const site = plan.sites[0];
  const id = (kind: StackKind) => plan.stacks.find((s) => s.site === site.name && s.kind === kind)!.id;
  const network = new NetworkStack(app, id(StackKind.NETWORK), { site, logRetentionDays: 365, env: { region: site.region }, nodeLogGroups: plan.monitoring.sites[0].logGroups });
  const stack = new StorageStack(app, id(StackKind.STORAGE), {
    site,
    network: network.network,
    logRetentionDays: 365,
    logGroupSuffix: `${plan.name}-${site.name}`,
    env: { region: site.region },
  });
  return { template: Template.fromStack(stack), stack };
}

function statefulIds(template: Template): string[] {
  const resources = template.toJSON().Resources as Record<string, { Type: string }>;
  return Object.entries(resources)
    .filter(([, r]) => STATEFUL.includes(r.Type))
    .map(([id]) => id)
    .sort();
}

/** The preset with every pool grown: UltraServer pools x2, other pools +1 node. */
function grown(preset: PresetName): ClusterPlan {
  const raw = PRESETS[preset]() as { sites: Record<string, { pools: Record<string, Record<string, unknown>> }> };
  for (const site of Object.values(raw.sites)) {
    for (const pool of Object.values(site.pools)) {
      if (pool.kind === CapacityKind.ULTRASERVER_CAPACITY_BLOCK) {
        pool.ultraServers = (pool.ultraServers as number) * 2;
      } else {
        pool.nodes = (pool.nodes as number) + 1;
      }
    }
  }
  // With orchestrator eks a fabric's VPC keeps its last two /27s for the EKS control plane, so a /16
  // holds a node subnet of at most a /18: doubling rainier-scale's fabrics (20,800 nodes each) is
  // refused (RAIN-E805, test/orchestrator-rules.test.ts). Storage IDs do not depend on the orchestrator.
  return planCluster(parseConfig(preset === 'rainier-scale' ? { ...raw, orchestrator: 'none' } : raw));
}

describe('stateful logical IDs', () => {
  test('default preset: the exact stateful resources of the storage stack, all retained', () => {
    const template = synthCluster().template('rainier-ohio-storage');
    expect(statefulIds(template)).toEqual([
      'StorageAccessLogsBucketFEE4D6FB',
      'StorageCheckpointsBucket801ED2C6',
      'StorageDataKeyE15BA43B',
      'StorageDatasetsBucketF2011206',
      'StorageFileSystemFFD87EE1',
      'StorageFileSystemKey021F19DB',
      'StorageFileSystemLogs9E0F64D5',
    ]);
    for (const type of STATEFUL) {
      for (const r of Object.values(template.findResources(type))) {
        expect(r).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
      }
    }
  });

  test.each(PRESET_NAMES.map((p) => [p]))('%s: growing the cluster changes no stateful logical ID', (preset) => {
    const before = storageStackOf(planCluster(resolveConfig(preset)));
    const after = storageStackOf(grown(preset));
    expect(statefulIds(after.template)).toEqual(statefulIds(before.template));
    expect(statefulIds(before.template)).toHaveLength(7);
  });

  test('the storage stack is termination-protected in the app', () => {
    const s = synthCluster();
    const stack = s.stacks.sites[0].storage;
    expect(stack.terminationProtection).toBe(true);
  });

  test('growing the default preset does grow the file system (the test above has teeth)', () => {
    const before = storageStackOf(planCluster(resolveConfig('rainier-mini'))).template;
    const after = storageStackOf(grown('rainier-mini')).template;
    const cap = (t: Template) => Object.values(t.findResources('AWS::FSx::FileSystem'))[0].Properties.StorageCapacity;
    expect(cap(after)).toBeGreaterThan(cap(before));
  });
});

describe('FSx for Lustre settings', () => {
  const mini = storageStackOf(planCluster(resolveConfig('rainier-mini'))).template;
  const trn1 = storageStackOf(planCluster(resolveConfig('trn1-small'))).template;

  test('PERSISTENT_2, Lustre 2.15, LZ4, customer key, metadata, backups, maintenance, logs', () => {
    mini.hasResourceProperties('AWS::FSx::FileSystem', {
      FileSystemType: 'LUSTRE',
      FileSystemTypeVersion: '2.15',
      StorageType: 'SSD',
      StorageCapacity: 16800,
      KmsKeyId: { Ref: 'StorageFileSystemKey021F19DB' },
      LustreConfiguration: {
        DeploymentType: 'PERSISTENT_2',
        PerUnitStorageThroughput: 1000,
        DataCompressionType: 'LZ4',
        EfaEnabled: false,
        MetadataConfiguration: { Mode: 'AUTOMATIC' },
        AutomaticBackupRetentionDays: 7,
        WeeklyMaintenanceStartTime: '7:03:00',
        LogConfiguration: { Level: 'WARN_ERROR', Destination: Match.anyValue() },
      },
    });
    mini.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: '/aws/fsx/rainier-ohio',
      RetentionInDays: 365,
      KmsKeyId: Match.anyValue(),
    });
  });

  test('EFA on for trn1 clients, in whole EFA steps', () => {
    trn1.hasResourceProperties('AWS::FSx::FileSystem', {
      StorageCapacity: 9600,
      LustreConfiguration: Match.objectLike({ EfaEnabled: true, MetadataConfiguration: { Mode: 'AUTOMATIC' } }),
    });
  });

  test('user-provisioned metadata IOPS', () => {
    const t = storageStackOf(planCluster(resolveConfig('single-node', { storage: { metadataIops: 12000 } }))).template;
    t.hasResourceProperties('AWS::FSx::FileSystem', {
      LustreConfiguration: Match.objectLike({ MetadataConfiguration: { Mode: 'USER_PROVISIONED', Iops: 12000 } }),
    });
  });

  test('data repository associations: /datasets imports, /checkpoints imports and exports new and changed files, not deletions', () => {
    const all = ['NEW', 'CHANGED', 'DELETED'];
    mini.resourceCountIs('AWS::FSx::DataRepositoryAssociation', 2);
    mini.hasResourceProperties('AWS::FSx::DataRepositoryAssociation', {
      FileSystemPath: '/datasets',
      BatchImportMetaDataOnCreate: true,
      S3: { AutoImportPolicy: { Events: all }, AutoExportPolicy: Match.absent() },
    });
    mini.hasResourceProperties('AWS::FSx::DataRepositoryAssociation', {
      FileSystemPath: '/checkpoints',
      S3: { AutoImportPolicy: { Events: all }, AutoExportPolicy: { Events: ['NEW', 'CHANGED'] } },
    });
  });
});

describe('buckets', () => {
  const t = storageStackOf(planCluster(resolveConfig('rainier-mini'))).template;
  const buckets = t.findResources('AWS::S3::Bucket');

  test.each(['StorageDatasetsBucketF2011206', 'StorageCheckpointsBucket801ED2C6'])(
    '%s denies data access from outside the site VPC, except the FSx S3 service-linked role',
    (id) => {
      const policy = Object.values(t.findResources('AWS::S3::BucketPolicy')).find((p) => JSON.stringify(p.Properties.Bucket) === JSON.stringify({ Ref: id }))!;
      const deny = policy.Properties.PolicyDocument.Statement.find((s: any) => s.Sid === 'DenyDataAccessOutsideTheSiteVpc');
      expect(deny.Effect).toBe('Deny');
      expect(deny.Action).toContain('s3:PutObject*');
      expect(deny.Action).not.toContain('s3:PutBucketPolicy');
      expect(deny.Condition.StringNotEqualsIfExists['aws:SourceVpc']).toEqual({ 'Fn::ImportValue': expect.stringMatching(/Vpc/) });
      expect(JSON.stringify(deny.Condition.ArnNotLike['aws:PrincipalArn'])).toContain('s3.data-source.lustre.fsx.amazonaws.com/AWSServiceRoleForFSxS3Access_*');
    },
  );

  test('nobody writes datasets unless named as an ingestion principal', () => {
    const policy = Object.values(t.findResources('AWS::S3::BucketPolicy')).find(
      (p) => JSON.stringify(p.Properties.Bucket) === JSON.stringify({ Ref: 'StorageDatasetsBucketF2011206' }),
    )!;
    const deny = policy.Properties.PolicyDocument.Statement.find((s: any) => s.Sid === 'DenyDatasetWritesExceptIngestion');
    expect(deny).toMatchObject({ Effect: 'Deny', Principal: { AWS: '*' } });
    expect(deny.Condition).toBeUndefined();
  });

  test('datasets and checkpoints: customer KMS key, versioned, no public access, access logs', () => {
    for (const id of ['StorageDatasetsBucketF2011206', 'StorageCheckpointsBucket801ED2C6']) {
      expect(buckets[id].Properties).toMatchObject({
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            { ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': ['StorageDataKeyE15BA43B', 'Arn'] } } },
          ],
        },
        VersioningConfiguration: { Status: 'Enabled' },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        LoggingConfiguration: { DestinationBucketName: { Ref: 'StorageAccessLogsBucketFEE4D6FB' } },
      });
    }
  });

  test('the access-log bucket: encrypted, versioned, no public access', () => {
    expect(buckets.StorageAccessLogsBucketFEE4D6FB.Properties).toMatchObject({
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      VersioningConfiguration: { Status: 'Enabled' },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
    });
  });

  test('every bucket denies requests without TLS', () => {
    const policies = Object.values(t.findResources('AWS::S3::BucketPolicy'));
    expect(policies).toHaveLength(3);
    for (const p of policies) {
      expect(p.Properties.PolicyDocument.Statement).toEqual(
        expect.arrayContaining([expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      );
    }
  });

  test('old checkpoint versions expire', () => {
    expect(buckets.StorageCheckpointsBucket801ED2C6.Properties.LifecycleConfiguration.Rules).toEqual([
      expect.objectContaining({ Status: 'Enabled', NoncurrentVersionExpiration: { NoncurrentDays: 30 } }),
      expect.objectContaining({ Id: 'AbortIncompleteUploads' }),
    ]);
  });

  test('every bucket aborts interrupted multipart uploads after 7 days', () => {
    for (const bucket of Object.values(buckets)) {
      expect(bucket.Properties.LifecycleConfiguration.Rules).toContainEqual({
        Id: 'AbortIncompleteUploads',
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
        Status: 'Enabled',
      });
    }
  });
});

describe('security group rules', () => {
  type Rule = string;
  /** Every ingress/egress rule in the stack as "dir group<-/->peer proto from-to". */
  function rules(t: Template): Rule[] {
    const name = (v: unknown) => JSON.stringify(v).includes('StorageFileSystemSecurityGroup') ? 'fs' : JSON.stringify(v).includes('ClusterSecurityGroup') ? 'nodes' : JSON.stringify(v);
    const out: Rule[] = [];
    for (const r of Object.values(t.findResources('AWS::EC2::SecurityGroupIngress'))) {
      const p = r.Properties;
      out.push(`in ${name(p.GroupId)}<-${name(p.SourceSecurityGroupId)} ${p.IpProtocol} ${p.FromPort ?? ''}-${p.ToPort ?? ''}`);
    }
    for (const r of Object.values(t.findResources('AWS::EC2::SecurityGroupEgress'))) {
      const p = r.Properties;
      out.push(`out ${name(p.GroupId)}->${name(p.DestinationSecurityGroupId)} ${p.IpProtocol} ${p.FromPort ?? ''}-${p.ToPort ?? ''}`);
    }
    return out.sort();
  }
  const lustre = ['tcp 988-988', 'tcp 1018-1023'].flatMap((ports) => [
    `in fs<-fs ${ports}`,
    `out fs->fs ${ports}`,
    `in fs<-nodes ${ports}`,
    `out nodes->fs ${ports}`,
    `out fs->nodes ${ports}`,
    `in nodes<-fs ${ports}`,
  ]);

  test('without EFA: exactly Lustre TCP 988 and 1018-1023 with itself and the nodes', () => {
    const t = storageStackOf(planCluster(resolveConfig('rainier-mini'))).template;
    expect(rules(t)).toEqual([...lustre].sort());
    t.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('FSx for Lustre'),
      // No inline rules: nothing beyond the rule resources listed above (no 0.0.0.0/0 egress).
      SecurityGroupIngress: Match.absent(),
      SecurityGroupEgress: Match.absent(),
    });
  });

  test('with EFA: also all traffic with itself and the nodes, nothing else', () => {
    const t = storageStackOf(planCluster(resolveConfig('trn1-small'))).template;
    const all = ['in fs<-fs -1 -', 'out fs->fs -1 -', 'in fs<-nodes -1 -', 'out nodes->fs -1 -', 'out fs->nodes -1 -', 'in nodes<-fs -1 -'];
    expect(rules(t)).toEqual([...lustre, ...all].sort());
  });
});

describe('node storage access', () => {
  test('mount section: no download, idempotent fstab entry and mount; EFA LNet steps written out only with EFA', () => {
    const mini = storageStackOf(planCluster(resolveConfig('rainier-mini'))).stack.nodeAccess;
    const trn1 = storageStackOf(planCluster(resolveConfig('trn1-small'))).stack.nodeAccess;
    const script = (a: typeof mini) => a.bootstrap.map((s) => s.commands.join('\n')).join('\n');
    expect(mini.bootstrap.map((s) => s.name)).toEqual(['lustre-mount']);
    expect(script(mini)).toContain('grep -qs " /fsx lustre " "$R/etc/fstab" ||');
    expect(script(mini)).toMatch(/@tcp:\/.* \/fsx lustre defaults,relatime,flock,_netdev/);
    expect(script(mini)).toContain('mountpoint -q "$R/fsx" || mount "$R/fsx"');
    expect(script(mini)).not.toContain('kefalnd');
    expect(script(trn1)).toContain('lnetctl net add --net efa --if "$device" --peer-credits 32');
    expect(script(trn1)).toContain('systemctl enable rainier-lustre-efa.service');
    for (const s of [script(mini), script(trn1)]) {
      expect(s).not.toMatch(/https?:\/\//);
      expect(s).not.toMatch(/\b(curl|wget|apt-get|dnf|yum)\b/);
    }
    expect(mini.lustre).toMatchObject({ mountPoint: '/fsx', efaEnabled: false });
    expect(trn1.lustre.efaEnabled).toBe(true);
    expect(mini.datasets).not.toBe(mini.checkpoints);
    expect(mini.keys).toHaveLength(1);
  });
});
