import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildClusterApp } from '../lib/app';
import { Acknowledgement, Finding, acknowledgements, addCompliancePacks, complianceFindings, packOf, ruleName } from '../lib/compliance';
import { ConfigSource } from '../lib/config/load';
import { PresetName } from '../lib/config/presets';
import { cloudFormationValidateViolations } from './support/nag';
import { CDK_JSON_CONTEXT } from './support/synth';

/**
 * Every pack (cdk-nag AwsSolutions and NIST 800-53 rev 5, Control Tower proactive controls through
 * cfn-guard) on every small preset: zero unacknowledged findings, and every acknowledgement narrow
 * (one rule, on a construct below the stacks) with a reason of substance. rainier-scale runs in
 * `npm run check -- --scale` (minutes).
 */
// rainier-mini-eks: the scheduler layer (orchestrator stack, control-plane network, nodes that join).
// `ultraserver` is left out: its one pool is rainier-mini's UltraServer pool with one UltraServer
// instead of two (same stacks, same resource types and properties), so it adds time, not coverage.
const PRESETS: PresetName[] = ['rainier-mini', 'single-node', 'trn1-small', 'rainier-mini-eks'];
/** Plus a synthesised shared fabric: two buildings in one zone with one VPC (docs/topology.md). */
const SHARED_FABRIC = path.join(__dirname, 'fixtures', 'fabrics', 'shared-fabric.yaml');
/** Plus every perimeter option at once: egress nat, a checkpoint replica, IMDS hop limit 2, exported deletions and every principal list. */
const EVERY_PERIMETER_OPTION = path.join(__dirname, 'fixtures', 'perimeter', 'every-option.yaml');
const SOURCES: [string, ConfigSource][] = [
  ...PRESETS.map((preset): [string, ConfigSource] => [preset, { preset }]),
  ['shared-fabric fixture', { configPath: SHARED_FABRIC }],
  ['every-perimeter-option fixture', { configPath: EVERY_PERIMETER_OPTION }],
];
const MIN_REASON_CHARS = 40;

interface Checked {
  readonly findings: Finding[];
  /** aws-cdk-lib's built-in CloudFormation validation (warnings only, so read from its report). */
  readonly cloudFormationValidate: ReturnType<typeof cloudFormationValidateViolations>;
  readonly acks: Acknowledgement[];
  readonly templates: Record<string, { Resources: Record<string, { Type: string; Properties?: any }> }>;
}

const outdirs: string[] = [];
afterAll(() => outdirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

const checkedBySource = new Map<string, Checked>();
function check(source: ConfigSource): Checked {
  const key = JSON.stringify(source);
  if (!checkedBySource.has(key)) {
    checkedBySource.set(key, synthAndCheck(source));
  }
  return checkedBySource.get(key)!;
}

function synthAndCheck(source: ConfigSource): Checked {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'rainier-compliance-'));
  outdirs.push(outdir);
  // The CLI app leaves the built-in CloudFormation validation off for speed (lib/context.ts); here it
  // runs on every small preset, in the same synthesis as the packs, and any finding fails the suite.
  const app = new App({ outdir, context: CDK_JSON_CONTEXT, builtinCloudFormationValidation: true });
  buildClusterApp(app, source);
  addCompliancePacks(app);
  const findings = complianceFindings(app);
  const cloudFormationValidate = cloudFormationValidateViolations(app);
  const templates = Object.fromEntries(
    fs
      .readdirSync(outdir)
      .filter((f) => f.endsWith('.template.json'))
      .map((f) => [f, JSON.parse(fs.readFileSync(path.join(outdir, f), 'utf8'))]),
  );
  return { findings, cloudFormationValidate, acks: acknowledgements(app), templates };
}

function resources(c: Checked, type: string): any[] {
  return Object.values(c.templates).flatMap((t) => Object.values(t.Resources ?? {}).filter((r) => r.Type === type));
}

describe.each(SOURCES)('%s', (_label, source) => {
  const checked = check(source);

  test('has no unacknowledged finding in any pack', () => {
    expect(checked.findings).toEqual([]);
  });

  test('has no unacknowledged finding of the built-in CloudFormation validation', () => {
    expect(checked.cloudFormationValidate).toEqual([]);
  });

  // aws-cdk-lib acknowledges a few findings of its own built-in CloudFormation validation itself
  // (CloudFormation-Validate::W3010 on the App, for literal AZs); those are not ours to judge.
  const ours = () => checked.acks.filter((a) => !a.rule.startsWith('CloudFormation-Validate::'));

  test('every acknowledgement belongs to one of the packs', () => {
    expect(ours().filter((a) => a.pack === undefined).map((a) => `${a.path}: ${a.rule}`)).toEqual([]);
  });

  test('acknowledges only on constructs below the stacks, never app- or stack-wide', () => {
    expect(ours().filter((a) => a.scope !== 'construct').map((a) => `${a.path}: ${a.rule}`)).toEqual([]);
  });

  test('every acknowledgement names one specific rule and gives a reason of substance', () => {
    expect(ours().length).toBeGreaterThan(0);
    const vague = ours().filter(
      (a) =>
        // AwsSolutions-IAM5, NIST.800.53.R5-S3BucketReplicationEnabled, kms_create_grant_aws_service_check
        !/^(AwsSolutions-[A-Z]+\d+|NIST\.800\.53\.R5-[A-Za-z0-9]+|RainierPerimeter-[A-Za-z]+|[a-z0-9_]+_check)$/.test(ruleName(a.rule)) ||
        a.reason.trim().length < MIN_REASON_CHARS,
    );
    expect(vague.map((a) => `${a.path}: ${a.rule}: "${a.reason}"`)).toEqual([]);
  });

  // The default group is closed (restrictDefaultSecurityGroup), and nothing is placed in it either.
  test('nothing uses the VPC default security group', () => {
    for (const lt of resources(checked, 'AWS::EC2::LaunchTemplate')) {
      const data = lt.Properties.LaunchTemplateData;
      expect(data.SecurityGroupIds ?? data.SecurityGroups).toBeUndefined();
      for (const nic of data.NetworkInterfaces) {
        expect(nic.Groups.length).toBeGreaterThan(0);
      }
    }
    for (const endpoint of resources(checked, 'AWS::EC2::VPCEndpoint').filter((e) => e.Properties.VpcEndpointType === 'Interface')) {
      expect(endpoint.Properties.SecurityGroupIds.length).toBeGreaterThan(0);
    }
    for (const fileSystem of resources(checked, 'AWS::FSx::FileSystem')) {
      expect(fileSystem.Properties.SecurityGroupIds.length).toBeGreaterThan(0);
    }
    expect(resources(checked, 'AWS::EC2::Instance')).toEqual([]);
    // Only the custom resource that closes it names the default group.
    const namingIt = Object.values(checked.templates).flatMap((t) =>
      Object.values(t.Resources ?? {}).filter((r) => JSON.stringify(r.Properties ?? {}).includes('DefaultSecurityGroup')),
    );
    // (and its handler's role, allowed to revoke rules of that one group)
    expect(namingIt.map((r) => r.Type).sort()).toEqual(
      Object.keys(checked.templates)
        .filter((f) => f.includes('network'))
        .flatMap(() => ['AWS::IAM::Role', 'Custom::VpcRestrictDefaultSG']),
    );
  });

  test('the perimeter rules ran and are acknowledged only for role trusts that cannot carry a source condition', () => {
    const perimeter = ours().filter((a) => a.pack === 'RainierPerimeter');
    expect([...new Set(perimeter.map((a) => ruleName(a.rule)))]).toEqual(['RainierPerimeter-ServiceGrantConditioned']);
    expect(perimeter.map((a) => a.path.replace(/^[^/]+\//, '')).sort()).toEqual(
      expect.arrayContaining(['Custom::VpcRestrictDefaultSGCustomResourceProvider/Role', 'NodeRole/Resource']),
    );
  });

  // Evidence for the cloudwatch_log_group_encrypted_check acknowledgement (a cross-stack key).
  test('every log group is encrypted with a customer key', () => {
    const groups = resources(checked, 'AWS::Logs::LogGroup');
    expect(groups.length).toBeGreaterThan(0);
    for (const group of groups) {
      expect(group.Properties.KmsKeyId).toBeDefined();
    }
  });

  test('every Auto Scaling group holds new nodes in a launch lifecycle hook, abandoned by default', () => {
    const groups = resources(checked, 'AWS::AutoScaling::AutoScalingGroup');
    expect(groups.length).toBeGreaterThan(0);
    for (const group of groups) {
      expect(group.Properties.LifecycleHookSpecificationList).toEqual([
        expect.objectContaining({ LifecycleHookName: 'rainier-node-health', LifecycleTransition: 'autoscaling:EC2_INSTANCE_LAUNCHING', DefaultResult: 'ABANDON' }),
      ]);
    }
    // Nodes may complete the action only on groups carrying their own cluster, site and pool tags.
    const statements = resources(checked, 'AWS::IAM::ManagedPolicy').flatMap((p) => p.Properties.PolicyDocument.Statement);
    const complete = statements.filter((st: any) => [st.Action].flat().includes('autoscaling:CompleteLifecycleAction'));
    expect(complete.length).toBeGreaterThan(0);
    for (const st of complete) {
      expect(Object.keys(st.Condition.StringEquals).sort()).toEqual([
        'autoscaling:ResourceTag/rainier:cluster',
        'autoscaling:ResourceTag/rainier:pool',
        'autoscaling:ResourceTag/rainier:site',
      ]);
    }
  });
});

describe('every-perimeter-option fixture: the options took effect, so the packs above saw them', () => {
  const checked = check({ configPath: EVERY_PERIMETER_OPTION });
  test('a replica stack, the NAT choice recorded on the cluster group, hop limit 2 and no exported deletion left out', () => {
    expect(Object.keys(checked.templates)).toContain('rainier-ohio-storage-replica.template.json');
    expect(resources(checked, 'AWS::EC2::SecurityGroup').some((r) => JSON.stringify(r).includes('"egress":"nat"'))).toBe(true);
    expect(resources(checked, 'AWS::EC2::LaunchTemplate').map((r) => r.Properties.LaunchTemplateData.MetadataOptions.HttpPutResponseHopLimit)).toEqual([2, 2]);
    expect(resources(checked, 'AWS::FSx::DataRepositoryAssociation').some((r) => JSON.stringify(r.Properties).includes('DELETED'))).toBe(true);
  });
});

describe('shared fabric fixture: the perimeter names the shared VPC', () => {
  const checked = check({ configPath: SHARED_FABRIC });

  test('one network stack, one VPC, one cluster security group for both buildings', () => {
    expect(Object.keys(checked.templates).filter((f) => f.includes('network'))).toEqual(['rainier-ohio-network.template.json']);
    expect(resources(checked, 'AWS::EC2::VPC')).toHaveLength(1);
  });

  test("every bucket's aws:SourceVpc condition names the fabric's VPC, for the member building too", () => {
    const vpcRefs = Object.entries(checked.templates)
      .filter(([f]) => f.includes('storage'))
      .map(([f, t]) => {
        const conditions = Object.values(t.Resources)
          .filter((r) => r.Type === 'AWS::S3::BucketPolicy')
          .flatMap((r) => r.Properties.PolicyDocument.Statement)
          .map((st: any) => st.Condition?.StringNotEqualsIfExists?.['aws:SourceVpc'])
          .filter((v: unknown) => v !== undefined);
        return [f, [...new Set(conditions.map((c: unknown) => JSON.stringify(c)))]];
      });
    expect(vpcRefs.map(([f]) => f).sort()).toEqual(['rainier-ohio-b-storage.template.json', 'rainier-ohio-storage.template.json']);
    // Both storage stacks import the same export: the VPC of ohio's network stack.
    const all = vpcRefs.flatMap(([, c]) => c as string[]);
    expect(new Set(all).size).toBe(1);
    expect(all[0]).toContain('rainier-ohio-network');
  });

  test("each building's file system sits in its own storage subnet of the shared VPC", () => {
    const subnets = Object.entries(checked.templates)
      .filter(([f]) => f.includes('storage'))
      .map(([, t]) => JSON.stringify(Object.values(t.Resources).find((r) => r.Type === 'AWS::FSx::FileSystem')!.Properties.SubnetIds));
    expect(subnets).toHaveLength(2);
    expect(subnets[0]).not.toEqual(subnets[1]);
    expect(subnets.join()).toMatch(/StorageOhioB/);
  });
});

describe('acknowledgement IDs', () => {
  test.each([
    ['AwsSolutions-IAM5[Resource::*]', 'AwsSolutions', 'AwsSolutions-IAM5'],
    ['Annotation::NIST.800.53.R5-IAMNoInlinePolicy', 'NIST.800.53.R5', 'NIST.800.53.R5-IAMNoInlinePolicy'],
    ['cdk-validator-cfnguard::autoscaling_multiple_az_check', 'ControlTower', 'autoscaling_multiple_az_check'],
    ['RainierPerimeter-ServiceGrantConditioned', 'RainierPerimeter', 'RainierPerimeter-ServiceGrantConditioned'],
  ])('%s belongs to %s, rule %s', (id, pack, rule) => {
    expect(packOf(id)).toBe(pack);
    expect(ruleName(id.replace(/^Annotation::/, ''))).toBe(rule);
  });
});

describe('the check itself', () => {
  test('reports an unacknowledged finding of each pack, and hides it once acknowledged on its construct', () => {
    const build = (acknowledged: boolean) => {
      const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'rainier-compliance-'));
      outdirs.push(outdir);
      const app = new App({ outdir });
      const bucket = new s3.Bucket(new Stack(app, 'Probe'), 'Bucket');
      if (acknowledged) {
        for (const id of ['AwsSolutions-S1', 'NIST.800.53.R5-S3BucketLoggingEnabled', 'cdk-validator-cfnguard::s3_bucket_logging_enabled_check']) {
          Validations.of(bucket).acknowledge({ id, reason: 'probe' });
        }
      }
      Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
      addCompliancePacks(app);
      return complianceFindings(app);
    };
    const logging = (findings: Finding[]) =>
      findings.filter((f) => /S1$|S3BucketLoggingEnabled$|s3_bucket_logging_enabled_check$/.test(f.rule)).map((f) => `${f.pack} ${f.path}`);
    expect(logging(build(false)).sort()).toEqual([
      'AwsSolutions Probe/Bucket/Resource',
      'ControlTower Probe/Bucket/Resource',
      'NIST.800.53.R5 Probe/Bucket/Resource',
    ]);
    expect(logging(build(true))).toEqual([]);
  });
});
