import { SitePlan, Totals } from './types';

/**
 * EFA fabrics: the sets of nodes that can exchange EFA (OS-bypass, SRD) traffic, under AWS's rules
 * (docs/topology.md, "Which instances can exchange EFA traffic"):
 *
 * - Not across Availability Zones or VPCs: "EFA traffic can't cross Availability Zones or VPCs" and
 *   "EFA traffic is not routable" (EC2 User Guide, Elastic Fabric Adapter, Limitations:
 *   https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/efa.html, as quoted verbatim in 2026; the
 *   current list names no subnet limit).
 * - Same subnet: "EFA ... provides OS-bypass low-latency network communication with other
 *   instances in the same subnet" (AWS ParallelCluster User Guide, Elastic Fabric Adapter:
 *   https://docs.aws.amazon.com/parallelcluster/latest/ug/efa-v3.html). No AWS page found says EFA
 *   crosses subnets of one VPC (and "not routable" suggests it does not), so the model keeps the
 *   narrower reading: a fabric is **one node subnet**, which satisfies both.
 * - A security group that allows all traffic to and from itself on every EFA interface
 *   (EC2 User Guide, create-efa.html; REFERENCE.md §4).
 *
 * A site (one building) is its own fabric unless the configuration names a shared one
 * (`sites.<site>.fabric`): then every member site's nodes launch into one node subnet of one VPC
 * with one cluster security group, owned by the first member's network stack (`networkSite`), and
 * a job can span the members. Members must share Region and zone (lib/config/checks.ts).
 */
export interface FabricPlan {
  /** `fabric-<site>`, or `fabric-<name>` for a shared fabric: stable, so the topology diff can follow it. */
  readonly id: string;
  readonly region: string;
  readonly availabilityZone: string;
  /** Sites (buildings) whose nodes share the fabric's node subnet and cluster security group. */
  readonly sites: readonly string[];
  /** Where the fabric's VPC, node subnet and cluster security group are (this site's network stack): the first member. */
  readonly networkSite: string;
  /** The configured fabric name (`sites.<site>.fabric`), for a shared fabric. */
  readonly name?: string;
  /** Why these sites form this fabric, for the report. */
  readonly why: string;
  /** Rules on the fabric's cluster security group (`clusterSecurityGroupRules`), for rule RAIN-E208 and the report. */
  readonly securityGroupRules: SecurityGroupRules;
  /** Sums over the fabric's nodes: the largest job one EFA network can hold. */
  readonly totals: Totals;
}

/**
 * "Inbound or outbound rules per security group": 60 by default, enforced separately for inbound and
 * outbound; a referenced prefix list counts as its maximum number of entries (Amazon VPC User Guide,
 * Amazon VPC quotas: https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html).
 * Adjustable (quota L-0EA8095F), but this model keeps to the default.
 */
export const SECURITY_GROUP_RULES_PER_DIRECTION = 60;

/** Lustre ports each file system opens with the cluster security group: 988 and 1018-1023 (lib/constructs/storage.ts LUSTRE_PORTS). */
const LUSTRE_PORT_RULES = 2;

export interface SecurityGroupRules {
  readonly ingress: number;
  /** Without the S3 prefix list's weight (its maximum entries are not known offline; docs/topology.md). */
  readonly egress: number;
}

/**
 * Rules on a fabric's cluster security group, as lib/constructs/network.ts and storage.ts render them:
 * in, all traffic from itself; out, all traffic to itself, HTTPS to the endpoints' group, HTTPS to
 * the S3 prefix list (weight not counted) and with NAT to any address; and per member site's file
 * system one rule each way per Lustre port, plus all traffic each way when the file system has EFA.
 */
export function clusterSecurityGroupRules(members: readonly { readonly efaEnabled: boolean }[], nat: boolean): SecurityGroupRules {
  const perMember = members.reduce((n, m) => n + LUSTRE_PORT_RULES + (m.efaEnabled ? 1 : 0), 0);
  return { ingress: 1 + perMember, egress: 2 + (nat ? 1 : 0) + perMember };
}

export function fabricId(site: string, fabric?: string): string {
  return `fabric-${fabric ?? site}`;
}

/** The sites of each fabric, in configuration order; a site without `fabric` is alone in its own. */
export function fabricMembership(config: { readonly sites: Readonly<Record<string, { readonly fabric?: string }>> }): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [name, site] of Object.entries(config.sites)) {
    const id = fabricId(name, site.fabric);
    out.set(id, [...(out.get(id) ?? []), name]);
  }
  return out;
}

/**
 * The fabrics of a cluster, in order of their first member. A site without `fabric` is its own
 * fabric with its own VPC, node subnet and cluster security group; sites naming one fabric share
 * those of the first member's network (lib/plan/network.ts `sharedWith`).
 */
export function planFabrics(sites: readonly Omit<SitePlan, 'fabric'>[], fabricNames: ReadonlyMap<string, string | undefined> = new Map()): FabricPlan[] {
  const out: FabricPlan[] = [];
  const byId = new Map<string, { sites: Omit<SitePlan, 'fabric'>[]; name?: string }>();
  for (const site of sites) {
    const name = fabricNames.get(site.name);
    const id = fabricId(site.name, name);
    const group = byId.get(id) ?? { sites: [], name };
    group.sites.push(site);
    byId.set(id, group);
  }
  for (const [id, group] of byId) {
    const owner = group.sites[0];
    const names = group.sites.map((s) => s.name);
    out.push({
      id,
      region: owner.region,
      availabilityZone: owner.availabilityZone,
      sites: names,
      networkSite: owner.name,
      ...(group.name !== undefined ? { name: group.name } : {}),
      why:
        group.name === undefined
          ? `site ${owner.name} has its own VPC (${owner.network.cidr}) and one node subnet in ${owner.availabilityZone}; ` +
            'EFA OS-bypass traffic stays within one subnet, so no other site can join it'
          : `${names.length === 1 ? `site ${owner.name} names` : `sites ${names.join(', ')} name`} fabric ${group.name} ` +
            `(sites.<site>.fabric): one VPC (${owner.network.cidr}, owned by ${owner.name}'s network stack), one node subnet ` +
            `and one cluster security group in ${owner.availabilityZone}`,
      securityGroupRules: clusterSecurityGroupRules(group.sites.map((s) => s.storage), owner.network.natGateway),
      totals: sumOf(group.sites.map((s) => s.totals)),
    });
  }
  return out;
}

function sumOf(parts: readonly Totals[]): Totals {
  if (parts.length === 1) {
    return parts[0];
  }
  const out: Record<string, number> = {};
  for (const part of parts) {
    for (const [k, v] of Object.entries(part)) {
      out[k] = (out[k] ?? 0) + v;
    }
  }
  out.denseFp8Pflops = Math.round(out.denseFp8Pflops * 10_000) / 10_000;
  out.denseBf16Pflops = Math.round(out.denseBf16Pflops * 10_000) / 10_000;
  return out as unknown as Totals;
}

/** Pairs of fabrics whose nodes cannot exchange EFA traffic, and why (for rule RAIN-W210 and the report). */
export function fabricBoundary(a: FabricPlan, b: FabricPlan): string {
  if (a.region !== b.region) {
    return `different Regions (${a.region}, ${b.region})`;
  }
  if (a.availabilityZone !== b.availabilityZone) {
    return `different Availability Zones (${a.availabilityZone}, ${b.availabilityZone})`;
  }
  return `same zone ${a.availabilityZone} but different VPCs and node subnets (name one fabric in sites.<site>.fabric to share one)`;
}
