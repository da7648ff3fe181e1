import { spawnSync } from 'child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { JOB_NAMESPACE, NODE_LABELS } from '../lib/catalog/kubernetes';
import { loadConfig, resolveConfig } from '../lib/config/load';
import { EksCluster } from '../lib/constructs/eks-cluster';
import { renderBootstrap } from '../lib/constructs/node-bootstrap';
import { nodeCheckScript, nodeLifecycleSection, nodeSelfCheckSection } from '../lib/constructs/node-health';
import { NODE_CONFIG, NodeJoinOptions, nodeJoinSection } from '../lib/constructs/node-join';
import { planCluster } from '../lib/plan/build';
import { CONTROL_PLANE_LOG_TYPES, EKS_ADDON_REGISTRY_ACCOUNTS, NODE_JOIN_STEP, PULL_THROUGH_CACHE, serviceCidrFor } from '../lib/plan/eks';
import { planNodeHealth } from '../lib/plan/health';
import { planNetwork } from '../lib/plan/network';
import { AccessPlan } from '../lib/plan/orchestrator';
import { StackKind } from '../lib/plan/types';
import { lintTest, shellcheckIssues } from './support/shellcheck';
import { synthCluster } from './support/synth';
import { bootScriptOf } from './support/user-data';

/**
 * `orchestrator: eks` rendered: the orchestrator stack (private endpoint, access, keys, logs,
 * add-ons, cache rule), the network additions, and the node side (the join after the self-check),
 * on one synthesis of an UltraServer cluster with three named principals. The join section also
 * runs under bash with stub commands, as test/node-boot.test.ts runs the rest of the boot.
 */

const FIXTURE = join(__dirname, 'fixtures', 'orchestrator', 'eks-access.yaml');
const config = loadConfig({ configPath: FIXTURE });
const plan = planCluster(config);
const eks = plan.orchestrator!.clusters[0];
const built = synthCluster({ configPath: FIXTURE });
const stackOf = (kind: StackKind) => plan.stacks.find((s) => s.kind === kind)!.id;
const orchestrator = built.template(stackOf(StackKind.ORCHESTRATOR));
const network = built.template(stackOf(StackKind.NETWORK));
const compute = built.template(stackOf(StackKind.COMPUTE));
const logicalIdOf = (template: typeof network, type: string, props: object) => Object.keys(template.findResources(type, { Properties: props }))[0];

describe('the EKS cluster', () => {
  test('is private: the private endpoint on, the public endpoint off', () => {
    orchestrator.hasResourceProperties('AWS::EKS::Cluster', {
      Name: eks.name,
      Version: plan.orchestrator!.kubernetesVersion,
      ResourcesVpcConfig: Match.objectLike({ EndpointPrivateAccess: true, EndpointPublicAccess: false }),
    });
    expect(JSON.stringify(orchestrator.toJSON())).not.toContain('PublicAccessCidrs');
  });

  test('takes access from API access entries only, and gives its creator none', () => {
    orchestrator.hasResourceProperties('AWS::EKS::Cluster', { AccessConfig: { AuthenticationMode: 'API', BootstrapClusterCreatorAdminPermissions: false } });
  });

  test('encrypts secrets with a customer key of its own stack, retained, rotated', () => {
    const keyId = logicalIdOf(orchestrator, 'AWS::KMS::Key', { EnableKeyRotation: true });
    orchestrator.hasResourceProperties('AWS::EKS::Cluster', { EncryptionConfig: [{ Provider: { KeyArn: { 'Fn::GetAtt': [keyId, 'Arn'] } }, Resources: ['secrets'] }] });
    orchestrator.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  test('sends every control plane log type to its own log group, created first, encrypted and retained', () => {
    orchestrator.hasResourceProperties('AWS::EKS::Cluster', { Logging: { ClusterLogging: { EnabledTypes: CONTROL_PLANE_LOG_TYPES.map((Type) => ({ Type })) } } });
    const groups = orchestrator.findResources('AWS::Logs::LogGroup');
    const [groupId, group] = Object.entries(groups)[0] as [string, any];
    expect(Object.keys(groups)).toHaveLength(1);
    expect(group.Properties.LogGroupName).toBe(`/aws/eks/${eks.name}/cluster`);
    expect(group.Properties.KmsKeyId).toEqual({ 'Fn::ImportValue': expect.stringContaining('LogsKey') });
    expect(group.DeletionPolicy).toBe('Retain');
    const cluster = Object.values(orchestrator.findResources('AWS::EKS::Cluster'))[0] as any;
    expect(cluster.DependsOn).toContain(groupId);
  });

  test('installs no self-managed add-ons, and the managed ones with versions left to EKS', () => {
    orchestrator.hasResourceProperties('AWS::EKS::Cluster', { BootstrapSelfManagedAddons: false });
    const addons = Object.values(orchestrator.findResources('AWS::EKS::Addon')) as any[];
    expect(addons.map((a) => a.Properties.AddonName).sort()).toEqual(['coredns', 'eks-pod-identity-agent', 'kube-proxy', 'vpc-cni']);
    expect(addons.filter((a) => a.Properties.AddonVersion !== undefined)).toEqual([]);
  });

  test('uses a service CIDR that does not overlap the VPC, the one the nodes are told', () => {
    const cidr = serviceCidrFor(plan.sites[0].network.cidr);
    orchestrator.hasResourceProperties('AWS::EKS::Cluster', { KubernetesNetworkConfig: { IpFamily: 'ipv4', ServiceIpv4Cidr: cidr } });
    expect(serviceCidrFor('10.100.0.0/16')).toBe('172.20.0.0/16');
    expect(serviceCidrFor('10.0.0.0/16')).toBe('10.100.0.0/16');
    const lt = Object.values(compute.findResources('AWS::EC2::LaunchTemplate'))[0] as any;
    expect(bootScriptOf(lt.Properties.LaunchTemplateData.UserData)).toContain(`    cidr: ${cidr}\n`);
  });

  test('runs on the documented minimal cluster role: no AWS managed policy, tagging only kubernetes.io/cluster/* keys', () => {
    const role = Object.values(orchestrator.findResources('AWS::IAM::Role', { Properties: { AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'eks.amazonaws.com' } })] } } }))[0] as any;
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    orchestrator.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: 'ec2:CreateTags', Condition: { 'ForAnyValue:StringLike': { 'aws:TagKeys': 'kubernetes.io/cluster/*' } } }),
        ]),
      },
    });
  });
});

describe('access entries', () => {
  const entries = () => Object.values(orchestrator.findResources('AWS::EKS::AccessEntry')) as any[];

  test('exist only for the named principals, with the access policy and scope the plan gives each', () => {
    const json = (v: unknown) => JSON.stringify(v);
    expect(entries().map((e) => [json(e.Properties.PrincipalArn), e.Properties.Type, e.Properties.AccessPolicies])).toEqual([
      [
        json({ 'Fn::Join': ['', ['arn:aws:iam::', { Ref: 'AWS::AccountId' }, ':role/TrainingAdmins']] }),
        'STANDARD',
        [{ PolicyArn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy', AccessScope: { Type: 'cluster' } }],
      ],
      [
        json('arn:aws:iam::111122223333:role/ml/Researchers'),
        'STANDARD',
        [{ PolicyArn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy', AccessScope: { Type: 'namespace', Namespaces: [JOB_NAMESPACE] } }],
      ],
      [
        json({ 'Fn::Join': ['', ['arn:aws:iam::', { Ref: 'AWS::AccountId' }, ':role/Auditors']] }),
        'STANDARD',
        [{ PolicyArn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy', AccessScope: { Type: 'namespace', Namespaces: [JOB_NAMESPACE] } }],
      ],
    ]);
  });

  test('never name the account root or a wildcard, and take no admin parameter when access is configured', () => {
    const text = JSON.stringify(entries());
    expect(text).not.toMatch(/:root"|"\*"|role\/\*/);
    expect(orchestrator.toJSON().Parameters?.ClusterAdminRoleArn).toBeUndefined();
  });

  // An IAM principal can be in only one access entry, and CloudFormation creates a replacement before
  // it deletes what it replaces: an entry whose principal changed under the same logical ID would fail.
  test('keep their logical IDs when principals are added ahead of them or reordered, so no replacement names a principal another entry holds', () => {
    const entryIds = (access: AccessPlan[]) => {
      const stack = new Stack(new App(), 'Entries', { env: { account: '111122223333', region: 'us-east-2' } });
      const cluster = new EksCluster(stack, 'Cluster', {
        plan: { ...eks, access },
        kubernetesVersion: '1.33',
        subnets: ['subnet-0a', 'subnet-0b'].map((id, i) => ec2.Subnet.fromSubnetId(stack, `S${i}`, id)),
        securityGroup: ec2.SecurityGroup.fromSecurityGroupId(stack, 'Sg', 'sg-0123'),
        logsKey: kms.Key.fromKeyArn(stack, 'Logs', 'arn:aws:kms:us-east-2:111122223333:key/0000'),
        logRetentionDays: 365,
      });
      return new Map(cluster.accessEntries.map((e) => [JSON.stringify(stack.resolve(e.principalArn)), stack.getLogicalId(e)]));
    };
    const [a, b, c] = eks.access;
    const before = entryIds([a, b]);
    const after = entryIds([c, b, a]);
    expect(before.size).toBe(2);
    for (const [principal, id] of before) {
      expect(after.get(principal)).toBe(id);
    }
    expect(new Set(after.values()).size).toBe(3);
  });

  test("each pool's node role joins as an EC2_LINUX entry of its own stack, before any node launches", () => {
    const [entryId, entry] = Object.entries(compute.findResources('AWS::EKS::AccessEntry'))[0] as [string, any];
    const roleId = Object.keys(compute.findResources('AWS::IAM::Role', { Properties: { AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'ec2.amazonaws.com' } })] } } }))[0];
    expect(entry.Properties).toEqual(expect.objectContaining({ Type: 'EC2_LINUX', PrincipalArn: { 'Fn::GetAtt': [roleId, 'Arn'] }, ClusterName: { 'Fn::ImportValue': expect.any(String) } }));
    expect(entry.Properties.AccessPolicies).toBeUndefined();
    const template = Object.values(compute.findResources('AWS::EC2::LaunchTemplate'))[0] as any;
    expect(template.DependsOn).toContain(entryId);
  });
});

describe('nothing runs at deploy time but CloudFormation', () => {
  test('no Lambda function and no custom resource besides the network stack\'s default-group restriction, which the default preset has too', () => {
    const types = built.stackIds().flatMap((id) => Object.values(built.template(id).toJSON().Resources ?? {}).map((r: any) => `${id.endsWith('-network') ? 'network' : 'other'} ${r.Type}`));
    const deployTime = types.filter((t) => /AWS::Lambda::|Custom::|AWS::CloudFormation::CustomResource/.test(t));
    expect([...new Set(deployTime)].sort()).toEqual(['network AWS::Lambda::Function', 'network Custom::VpcRestrictDefaultSG']);
  });
});

describe('the network of the control plane', () => {
  test('two private subnets, in the plan\'s two zones and CIDRs, with no public IPs and no route out of the VPC', () => {
    for (const s of eks.controlPlaneSubnets) {
      network.hasResourceProperties('AWS::EC2::Subnet', { AvailabilityZone: s.zone, CidrBlock: s.cidr, MapPublicIpOnLaunch: false });
    }
    expect(new Set(eks.controlPlaneSubnets.map((s) => s.zone)).size).toBe(2);
    const tables = Object.keys(network.findResources('AWS::EC2::RouteTable')).filter((id) => id.includes('ControlPlane'));
    expect(tables).toHaveLength(2);
    const routes = Object.values(network.findResources('AWS::EC2::Route')) as any[];
    expect(routes.filter((r) => tables.includes(r.Properties.RouteTableId.Ref))).toEqual([]);
  });

  const cpGroup = () => logicalIdOf(network, 'AWS::EC2::SecurityGroup', { GroupDescription: Match.stringLikeRegexp('^EKS control plane') });
  const nodeGroup = () => logicalIdOf(network, 'AWS::EC2::SecurityGroup', { GroupDescription: Match.stringLikeRegexp('^Trainium nodes') });
  const rules = (type: string, group: string) =>
    (Object.values(network.findResources(type)) as any[]).filter((r) => r.Properties.GroupId['Fn::GetAtt'][0] === group).map((r) => r.Properties);

  test('the control plane takes HTTPS from the nodes, and nothing from anywhere else', () => {
    expect(rules('AWS::EC2::SecurityGroupIngress', cpGroup()).map((r) => [r.IpProtocol, r.FromPort, r.ToPort, r.SourceSecurityGroupId['Fn::GetAtt'][0]])).toEqual([['tcp', 443, 443, nodeGroup()]]);
    const cp = Object.values(network.findResources('AWS::EC2::SecurityGroup')).find((g: any) => g.Properties.GroupDescription.startsWith('EKS control plane')) as any;
    expect(cp.Properties.SecurityGroupIngress).toBeUndefined();
  });

  test('the control plane opens to the nodes only the documented ports, and to nothing else', () => {
    const out = rules('AWS::EC2::SecurityGroupEgress', cpGroup()).map((r) => [r.IpProtocol, r.FromPort, r.ToPort, r.DestinationSecurityGroupId['Fn::GetAtt'][0]]);
    expect(out.sort()).toEqual(
      [
        ['tcp', 1025, 65535, nodeGroup()],
        ['tcp', 443, 443, nodeGroup()],
        ['tcp', 53, 53, nodeGroup()],
        ['udp', 53, 53, nodeGroup()],
      ].sort(),
    );
    const cp = Object.values(network.findResources('AWS::EC2::SecurityGroup')).find((g: any) => g.Properties.GroupDescription.startsWith('EKS control plane')) as any;
    // No inline egress: the group's only outbound rules are the standalone ones above (allowAllOutbound: false).
    expect(cp.Properties.SecurityGroupEgress).toBeUndefined();
  });

  test('the nodes accept the kubelet port (10250, in 1025-65535) and extension API servers (443) from the control plane, and reach its 443', () => {
    const from = rules('AWS::EC2::SecurityGroupIngress', nodeGroup()).filter((r) => r.SourceSecurityGroupId?.['Fn::GetAtt'][0] === cpGroup());
    expect(from.map((r) => `${r.IpProtocol} ${r.FromPort}-${r.ToPort}`).sort()).toEqual(['tcp 1025-65535', 'tcp 443-443', 'tcp 53-53', 'udp 53-53']);
    const to = rules('AWS::EC2::SecurityGroupEgress', nodeGroup()).filter((r) => r.DestinationSecurityGroupId?.['Fn::GetAtt'][0] === cpGroup());
    expect(to.map((r) => `${r.IpProtocol} ${r.FromPort}-${r.ToPort}`)).toEqual(['tcp 443-443']);
  });

  test('the cluster gets the control-plane subnets and security group of the fabric network', () => {
    const cluster = Object.values(orchestrator.findResources('AWS::EKS::Cluster'))[0] as any;
    expect(JSON.stringify(cluster.Properties.ResourcesVpcConfig.SubnetIds)).toMatch(/ControlPlaneSubnetA.*ControlPlaneSubnetB/);
    expect(JSON.stringify(cluster.Properties.ResourcesVpcConfig.SecurityGroupIds)).toContain('EksControlPlaneSecurityGroup');
  });
});

describe('the perimeter with EKS', () => {
  test('an eks-auth endpoint for Pod Identity, in the fabric-zone control-plane subnet, this account\'s principals only', () => {
    const endpoint = Object.values(network.findResources('AWS::EC2::VPCEndpoint', { Properties: { ServiceName: 'com.amazonaws.us-east-2.eks-auth' } }))[0] as any;
    expect(JSON.stringify(endpoint.Properties.SubnetIds)).toContain('ControlPlaneSubnetA');
    expect(endpoint.Properties.PrivateDnsEnabled).toBe(true);
    expect(endpoint.Properties.PolicyDocument.Statement).toEqual([expect.objectContaining({ Condition: { StringEquals: { 'aws:PrincipalAccount': { Ref: 'AWS::AccountId' } } } })]);
  });

  test("the ECR endpoints let nodes pull from the Region's EKS add-on registry, and no other account's", () => {
    const account = EKS_ADDON_REGISTRY_ACCOUNTS['us-east-2'];
    for (const service of ['ecr.api', 'ecr.dkr']) {
      const endpoint = Object.values(network.findResources('AWS::EC2::VPCEndpoint', { Properties: { ServiceName: `com.amazonaws.us-east-2.${service}` } }))[0] as any;
      const pull = endpoint.Properties.PolicyDocument.Statement.find((s: any) => s.Sid === 'ThisAccountsPrincipalsPullFromNamedRegistries');
      expect(pull.Condition.StringEquals['aws:ResourceAccount']).toEqual([account]);
    }
  });

  test('public.ecr.aws images come through an ECR pull-through cache rule, never the internet', () => {
    orchestrator.hasResourceProperties('AWS::ECR::PullThroughCacheRule', {
      EcrRepositoryPrefix: PULL_THROUGH_CACHE.repositoryPrefix,
      UpstreamRegistry: 'ecr-public',
      UpstreamRegistryUrl: 'public.ecr.aws',
    });
    expect(JSON.stringify(orchestrator.toJSON())).not.toContain('CredentialArn');
  });

  test('without the orchestrator the network plan is what it always was', () => {
    const none = planNetwork(config.sites.ohio, config.perimeter);
    expect(none.interfaceEndpoints).not.toContain('eks-auth');
    expect(none.imageRegistryAccounts).toEqual([]);
    expect(planNetwork(config.sites.ohio, config.perimeter, [], true).nodeAddressesNeeded).toBe(none.nodeAddressesNeeded);
  });

  test('fails with a clear error for a Region whose EKS add-on registry is not known', () => {
    expect(() => planNetwork({ ...config.sites.ohio, region: 'xx-nowhere-1' }, config.perimeter, [], true)).toThrow(/orchestrator.*xx-nowhere-1.*known EKS add-on image registry/s);
  });
});

describe('the node side', () => {
  const nodeRolePolicies = () => Object.values(compute.findResources('AWS::IAM::ManagedPolicy')) as any[];

  test('the VPC CNI runs on its own Pod Identity role, trusted only for aws-node of this cluster; the node role has no CNI or worker managed policy', () => {
    orchestrator.hasResourceProperties('AWS::EKS::Addon', { AddonName: 'vpc-cni', PodIdentityAssociations: [Match.objectLike({ ServiceAccount: 'aws-node' })] });
    orchestrator.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Action: ['sts:AssumeRole', 'sts:TagSession'],
            Principal: { Service: 'pods.eks.amazonaws.com' },
            Condition: { StringEquals: Match.objectLike({ 'aws:RequestTag/kubernetes-namespace': 'kube-system', 'aws:RequestTag/kubernetes-service-account': 'aws-node' }) },
          }),
        ],
      },
      ManagedPolicyArns: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/AmazonEKS_CNI_Policy']] }],
    });
    expect(JSON.stringify(compute.toJSON())).not.toMatch(/AmazonEKS_CNI_Policy|AmazonEKSWorkerNodePolicy|AmazonEC2ContainerRegistry/);
    // The plan's addresses per node (orchestrator.podAddressesPerNode), not a whole spare network interface's.
    const { minimumIpTarget, warmIpTarget } = eks.podAddresses;
    orchestrator.hasResourceProperties('AWS::EKS::Addon', { AddonName: 'vpc-cni', ConfigurationValues: `{"env":{"MINIMUM_IP_TARGET":"${minimumIpTarget}","WARM_IP_TARGET":"${warmIpTarget}"}}` });
  });

  test('nodes may assume Pod Identity credentials on their own cluster only, and pull only from the cache prefix and the named registries', () => {
    const statements = nodeRolePolicies().flatMap((p) => p.Properties.PolicyDocument.Statement) as any[];
    const byAction = (action: string) => statements.filter((s) => [s.Action].flat().includes(action));
    expect(byAction('eks-auth:AssumeRoleForPodIdentity').map((s) => s.Resource)).toEqual([{ 'Fn::ImportValue': expect.stringContaining('Arn') }]);
    const pulls = JSON.stringify(byAction('ecr:BatchGetImage').map((s) => s.Resource));
    expect(pulls).toContain(`:${EKS_ADDON_REGISTRY_ACCOUNTS['us-east-2']}:repository/*`);
    expect(pulls).toContain(':repository/ecr-public/*');
    expect(JSON.stringify(byAction('ecr:CreateRepository').map((s) => s.Resource))).toContain(':repository/ecr-public/*');
    expect(statements.filter((s) => [s.Action].flat().some((a: string) => a.endsWith(':*')))).toEqual([]);
  });

  test('the compute stack deploys after the orchestrator stack', () => {
    const stack = built.app.node.findChild(stackOf(StackKind.COMPUTE)) as any;
    expect(stack.dependencies.map((d: any) => d.node.id)).toContain(stackOf(StackKind.ORCHESTRATOR));
  });

  test('the boot joins the cluster last: after the self-check, which then leaves CONTINUE to the join', () => {
    const lt = Object.values(compute.findResources('AWS::EC2::LaunchTemplate'))[0] as any;
    const userData = bootScriptOf(lt.Properties.LaunchTemplateData.UserData);
    const steps = [...userData.matchAll(/export RAINIER_STEP=([a-z-]+)/g)].map((m) => m[1]);
    expect(steps.slice(-2)).toEqual(['self-check', 'node-join']);
    const site = plan.sites[0];
    expect(planNodeHealth(site, site.pools[0], undefined, true).steps.map((s) => s.step)).toEqual(['instance-boot', ...steps.slice(1)]);
    expect(userData).toContain('nodeadm init --config-source "file://$RAINIER_NODE_CONFIG"');
    expect(userData.match(/CONTINUE/g)).toHaveLength(1 + 1); // the lifecycle helper's own check, and the join's call
  });

  test('RAIN-W704 counts the join: a timeout that covers the boot but not the join warns only with EKS', () => {
    const site = plan.sites[0];
    const seconds = planNodeHealth(site, site.pools[0]).steps.reduce((n, s) => n + s.seconds, 0);
    const warned = (overlay: object) => planCluster(resolveConfig('ultraserver', { compute: { launchHookTimeoutSeconds: seconds }, ...overlay })).findings.filter((f) => f.code === 'RAIN-W704');
    expect(warned({})).toEqual([]);
    expect(warned({ orchestrator: 'eks' })).toEqual([expect.objectContaining({ given: expect.stringContaining(`shorter than the ${seconds + NODE_JOIN_STEP.seconds} s boot budget`) })]);
  });

  test('the hook waits for the join too: its budget is one more step', () => {
    const site = plan.sites[0];
    const without = planNodeHealth(site, site.pools[0]);
    const withJoin = planNodeHealth(site, site.pools[0], undefined, true);
    expect(withJoin.heartbeatTimeoutSeconds).toBe(without.heartbeatTimeoutSeconds + NODE_JOIN_STEP.seconds);
    expect(nodeCheckScript(without, { complete: false })).not.toContain('"$LIFECYCLE" CONTINUE');
    expect(nodeCheckScript(without)).toContain('"$LIFECYCLE" CONTINUE');
  });
});

// ---------------------------------------------------------------------------------------------
// the join section, linted and run on stubs

const JOIN = {
  clusterName: 'rainier-fabric-ohio',
  endpoint: 'https://EXAMPLE0123456789.gr7.us-east-2.eks.amazonaws.com',
  certificateAuthority: 'Q0FEQVRB',
  serviceCidr: '10.100.0.0/16',
  site: 'ohio',
  pool: 'train',
  fabric: 'fabric-ohio',
  ultraServer: true,
};

/** A boot that ends with the join: lifecycle, self-check (not completing the hook), then the given join sections. */
function bootEndingWithJoin(...joins: NodeJoinOptions[]): string {
  const site = plan.sites[0];
  const health = planNodeHealth(site, site.pools[0], undefined, true);
  return renderBootstrap([
    nodeLifecycleSection({ cluster: plan.name, site: site.name, pool: 'train', region: site.region }, health),
    nodeSelfCheckSection(health, { complete: false }),
    ...joins.map(nodeJoinSection),
  ]);
}

lintTest('the join section and a boot ending with it are shellcheck-clean', () => {
  const script = bootEndingWithJoin(JOIN, { ...JOIN, ultraServer: false });
  expect(shellcheckIssues(script)).toBe('');
});

interface JoinRun {
  readonly status: number;
  readonly aws: string;
  readonly logger: string;
  readonly nodeadm: string;
  readonly nodeConfig: string;
  readonly systemctl: string;
}

/** Healthy-node stubs (as test/node-boot.test.ts), plus nodeadm and the kubelet's state. */
const STUBS: Record<string, string> = {
  aws: 'echo "aws $*" >> "$STUB_LOG/aws.log"',
  curl: [
    'case "$*" in',
    '  *api/token*) echo token ;;',
    '  *instance-id*) echo i-0123456789abcdef0 ;;',
    '  *groupName*) echo rainier-ohio-train-UltraServer0000 ;;',
    '  *) exit 22 ;;',
    'esac',
  ].join('\n'),
  logger: 'echo "logger $*" >> "$STUB_LOG/logger.log"',
  sleep: ':',
  timeout: 'shift; exec "$@"',
  stat: 'exit 0',
  'neuron-ls': `python3 -c 'import json, os; print(json.dumps([{"neuron_device": i, "nc_count": 4} for i in range(int(os.environ["STUB_DEVICES"]))]))'`,
  fi_info: 'for i in $(seq 1 16); do echo "    domain: rdmap${i}s0-rdm"; done',
  findmnt: ['for a in "$@"; do last="$a"; done', 'case "$*" in *OPTIONS*) echo rw,relatime; exit 0 ;; esac', 'case "$last" in */scratch) echo xfs ;; */fsx) echo lustre ;; esac'].join('\n'),
  systemctl: ['echo "systemctl $*" >> "$STUB_LOG/systemctl.log"', 'case "$*" in', '  show*) echo 0 ;;', '  *"is-active --quiet kubelet"*) [ "$STUB_KUBELET" != inactive ] ;;', 'esac'].join('\n'),
  // The kubelet's journal: registration logged only by a kubelet that joined.
  journalctl: ['echo "kubelet starting"', '[ "$STUB_KUBELET" = active ] && echo "I1130 kubelet_node_status.go:78] \"Successfully registered node\" node=\"ip-10-0-0-1\""', 'exit 0'].join('\n'),
  nodeadm: ['echo "nodeadm $*" >> "$STUB_LOG/nodeadm.log"', 'cp "${3#file://}" "$STUB_LOG/nodeconfig.yaml"', '[ "$STUB_NODEADM_FAILS" = no ]'].join('\n'),
};

function runJoin(options: { devices?: number; nodeadm?: 'present' | 'fails' | 'missing'; kubelet?: 'active' | 'unregistered' | 'inactive'; topology?: object }): JoinRun {
  const dir = mkdtempSync(join(tmpdir(), 'rainier-join-'));
  try {
    const [bin, root, log] = ['bin', 'root', 'log'].map((d) => join(dir, d));
    for (const d of [bin, root, log]) mkdirSync(d, { recursive: true });
    for (const [name, body] of Object.entries(STUBS)) {
      if (name === 'nodeadm' && options.nodeadm === 'missing') continue;
      writeFileSync(join(bin, name), `#!/bin/bash\n${body}\n`);
      chmodSync(join(bin, name), 0o755);
    }
    const agent = join(root, 'opt/aws/amazon-cloudwatch-agent/bin');
    mkdirSync(agent, { recursive: true });
    writeFileSync(join(agent, 'amazon-cloudwatch-agent-ctl'), '#!/bin/bash\n');
    chmodSync(join(agent, 'amazon-cloudwatch-agent-ctl'), 0o755);
    const topology = join(dir, 'topology.json');
    writeFileSync(topology, JSON.stringify(options.topology ?? { cluster: 'rainier', site: 'ohio', pool: 'train', ultraServer: 'ohio-train-u0000', position: 2 }));
    const script = bootEndingWithJoin(JOIN);
    const r = spawnSync('bash', ['-c', script], {
      encoding: 'utf8',
      env: {
        // Only the stubs and the basic tools: a nodeadm of this machine must not be found.
        PATH: `${bin}:/usr/bin:/bin`,
        HOME: dir,
        RAINIER_ROOT: root,
        RAINIER_TOPOLOGY_FILE: topology,
        STUB_LOG: log,
        STUB_DEVICES: String(options.devices ?? 16),
        STUB_KUBELET: options.kubelet ?? 'active',
        STUB_NODEADM_FAILS: options.nodeadm === 'fails' ? 'yes' : 'no',
      },
    });
    const read = (f: string) => (existsSync(join(log, f)) ? readFileSync(join(log, f), 'utf8') : '');
    return {
      status: r.status ?? -1,
      aws: read('aws.log'),
      logger: read('logger.log'),
      nodeadm: read('nodeadm.log'),
      nodeConfig: read('nodeconfig.yaml'),
      systemctl: read('systemctl.log'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const bash = spawnSync('bash', ['-c', 'true']).status === 0;
(bash ? describe : describe.skip)('a stubbed UltraServer node joining its cluster', () => {
  test('healthy: checks pass, nodeadm joins it with the cluster, CA, service CIDR and topology labels, then CONTINUE', () => {
    const r = runJoin({});
    expect(r.status).toBe(0);
    expect(r.nodeadm).toMatch(new RegExp(`^nodeadm init --config-source file://\\S+${NODE_CONFIG}\\n$`));
    expect(r.nodeConfig).toContain('kind: NodeConfig');
    expect(r.nodeConfig).toContain(`    name: ${JOIN.clusterName}\n    apiServerEndpoint: ${JOIN.endpoint}\n    certificateAuthority: ${JOIN.certificateAuthority}\n    cidr: ${JOIN.serviceCidr}`);
    expect(r.nodeConfig).toContain(
      `--node-labels=${NODE_LABELS.site}=ohio,${NODE_LABELS.pool}=train,${NODE_LABELS.fabric}=fabric-ohio,${NODE_LABELS.ultraServer}=ohio-train-u0000,${NODE_LABELS.position}=2`,
    );
    expect(r.aws.match(/complete-lifecycle-action/g)).toHaveLength(1);
    expect(r.aws).toMatch(/--lifecycle-action-result CONTINUE/);
    expect(r.logger).toContain('node registered with EKS cluster rainier-fabric-ohio');
  });

  // nodeadm starts the kubelet without enabling it, and the AMI's nodeadm-run unit, which starts it at boot, never runs here.
  test('enables the kubelet once joined, so a rebooted node rejoins; a node that did not join leaves it disabled', () => {
    expect(runJoin({}).systemctl).toMatch(/^systemctl enable kubelet$/m);
    expect(runJoin({ kubelet: 'unregistered' }).systemctl).not.toContain('enable kubelet');
  });

  test('fails its self-check: never runs nodeadm, never registers, is abandoned', () => {
    const r = runJoin({ devices: 15 });
    expect(r.status).not.toBe(0);
    expect(r.nodeadm).toBe('');
    expect(r.aws).toMatch(/--lifecycle-action-result ABANDON/);
    expect(r.aws).not.toContain('CONTINUE');
  });

  test.each([
    ['nodeadm missing from the image', { nodeadm: 'missing' as const }, 'image:nodeadm'],
    ['nodeadm init failing', { nodeadm: 'fails' as const }, 'boot:node-join'],
    ['a kubelet that never starts', { kubelet: 'inactive' as const }, 'boot:node-join'],
    ['a kubelet that runs but is never registered by the API server', { kubelet: 'unregistered' as const }, 'boot:node-join'],
    ['a topology file without the UltraServer position', { topology: { ultraServer: 'ohio-train-u0000' } }, 'boot:node-join'],
  ])('fails on %s: abandoned naming the step, never CONTINUE', (_what, options, check) => {
    const r = runJoin(options);
    expect(r.status).not.toBe(0);
    expect(r.logger).toContain(`rainier-health: FAILED check=${check}`);
    expect(r.aws).toMatch(/--lifecycle-action-result ABANDON/);
    expect(r.aws).not.toContain('CONTINUE');
    expect(r.aws.match(/complete-lifecycle-action/g)).toHaveLength(1);
  });
});
