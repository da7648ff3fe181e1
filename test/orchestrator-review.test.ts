import { KUBERNETES_VERSION, NODE_LABELS } from '../lib/catalog/kubernetes';
import { resolveConfig } from '../lib/config/load';
import { planCluster } from '../lib/plan/build';
import { ClusterPlan } from '../lib/plan/types';
import { pictureTitle, renderDot } from '../lib/review/picture';
import { buildReport, renderReportJson, renderReportMarkdown } from '../lib/review/report';
import { diffTopology, renderTopologyDiff } from '../lib/review/topology-diff';
import { jobCheckpointDir } from '../lib/orchestrator/manifests';
import { selectJobTarget } from '../lib/orchestrator/select';

/** The scheduler layer in the report, the picture and the topology diff (`orchestrator: eks`). */

const plan = (preset: string, overlay: Record<string, unknown> = {}) => planCluster(resolveConfig(preset, overlay));
const mini = plan('rainier-mini');
const miniEks = plan('rainier-mini-eks');
const scale = plan('rainier-scale');
const diff = (a: ClusterPlan, b: ClusterPlan) => renderTopologyDiff(diffTopology(a, b, 'before', 'after'));

describe('report: scheduler section', () => {
  test('absent without an orchestrator', () => {
    const report = buildReport(mini);
    expect(report.scheduler).toBeUndefined();
    expect(renderReportMarkdown(report)).not.toContain('## Scheduler');
  });

  test('JSON: the cluster, which UltraServers it holds, access, version and the labels a job sees', () => {
    const json = JSON.parse(renderReportJson(buildReport(miniEks)));
    expect(json.scheduler).toMatchObject({
      engine: 'eks',
      kubernetesVersion: KUBERNETES_VERSION,
      jobNamespace: 'rainier-jobs',
      nodeLabels: NODE_LABELS,
      clusters: [
        {
          name: 'rainier-fabric-ohio',
          fabric: 'fabric-ohio',
          stack: 'rainier-ohio-orchestrator',
          nodes: 10,
          ultraServers: 2,
          members: [
            { site: 'ohio', pool: 'train', nodes: 8, ultraServers: 2, ultraServerRange: 'ohio-train-u0000 .. ohio-train-u0001' },
            { site: 'ohio', pool: 'dev', nodes: 2, ultraServers: 0 },
          ],
          access: [{ principal: 'parameter ClusterAdminRoleArn', policy: 'AmazonEKSClusterAdminPolicy', scope: 'cluster' }],
        },
      ],
      storage: [{ site: 'ohio', mountPoint: '/fsx', checkpoints: '/fsx/checkpoints/<pool>/<job>/' }],
    });
  });

  test('Markdown: one row per cluster and per member, the access table, the labels and the file system', () => {
    const md = renderReportMarkdown(buildReport(miniEks));
    const section = md.slice(md.indexOf('## Scheduler'), md.indexOf('## Storage'));
    expect(section).toContain('| rainier-fabric-ohio | fabric-ohio | rainier-ohio-orchestrator | 10.0.255.192/27 (us-east-2a), 10.0.255.224/27 (us-east-2b) | 2 | 10 |');
    expect(section).toContain('| rainier-fabric-ohio | ohio/train | 2: ohio-train-u0000 .. ohio-train-u0001 | 8 |');
    expect(section).toContain('| parameter ClusterAdminRoleArn | AmazonEKSClusterAdminPolicy | cluster |');
    for (const label of Object.values(NODE_LABELS)) {
      expect(section).toContain(`\`${label}\``);
    }
    expect(section).toContain('checkpoints under /fsx/checkpoints/<pool>/<job>/');
    // The report says where the sample job (npm run job) actually writes.
    const target = selectJobTarget(miniEks, { account: '111122223333', name: 'demo' });
    expect(buildReport(miniEks).scheduler!.storage[0].checkpoints.replace('<pool>', target.pool.name).replace('<job>', 'demo')).toBe(`${jobCheckpointDir(target)}/`);
    // The deploy-time parameter is listed with the other required parameters.
    expect(md).toMatch(/\| rainier-ohio-orchestrator \| `ClusterAdminRoleArn` \|/);
  });

  test('rainier-scale: three clusters of 2,600 UltraServers, each member building given by its range, not by name', () => {
    const s = buildReport(scale).scheduler!;
    expect(s.clusters.map((c) => [c.name, c.nodes, c.ultraServers, c.members.length])).toEqual([
      ['rainier-fabric-campus-a', 10_400, 2_600, 10],
      ['rainier-fabric-campus-b', 10_400, 2_600, 10],
      ['rainier-fabric-campus-c', 10_400, 2_600, 10],
    ]);
    expect(JSON.stringify(s)).not.toContain('building-01-train-u0001"');
  });
});

describe('picture: the EKS cluster of each fabric', () => {
  test('a building that is its own fabric draws its cluster, joined by its nodes', () => {
    const dot = renderDot(miniEks, pictureTitle(miniEks, 'preset rainier-mini-eks'));
    expect(dot).toMatch(/r0z0b0eks \[[^\]]*Amazon EKS, Kubernetes 1\.33\\nprivate endpoint, every pool's nodes\\nrainier-fabric-ohio\\n10 nodes, 2 UltraServers\\nadmin: ClusterAdminRoleArn/);
    expect(dot).toContain('r0z0b0p0n0 -- r0z0b0eks');
    expect(renderDot(mini, 'x')).not.toContain('Amazon EKS');
  });

  test('a shared fabric names its one cluster in its title', () => {
    const dot = renderDot(scale, 'x');
    for (const zone of ['a', 'b', 'c']) {
      expect(dot).toContain(`Amazon EKS cluster rainier-fabric-campus-${zone} (Kubernetes ${KUBERNETES_VERSION}, private endpoint): all 10,400 nodes; admin: ClusterAdminRoleArn`);
    }
  });
});

describe('topology diff: the scheduler layer', () => {
  test('turning eks on adds a cluster and its stack, and says when running nodes join', () => {
    const text = diff(mini, miniEks);
    expect(text).toMatch(/Summary: .*\+1 stack.*\+1 EKS cluster/);
    expect(text).toContain('  + rainier-ohio-orchestrator (orchestrator)');
    expect(text).toContain('  + rainier-fabric-ohio (fabric-ohio)');
    expect(text).toContain('running nodes join when their groups are refreshed');
    expect(text).toContain('the new cluster starts empty: apply the device plugins and jobs to it again (npm run job | kubectl apply, docs/jobs.md)');
  });

  test('turning eks off leaves the cluster behind: cdk deploy deletes no stack; the diff says how to remove it, in order', () => {
    const text = diff(miniEks, mini);
    expect(text).toContain('-1 EKS cluster');
    expect(text).toContain('  - rainier-fabric-ohio (fabric-ohio)');
    expect(text).not.toContain('deleted with stack');
    expect(text).toContain('stack rainier-ohio-orchestrator leaves the app, and cdk deploy deletes no stack: EKS cluster rainier-fabric-ohio keeps running (and billing)');
    expect(text).toContain('The retained log group /aws/eks/rainier-fabric-ohio/cluster keeps the name: delete it before a cluster of this name is created again');
    expect(diff(mini, miniEks)).toContain('if a cluster of this name existed before, delete its retained log group /aws/eks/rainier-fabric-ohio/cluster first: the stack creates it');
    expect(text).toMatch(/deploy the compute stacks of ohio\/train, ohio\/dev first, alone \(cdk deploy --exclusively: .* then delete the stack \(aws cloudformation delete-stack --stack-name rainier-ohio-orchestrator; .*running jobs on it stop; no data is lost .*\), then deploy the rest/);
  });

  test('a site joining a shared fabric: its own cluster is left behind with its stack, the owner\'s stack replaces its cluster', () => {
    const site = (cidr: string, fabric?: string) => ({ region: 'us-east-2', availabilityZone: 'us-east-2a', cidr, ...(fabric ? { fabric } : {}), pools: { train: { kind: 'ultraserver-capacity-block', instanceType: 'trn2u.48xlarge', ultraServers: 1 } } });
    const two = plan('rainier-mini-eks', { sites: { west: site('10.1.0.0/16') } });
    const shared = plan('rainier-mini-eks', { sites: { ohio: { fabric: 'campus' }, west: site('10.0.0.0/16', 'campus') } });
    const changes = diffTopology(two, shared, 'a', 'b').scheduler!;
    expect(changes.find((c) => c.cluster === 'rainier-fabric-ohio')?.details).toEqual([expect.stringContaining('replaced by rainier-fabric-campus in stack rainier-ohio-orchestrator')]);
    expect(changes.find((c) => c.cluster === 'rainier-fabric-west')?.details).toEqual([expect.stringContaining('stack rainier-west-orchestrator leaves the app')]);
  });

  test('a cluster replaced in its own stack fails while the compute stacks import it (exports in use), and the diff says the way through', () => {
    // ohio alone names a fabric: same network site and stack, a new cluster name (rainier-fabric-campus).
    const renamed = plan('rainier-mini-eks', { sites: { ohio: { fabric: 'campus' } } });
    const [detail] = diffTopology(miniEks, renamed, 'a', 'b').scheduler!.find((c) => c.cluster === 'rainier-fabric-ohio')!.details;
    expect(detail).toContain('replaced by rainier-fabric-campus in stack rainier-ohio-orchestrator');
    expect(detail).toContain("CloudFormation refuses that while the compute stacks of ohio/train, ohio/dev import this cluster's name, endpoint and certificate (an export in use: the update fails)");
    expect(detail).toContain('turn the orchestrator off (none) and remove this cluster as the diff then says');
    expect(detail).not.toContain('creates the new cluster and then deletes this one');
  });

  test('pod addresses per node: the vpc-cni configuration changes in place', () => {
    expect(diff(miniEks, plan('rainier-mini', { orchestrator: { engine: 'eks', podAddressesPerNode: 8 } }))).toContain(
      'pod addresses per node 3 → 8: the vpc-cni add-on\'s configuration is updated in place (MINIMUM_IP_TARGET), and each node takes more addresses of the node subnet',
    );
  });

  test('growing a pool changes the cluster\'s members', () => {
    const grown = plan('rainier-mini-eks', { sites: { ohio: { pools: { train: { ultraServers: 3 } } } } });
    const d = diffTopology(miniEks, grown, 'before', 'after');
    expect(d.scheduler).toEqual([
      { cluster: 'rainier-fabric-ohio', fabric: 'fabric-ohio', change: 'changed', details: ['~ member ohio/train: 2 UltraServers (8 nodes) → 3 UltraServers (12 nodes)'] },
    ]);
    expect(d.summary).toContain('1 EKS cluster changed');
  });

  test('access entries added and removed', () => {
    const withAccess = plan('rainier-mini', { orchestrator: { engine: 'eks', access: [{ principal: 'TrainingAdmins', policy: 'admin' }, { principal: 'Auditors', policy: 'view' }] } });
    const text = diff(miniEks, withAccess);
    expect(text).toContain('+ access role TrainingAdmins (this account): AmazonEKSClusterAdminPolicy on the cluster');
    expect(text).toContain('+ access role Auditors (this account): AmazonEKSViewPolicy on namespace rainier-jobs');
    expect(text).toContain('- access parameter ClusterAdminRoleArn: AmazonEKSClusterAdminPolicy on the cluster');
    // The parameter's role is not in the configuration: the diff warns that one role on both sides fails.
    expect(text).toContain('! access: the ClusterAdminRoleArn entry gives way to orchestrator.access; if one role is on both sides');
    expect(diff(withAccess, miniEks)).toContain('! access: orchestrator.access gives way to the ClusterAdminRoleArn entry');
    const reordered = plan('rainier-mini', { orchestrator: { engine: 'eks', access: [{ principal: 'Auditors', policy: 'view' }, { principal: 'TrainingAdmins', policy: 'admin' }] } });
    expect(diff(withAccess, reordered)).not.toContain('! access');
  });

  test('another control-plane zone: the update fails (npm run diff: exit 4); the diff says to turn the orchestrator off and on', () => {
    const moved = plan('rainier-mini', { orchestrator: { engine: 'eks', controlPlaneZone: 'us-east-2c' } });
    expect(diff(miniEks, moved)).toMatch(
      /control-plane subnets .*us-east-2b.* → .*us-east-2c.*: a subnet in another zone is a new subnet, which CloudFormation cannot swap in while stack rainier-ohio-orchestrator imports the old one .* turn the orchestrator off \(none\), then on again with the new zone: a new cluster \(running jobs on it stop; no data is lost/,
    );
  });

  test('a renamed cluster is replaced; a version step up is an upgrade and a step down fails', () => {
    const renamed = plan('rainier-mini-eks', { name: 'other' });
    expect(diffTopology(miniEks, renamed, 'a', 'b').scheduler).toEqual([expect.objectContaining({ change: 'replaced', cluster: 'other-fabric-ohio' })]);
    // Renaming the cluster renames every stack: the old cluster stays, with its stack.
    expect(diff(miniEks, renamed)).toContain('renamed rainier-fabric-ohio → other-fabric-ohio, in a new stack other-ohio-orchestrator: stack rainier-ohio-orchestrator leaves the app');
    // The rules allow only the pinned version today; the diff must still say what a version change means.
    const at = (version: string): ClusterPlan => ({ ...miniEks, orchestrator: { ...miniEks.orchestrator!, kubernetesVersion: version } });
    expect(diff(at('1.33'), at('1.34'))).toContain('Kubernetes 1.33 → 1.34: an in-place upgrade; nodes keep their kubelet until their groups are refreshed');
    expect(diff(at('1.34'), at('1.36'))).toContain('Kubernetes 1.34 → 1.36: an in-place upgrade, which EKS does one minor version at a time: deploy each step in turn');
    expect(diff(at('1.35'), at('1.34'))).toContain('Kubernetes 1.35 → 1.34: EKS cannot downgrade a cluster; the update fails');
  });

  test('no scheduler block when nothing about the clusters changes', () => {
    expect(diffTopology(miniEks, plan('rainier-mini-eks'), 'a', 'b').scheduler).toBeUndefined();
    expect(diff(miniEks, plan('rainier-mini-eks'))).not.toContain('Scheduler (EKS');
  });
});
