import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildClusterApp } from '../lib/app';
import { ConfigError } from '../lib/config/errors';
import { loadConfig, resolveConfig } from '../lib/config/load';
import { planCluster } from '../lib/plan/build';
import { StackKind } from '../lib/plan/types';
import { fabricGroups, renderDot } from '../lib/review/picture';
import { diffTopology, renderTopologyDiff } from '../lib/review/topology-diff';
import { buildReport, renderReportMarkdown } from '../lib/review/report';
import { CDK_JSON_CONTEXT } from './support/synth';

/** Shared EFA fabrics (`sites.<site>.fabric`, docs/topology.md "Shared fabrics"). */
const SHARED = path.join(__dirname, 'fixtures', 'fabrics', 'shared-fabric.yaml');

const TRAIN = (ultraServers: number) => ({ kind: 'ultraserver-capacity-block', instanceType: 'trn2u.48xlarge', ultraServers });

/** The ultraserver preset's `ohio` plus more sites, each `[name, zone, cidr, fabric?, ultraServers]`. */
function overlay(...extra: [string, string, string, string | undefined, number][]): Record<string, unknown> {
  const sites: Record<string, unknown> = {};
  for (const [name, zone, cidr, fabric, n] of extra) {
    sites[name] = { region: 'us-east-2', availabilityZone: zone, cidr, ...(fabric ? { fabric } : {}), pools: { train: TRAIN(n) } };
  }
  return { sites };
}

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) {
      return e.problems.map((p) => `${p.path}: ${p.given} | ${p.allowed}`);
    }
    throw e;
  }
  return [];
}

describe('plan of a shared fabric', () => {
  const plan = planCluster(loadConfig({ configPath: SHARED }));

  test('the fixture, like the documented example, plans without a warning (cdk synth stays quiet)', () => {
    expect(plan.findings.filter((f) => f.level === 'warning' && f.acknowledgedBecause === undefined).map((f) => f.code)).toEqual([]);
  });

  test('two buildings in one zone form one fabric, whose network belongs to the first', () => {
    expect(plan.fabrics.map((f) => [f.id, f.sites, f.networkSite, f.availabilityZone])).toEqual([['fabric-campus', ['ohio', 'ohio-b'], 'ohio', 'us-east-2a']]);
    expect(plan.sites.map((s) => s.fabric)).toEqual(['fabric-campus', 'fabric-campus']);
    expect(plan.fabrics[0].totals.ultraServers).toBe(2);
    expect(plan.fabrics[0].why).toContain('sites.<site>.fabric');
  });

  test("every member reads the fabric's network: the first member's CIDR, a node subnet for all members' nodes, a storage subnet per member", () => {
    for (const site of plan.sites) {
      expect(site.network.cidr).toBe('10.0.0.0/16');
      expect(site.network.sharedWith).toEqual(['ohio-b']);
      expect(site.network.nodeAddressesNeeded).toBe(8 + site.network.interfaceEndpoints.length);
      expect(site.network.subnetAddresses).toBe(256 + 2 * 256);
    }
  });

  test('only the first member has a network stack; each member keeps its storage, compute and monitoring stacks', () => {
    expect(plan.stacks.map((s) => [s.id, s.kind])).toEqual([
      ['rainier-ohio-network', StackKind.NETWORK],
      ['rainier-ohio-storage', StackKind.STORAGE],
      ['rainier-ohio-train', StackKind.COMPUTE],
      ['rainier-ohio-monitoring', StackKind.MONITORING],
      ['rainier-ohio-b-storage', StackKind.STORAGE],
      ['rainier-ohio-b-train', StackKind.COMPUTE],
      ['rainier-ohio-b-monitoring', StackKind.MONITORING],
    ]);
  });

  test('one fabric: no RAIN-W210', () => {
    expect(plan.findings.map((f) => f.code)).not.toContain('RAIN-W210');
  });

  test('sizes the shared node subnet from all members: 2 x 62 UltraServers need a /23, 60 alone fit a /24', () => {
    const big = planCluster(resolveConfig('ultraserver', { sites: { ohio: { fabric: 'campus', pools: { train: TRAIN(62) } }, ...overlay(['ohio-b', 'us-east-2a', '10.1.0.0/16', 'campus', 62]).sites as object } }));
    // 2 x 248 nodes + 11 endpoints = 507 addresses: more than a /24 holds (251), exactly what a /23 holds (512 - 5).
    expect(big.sites.map((s) => s.network.nodeAddressesNeeded)).toEqual([507, 507]);
    expect(big.sites.map((s) => s.network.nodeSubnetMask)).toEqual([23, 23]);
    // 240 nodes + 11 endpoints = 251, what a /24 holds.
    const alone = planCluster(resolveConfig('ultraserver', { sites: { ohio: { pools: { train: TRAIN(60) } } } }));
    expect(alone.sites[0].network.nodeSubnetMask).toBe(24);
  });
});

describe('sites that name no fabric are unchanged', () => {
  test.each(['rainier-mini', 'ultraserver', 'single-node', 'trn1-small'])('%s: each site its own fabric-<site>, no shared network', (preset) => {
    const plan = planCluster(loadConfig({ preset }));
    expect(plan.fabrics.map((f) => f.id)).toEqual(plan.sites.map((s) => `fabric-${s.name}`));
    expect(plan.sites.every((s) => s.network.sharedWith === undefined)).toBe(true);
    expect(plan.stacks.filter((s) => s.kind === StackKind.NETWORK)).toHaveLength(plan.sites.length);
  });
});

describe('bad shared fabrics', () => {
  test('fails when a member is in another Availability Zone, naming the field, the value and what is allowed', () => {
    const found = problems(() =>
      resolveConfig('ultraserver', { sites: { ohio: { fabric: 'campus' }, ...(overlay(['ohio-b', 'us-east-2b', '10.1.0.0/16', 'campus', 1]).sites as object) } }),
    );
    expect(found).toEqual([expect.stringMatching(/^sites\.ohio-b\.fabric: "campus" for a site in us-east-2\/us-east-2b \| a fabric only of sites in us-east-2\/us-east-2a.*can't cross Availability Zones or VPCs/)]);
  });

  test('fails when a member is in another Region', () => {
    const found = problems(() =>
      resolveConfig('ultraserver', {
        sites: { ohio: { fabric: 'campus' }, west: { region: 'us-west-2', availabilityZone: 'us-west-2a', cidr: '10.1.0.0/16', fabric: 'campus', pools: { train: TRAIN(1) } } },
      }),
    );
    expect(found.filter((p) => p.includes('.fabric'))).toEqual([expect.stringMatching(/^sites\.west\.fabric: .*us-west-2\/us-west-2a \| .*us-east-2\/us-east-2a/)]);
  });

  test('fails when members differ in egress (one VPC, one egress)', () => {
    const found = problems(() =>
      resolveConfig('ultraserver', {
        sites: { ohio: { fabric: 'campus' }, 'ohio-b': { region: 'us-east-2', availabilityZone: 'us-east-2a', cidr: '10.1.0.0/16', fabric: 'campus', egress: 'nat', pools: { train: TRAIN(1) } } },
      }),
    );
    expect(found).toEqual([expect.stringMatching(/^sites\.ohio-b\.egress: "nat" in fabric "campus" \| "none"/)]);
  });

  test("fails when a fabric is named after a site that is not in it", () => {
    const found = problems(() => resolveConfig('ultraserver', { sites: { ohio: {}, ...(overlay(['ohio-b', 'us-east-2a', '10.1.0.0/16', 'ohio', 1]).sites as object) } }));
    expect(found).toEqual([expect.stringMatching(/^sites\.ohio-b\.fabric: "ohio" \| a fabric name that is not the name of site "ohio"/)]);
  });

  test('RAIN-E207 fails when the first member\'s VPC cannot hold every member\'s nodes, naming the shared fabric', () => {
    const run = () =>
      planCluster(
        resolveConfig('ultraserver', {
          sites: { ohio: { fabric: 'campus', cidr: '10.0.0.0/22' }, ...(overlay(['ohio-b', 'us-east-2a', '10.1.0.0/16', 'campus', 200]).sites as object) },
        }),
      );
    // 4 + 800 nodes + 11 endpoints need a /22 node subnet (1,024) plus two /24 storage subnets: 1,536 addresses.
    expect(run).toThrow(/\[RAIN-E207\] sites\.ohio\.cidr: got "10\.0\.0\.0\/22" \(1024 addresses\) for subnets needing 1536/);
  });
});

describe('RAIN-W210 with shared fabrics', () => {
  const codes = (o: Record<string, unknown>) => planCluster(resolveConfig('ultraserver', o)).findings.filter((f) => f.code === 'RAIN-W210');

  test('warns about two sites in one zone that do not share a fabric, and says they could', () => {
    const [w] = codes(overlay(['ohio-b', 'us-east-2a', '10.1.0.0/16', undefined, 1]));
    expect(w.given).toContain('2 EFA fabrics, each site with its own VPC and node subnet');
    expect(w.allowed).toContain('sites in us-east-2/us-east-2a could share a fabric (sites.<site>.fabric)');
  });

  test('counts fabrics, not sites: a shared pair and a building in another zone are two fabrics', () => {
    const [w] = codes({
      sites: { ohio: { fabric: 'campus' }, ...(overlay(['ohio-b', 'us-east-2a', '10.1.0.0/16', 'campus', 1], ['ohio-c', 'us-east-2b', '10.2.0.0/16', undefined, 1]).sites as object) },
    });
    expect(w.given).toContain('3 sites (ohio, ohio-b, ohio-c) in 2 Availability Zones: 2 EFA fabrics (ohio+ohio-b share one)');
    expect(w.allowed).not.toContain('could share');
  });
});

describe('review of a shared fabric', () => {
  const before = planCluster(resolveConfig('ultraserver', overlay(['ohio-b', 'us-east-2a', '10.1.0.0/16', undefined, 1])));
  const after = planCluster(loadConfig({ configPath: SHARED }));

  test('the topology diff names a change of fabric membership, and says whose file system would move', () => {
    const d = diffTopology(before, after, 'separate', 'shared');
    expect(d.summary).toContain('EFA fabric of ohio, ohio-b changes');
    expect(d.fabrics!.map((f) => [f.site, f.before, f.after, f.storageMoves])).toEqual([
      ['ohio', 'fabric-ohio (ohio; network of ohio, VPC 10.0.0.0/16)', 'fabric-campus (ohio, ohio-b; network of ohio, VPC 10.0.0.0/16)', false],
      ['ohio-b', 'fabric-ohio-b (ohio-b; network of ohio-b, VPC 10.1.0.0/16)', 'fabric-campus (ohio, ohio-b; network of ohio, VPC 10.0.0.0/16)', true],
    ]);
    expect(d.stacks.removed.map((s) => s.id)).toEqual(['rainier-ohio-b-network']);
    const text = renderTopologyDiff(d);
    expect(text).toContain('EFA fabrics (sites.<site>.fabric):');
    expect(text).toContain('its storage subnet moves, so its file system is replaced');
  });

  test('no fabric change, no fabric section', () => {
    expect(diffTopology(after, after, 'a', 'b').fabrics).toBeUndefined();
  });

  test('the report gives one fabric with both buildings and does not call it several networks', () => {
    const md = renderReportMarkdown(buildReport(after));
    expect(md).toMatch(/\| fabric-campus \| ohio, ohio-b \| us-east-2a \| 2 \| 8 \| 128 \|/);
    expect(md).not.toContain('separate EFA fabrics');
  });

  test('the picture draws one shared-fabric box spanning both buildings, inside their zone', () => {
    const [zone] = fabricGroups(after);
    expect(zone.sharedFabrics.map((f) => f.sites)).toEqual([['ohio', 'ohio-b']]);
    const dot = renderDot(after, 'shared');
    expect(dot).toContain('Shared EFA fabric campus: 2 buildings, one VPC 10.0.0.0/16, one node subnet, one security group');
    expect(dot).toContain("own storage subnet in fabric campus's VPC");
    // Each building's EFA and endpoints boxes are the fabric's (one security group, one VPC's
    // endpoints), not a fabric or endpoints of its own.
    expect(dot.match(/EFA: joins fabric campus\\n64 interfaces, 12,800 Gbit\/s \(12.8 Tbit\/s\)\\nthe fabric's shared security group/g)).toHaveLength(2);
    expect(dot.match(/Shared VPC endpoints\\n11 interface \+ S3 gateway/g)).toHaveLength(2);
    expect(dot).not.toMatch(/"EFA fabric\\n|"VPC endpoints\\n/);
    expect(fabricGroups(before)[0].sharedFabrics).toEqual([]);
  });
});

/** The fixture synthesised once, for the tests below. */
const rendered = (() => {
  const app = new App({ context: CDK_JSON_CONTEXT });
  const built = buildClusterApp(app, { configPath: SHARED });
  return { ...built, templates: app.synth().stacks.map((s) => s.template as { Resources: Record<string, { Type: string; Properties: any }> }) };
})();

describe('rendered shared fabric', () => {
  const { stacks } = rendered;
  const network = Template.fromStack(stacks.sites[0].network);

  test("the member's storage stack and compute stack use the first member's network stack", () => {
    expect(stacks.sites[1].network).toBe(stacks.sites[0].network);
    expect(stacks.sites[1].storage.dependencies).toContain(stacks.sites[0].network);
  });

  test('one VPC with the owner storage subnet, the member storage subnet and one node subnet, in that order', () => {
    network.resourceCountIs('AWS::EC2::VPC', 1);
    const subnets = network.findResources('AWS::EC2::Subnet');
    const byName = Object.values(subnets).map((r: any) => [
      r.Properties.Tags.find((t: any) => t.Key === 'aws-cdk:subnet-name').Value,
      r.Properties.CidrBlock,
    ]);
    expect(byName).toEqual([
      ['Storage', '10.0.0.0/24'],
      ['StorageOhioB', '10.0.1.0/24'],
      ['Nodes', '10.0.2.0/24'],
    ]);
  });

  test("the member's node log groups live in the fabric's network, under its logs key", () => {
    const names = Object.values(network.findResources('AWS::Logs::LogGroup')).map((r: any) => r.Properties.LogGroupName).filter(Boolean);
    expect(names.some((n: string) => n.includes('ohio-b'))).toBe(true);
  });

  test('one cluster security group, self-referencing, for both buildings', () => {
    const groups = Object.entries(network.findResources('AWS::EC2::SecurityGroup')).filter(([, r]: any) => r.Properties.GroupDescription.startsWith('Trainium nodes'));
    expect(groups).toHaveLength(1);
  });
});

describe('the cluster security group of a shared fabric', () => {
  const { plan, templates } = rendered;

  test('carries exactly the rules the plan counts for RAIN-E208 (each member file system adds its Lustre rules)', () => {
    const onCluster = (type: string) =>
      templates.flatMap((t) =>
        Object.values(t.Resources).filter(
          // The S3 prefix list's rule counts as the list's maximum entries, which the plan cannot know offline.
          (r) => r.Type === type && JSON.stringify(r.Properties.GroupId).includes('ClusterSecurityGroup') && r.Properties.DestinationPrefixListId === undefined,
        ),
      );
    const group = templates.flatMap((t) => Object.values(t.Resources)).find((r) => r.Type === 'AWS::EC2::SecurityGroup' && r.Properties.GroupDescription.startsWith('Trainium nodes'))!;
    const inline = (group.Properties.SecurityGroupEgress ?? []).filter((e: any) => e.DestinationPrefixListId === undefined);
    expect(plan.fabrics[0].securityGroupRules).toEqual({ ingress: onCluster('AWS::EC2::SecurityGroupIngress').length, egress: onCluster('AWS::EC2::SecurityGroupEgress').length + inline.length });
    // Two members without EFA storage: 1 + 2 x 2 in, 2 + 2 x 2 out (plus the S3 prefix list).
    expect(plan.fabrics[0].securityGroupRules).toEqual({ ingress: 5, egress: 6 });
  });
});

describe('RAIN-E208: rules on a shared cluster security group', () => {
  test('fails when a fabric has so many members that its cluster security group passes 60 rules a direction', () => {
    const sites: Record<string, unknown> = { ohio: { fabric: 'campus' } };
    // 1 + 30 x 2 = 61 inbound rules.
    for (let i = 1; i < 30; i++) {
      sites[`b${i}`] = { region: 'us-east-2', availabilityZone: 'us-east-2a', cidr: `10.${i}.0.0/16`, fabric: 'campus', pools: { train: TRAIN(1) } };
    }
    expect(() => planCluster(resolveConfig('ultraserver', { sites }))).toThrow(
      /\[RAIN-E208\] sites\.b29\.fabric: got fabric-campus of 30 sites: 61 inbound and 62 outbound rules on its cluster security group \(S3 prefix list not counted\); at most 60 per direction/,
    );
    let codes: (string | undefined)[] = [];
    try {
      planCluster(resolveConfig('ultraserver', { sites }));
    } catch (e) {
      codes = (e as ConfigError).problems.map((p) => p.code);
    }
    expect(codes).toEqual(['RAIN-E208']);
    delete sites.b29;
    expect(planCluster(resolveConfig('ultraserver', { sites })).fabrics[0].securityGroupRules).toEqual({ ingress: 59, egress: 60 });
  });
});

describe('the topology diff shows EFA figures per fabric, never only their sum', () => {
  const two = (n: number) => resolveConfig('ultraserver', overlay(['ohio-b', 'us-east-2b', '10.1.0.0/16', undefined, n]));

  test('growing one of two fabrics: the cluster total and the fabric that grew, each named', () => {
    const d = diffTopology(planCluster(two(1)), planCluster(two(3)), 'before', 'after');
    expect(d.fabricTotals).toEqual([{ fabric: 'fabric-ohio-b', before: { chips: 64, efaGbps: 12_800 }, after: { chips: 192, efaGbps: 38_400 } }]);
    const text = renderTopologyDiff(d);
    expect(text).toContain('Per EFA fabric (the totals above add up separate fabrics, not one network):');
    expect(text).toContain('  ~ fabric-ohio-b: 64 chips, 12,800 Gbit/s (12.8 Tbit/s) → 192 chips, 38,400 Gbit/s (38.4 Tbit/s)');
    expect(text).not.toContain('fabric-ohio:');
  });

  test('a site added as a new fabric is named as one', () => {
    const d = diffTopology(planCluster(resolveConfig('ultraserver')), planCluster(two(1)), 'before', 'after');
    expect(d.fabricTotals).toEqual([{ fabric: 'fabric-ohio-b', after: { chips: 64, efaGbps: 12_800 } }]);
  });

  test('one fabric on both sides: no per-fabric section (the total is the fabric)', () => {
    const d = diffTopology(planCluster(resolveConfig('ultraserver')), planCluster(resolveConfig('ultraserver', { sites: { ohio: { pools: { train: TRAIN(2) } } } })), 'a', 'b');
    expect(d.fabricTotals).toBeUndefined();
  });
});

describe('a fabric that mixes Trainium generations holds no job of all its chips', () => {
  const TRN1 = { kind: 'on-demand-capacity-reservation', instanceType: 'trn1.32xlarge', nodes: 2 };

  test('one mixed fabric: the largest job is the larger generation, and the report says why', () => {
    const plan = planCluster(resolveConfig('ultraserver', { sites: { ohio: { pools: { old: TRN1 } } } }));
    const report = buildReport(plan);
    expect(report.topology!.fabrics[0].chipsByGeneration).toEqual({ Trainium2: 64, Trainium: 32 });
    const md = renderReportMarkdown(report);
    expect(md).toContain('1 fabric: the largest job one EFA network can hold has 64 chips of one Trainium generation; fabric-ohio mixes 64 Trainium2 and 32 Trainium chips');
    expect(md).not.toContain('has 96 chips');
  });

  test('one generation per fabric: the sentence is unchanged', () => {
    const md = renderReportMarkdown(buildReport(planCluster(resolveConfig('ultraserver', overlay(['ohio-b', 'us-east-2b', '10.1.0.0/16', undefined, 2])))));
    expect(md).toContain('2 fabrics: the largest job one EFA network can hold has 128 chips.');
  });
});
