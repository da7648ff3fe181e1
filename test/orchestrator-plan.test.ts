import { JOB_NAMESPACE, KUBERNETES_VERSION, NODE_LABELS } from '../lib/catalog/kubernetes';
import { resolveConfig } from '../lib/config/load';
import { planCluster } from '../lib/plan/build';
import { deployParametersOf } from '../lib/plan/deploy-parameters';
import { controlPlaneSubnetCidrs, subnetLayoutEnd } from '../lib/plan/network';
import { CLUSTER_ADMIN_ROLE_PARAMETER, IAM_ROLE_ARN_PATTERN } from '../lib/plan/orchestrator';
import { ClusterPlan, StackKind } from '../lib/plan/types';

/** The orchestrator slice of the plan (`orchestrator: eks`, lib/plan/orchestrator.ts). */

const EKS = { orchestrator: 'eks' };
const TRAIN = (ultraServers: number) => ({ kind: 'ultraserver-capacity-block', instanceType: 'trn2u.48xlarge', ultraServers });

/** rainier-mini plus a second site sharing ohio's fabric and a third with its own. */
const THREE_SITES = {
  sites: {
    ohio: { fabric: 'campus' },
    annex: { region: 'us-east-2', availabilityZone: 'us-east-2a', cidr: '10.0.0.0/16', fabric: 'campus', pools: { train: TRAIN(1) } },
    east: { region: 'us-east-2', availabilityZone: 'us-east-2c', cidr: '10.1.0.0/16', pools: { train: TRAIN(3) } },
  },
};

/** What places the VPC's subnets (the endpoints and registries EKS adds are not among them: lib/plan/eks.ts). */
function subnetsOf(plan: ClusterPlan): Record<string, unknown> {
  return Object.fromEntries(
    plan.sites.map((s) => {
      const n = s.network;
      const layout = { cidr: n.cidr, zone: n.availabilityZone, addresses: n.nodeAddressesNeeded, node: n.nodeSubnetMask, storage: n.storageSubnetMask, pub: n.publicSubnetMask, shared: n.sharedWith };
      return [s.name, { ...layout, end: subnetLayoutEnd(n) }];
    }),
  );
}

describe('orchestrator plan', () => {
  const none = planCluster(resolveConfig('rainier-mini'));
  const eks = planCluster(resolveConfig('rainier-mini', EKS));

  test("one cluster per Region holds the Region's pull-through cache rule (the first), and every cluster has a service CIDR clear of its VPC", () => {
    const three = planCluster(resolveConfig('rainier-mini', { ...EKS, ...THREE_SITES }));
    const clusters = three.orchestrator!.clusters;
    expect(clusters.length).toBeGreaterThan(1);
    expect(clusters.map((c) => c.holdsPullThroughCacheRule)).toEqual(clusters.map((_, i) => i === 0));
    expect(clusters.map((c) => c.serviceCidr)).toEqual(clusters.map(() => '10.100.0.0/16'));
  });

  test('the default preset has no orchestrator, and no orchestrator stack', () => {
    expect(none.config.orchestrator).toEqual({ engine: 'none' });
    expect(none.orchestrator).toBeUndefined();
    expect(none.stacks.map((s) => s.kind)).not.toContain(StackKind.ORCHESTRATOR);
  });

  test('`eks` plans one cluster per fabric, on the pinned Kubernetes version, holding every node of the fabric', () => {
    expect(eks.orchestrator).toMatchObject({ engine: 'eks', kubernetesVersion: KUBERNETES_VERSION });
    expect(eks.orchestrator?.clusters).toHaveLength(eks.fabrics.length);
    const [cluster] = eks.orchestrator!.clusters;
    expect(cluster).toMatchObject({
      id: 'FabricOhio',
      name: 'rainier-fabric-ohio',
      fabric: 'fabric-ohio',
      site: 'ohio',
      region: 'us-east-2',
      stack: 'rainier-ohio-orchestrator',
      nodes: eks.totals.nodes,
      ultraServers: eks.totals.ultraServers,
      jobNamespace: JOB_NAMESPACE,
      podAddresses: { minimumIpTarget: 3, warmIpTarget: 1 },
    });
    expect(cluster.members).toEqual([
      { site: 'ohio', pool: 'train', ultraServers: ['ohio-train-u0000', 'ohio-train-u0001'], nodes: 8 },
      { site: 'ohio', pool: 'dev', ultraServers: [], nodes: 2 },
    ]);
  });

  test('control-plane subnets: two /27s in two zones, the fabric\'s first, cut from the end of its VPC', () => {
    expect(eks.orchestrator?.clusters[0].controlPlaneSubnets).toEqual([
      { zone: 'us-east-2a', cidr: '10.0.255.192/27' },
      { zone: 'us-east-2b', cidr: '10.0.255.224/27' },
    ]);
    expect(controlPlaneSubnetCidrs('10.4.0.0/23')).toEqual(['10.4.1.192/27', '10.4.1.224/27']);
  });

  test('a configured controlPlaneZone is used; the default is the Region\'s zone a, or b for a fabric in a', () => {
    const chosen = planCluster(resolveConfig('rainier-mini', { orchestrator: { engine: 'eks', controlPlaneZone: 'us-east-2c' } }));
    expect(chosen.orchestrator?.clusters[0].controlPlaneSubnets[1].zone).toBe('us-east-2c');
    const three = planCluster(resolveConfig('rainier-mini', { ...THREE_SITES, ...EKS }));
    expect(three.orchestrator?.clusters.map((c) => c.controlPlaneSubnets.map((s) => s.zone))).toEqual([
      ['us-east-2a', 'us-east-2b'],
      ['us-east-2c', 'us-east-2a'],
    ]);
  });

  test('a shared fabric is one cluster holding every member site\'s pools, in its network site\'s orchestrator stack', () => {
    const three = planCluster(resolveConfig('rainier-mini', { ...THREE_SITES, ...EKS }));
    const clusters = three.orchestrator!.clusters;
    expect(clusters.map((c) => [c.fabric, c.site, c.stack, c.nodes, c.ultraServers])).toEqual([
      ['fabric-campus', 'ohio', 'rainier-ohio-orchestrator', 14, 3],
      ['fabric-east', 'east', 'rainier-east-orchestrator', 12, 3],
    ]);
    expect(clusters[0].members.map((m) => `${m.site}/${m.pool}`)).toEqual(['ohio/train', 'ohio/dev', 'annex/train']);
    expect(three.stacks.filter((s) => s.kind === StackKind.ORCHESTRATOR).map((s) => [s.id, s.site, s.fabric])).toEqual([
      ['rainier-ohio-orchestrator', 'ohio', 'fabric-campus'],
      ['rainier-east-orchestrator', 'east', 'fabric-east'],
    ]);
  });

  test('stacks deploy network -> storage -> orchestrator -> compute -> monitoring', () => {
    expect(eks.stacks.map((s) => s.kind)).toEqual([
      StackKind.NETWORK,
      StackKind.STORAGE,
      StackKind.ORCHESTRATOR,
      StackKind.COMPUTE,
      StackKind.COMPUTE,
      StackKind.MONITORING,
    ]);
    expect(eks.stacks.find((s) => s.kind === StackKind.ORCHESTRATOR)?.terminationProtection).toBe(false);
  });

  test('turning eks on or off moves no subnet and renames no other stack', () => {
    expect(subnetsOf(eks)).toEqual(subnetsOf(none));
    expect(eks.stacks.filter((s) => s.kind !== StackKind.ORCHESTRATOR)).toEqual(none.stacks);
    const three = [planCluster(resolveConfig('rainier-mini', THREE_SITES)), planCluster(resolveConfig('rainier-mini', { ...THREE_SITES, ...EKS }))];
    expect(subnetsOf(three[1])).toEqual(subnetsOf(three[0]));
  });

  test('without access, the admin is the ClusterAdminRoleArn deploy-time parameter (a pattern-checked role ARN)', () => {
    const cluster = eks.orchestrator!.clusters[0];
    expect(cluster.access).toEqual([
      expect.objectContaining({ principal: expect.objectContaining({ kind: 'parameter' }), policy: 'admin', policyName: 'AmazonEKSClusterAdminPolicy', scope: { type: 'cluster' } }),
    ]);
    const stack = eks.stacks.find((s) => s.kind === StackKind.ORCHESTRATOR)!;
    expect(deployParametersOf(eks, stack)).toEqual([CLUSTER_ADMIN_ROLE_PARAMETER]);
    const pattern = new RegExp(IAM_ROLE_ARN_PATTERN);
    expect(pattern.test('arn:aws:iam::111122223333:role/TrainingAdmins')).toBe(true);
    expect(pattern.test('arn:aws:iam::111122223333:role/ops/TrainingAdmins')).toBe(true);
    expect(pattern.test('arn:aws:iam::111122223333:root')).toBe(false);
    expect(pattern.test('arn:aws:iam::111122223333:user/alice')).toBe(false);
    expect(pattern.test('arn:aws:iam::111122223333:role/*')).toBe(false);
  });

  test('configured access: role names and ARNs, admin on the cluster, edit and view in the job namespace; no parameter', () => {
    const plan = planCluster(
      resolveConfig('rainier-mini', {
        orchestrator: {
          engine: 'eks',
          access: [
            { principal: 'TrainingAdmins', policy: 'admin' },
            { principal: 'arn:aws:iam::111122223333:role/ml/Researchers', policy: 'edit' },
            { principal: 'Auditors', policy: 'view' },
          ],
        },
      }),
    );
    expect(plan.orchestrator?.clusters[0].access.map((a) => [a.principal, a.policyName, a.scope, a.source])).toEqual([
      [{ kind: 'role-name', roleName: 'TrainingAdmins' }, 'AmazonEKSClusterAdminPolicy', { type: 'cluster' }, 'orchestrator.access.0'],
      [{ kind: 'role-arn', arn: 'arn:aws:iam::111122223333:role/ml/Researchers' }, 'AmazonEKSEditPolicy', { type: 'namespace', namespaces: [JOB_NAMESPACE] }, 'orchestrator.access.1'],
      [{ kind: 'role-name', roleName: 'Auditors' }, 'AmazonEKSViewPolicy', { type: 'namespace', namespaces: [JOB_NAMESPACE] }, 'orchestrator.access.2'],
    ]);
    expect(deployParametersOf(plan, plan.stacks.find((s) => s.kind === StackKind.ORCHESTRATOR)!)).toEqual([]);
  });

  // The shared contract (docs/jobs.md, the node join, the report): a renamed label strands every job and node selector.
  test("node labels are the contract's, under the project's own prefix, one per topology fact", () => {
    expect(NODE_LABELS).toEqual({
      site: 'rainier.aws/site',
      pool: 'rainier.aws/pool',
      fabric: 'rainier.aws/fabric',
      ultraServer: 'rainier.aws/ultraserver',
      position: 'rainier.aws/ultraserver-position',
    });
  });
});
