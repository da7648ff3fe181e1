import { SitePlan, Totals } from './types';

/**
 * EFA fabrics: the sets of nodes that can exchange EFA (OS-bypass, SRD) traffic, under AWS's rules
 * (docs/topology.md, "Which instances can exchange EFA traffic"):
 *
 * - Same subnet. "EFA ... provides OS-bypass low-latency network communication with other
 *   instances in the same subnet" (AWS ParallelCluster User Guide, Elastic Fabric Adapter:
 *   https://docs.aws.amazon.com/parallelcluster/latest/ug/efa-v3.html). A subnet lives in one VPC
 *   and one Availability Zone, so a fabric never spans VPCs or zones either (REFERENCE.md §4:
 *   "EFA traffic and cluster placement groups do not cross zones"; ParallelCluster's
 *   EfaMultiAzValidator: "EFA is not supported across Availability zones").
 * - A security group that allows all traffic to and from itself on every EFA interface
 *   (EC2 User Guide, create-efa.html; REFERENCE.md §4).
 * - Nothing in EC2's documentation joins two subnets, VPCs or zones into one EFA fabric; traffic
 *   between them is ordinary IP (TCP over ENA).
 *
 * In this model a site (one building) has one VPC and one node subnet in one zone, so each site is
 * its own fabric, and the plan says so: the report gives figures per fabric and never sums EFA
 * bandwidth across fabrics, and rule RAIN-W210 warns when a configuration has more than one.
 * Joining buildings into one fabric would mean one shared node subnet for all of them (docs/topology.md
 * "Shared fabrics", not implemented: it would move existing file systems between subnets).
 */
export interface FabricPlan {
  /** `fabric-<site>`: stable, so the topology diff can follow a fabric across changes. */
  readonly id: string;
  readonly region: string;
  readonly availabilityZone: string;
  /** Sites (buildings) whose nodes share the fabric's node subnet and cluster security group. */
  readonly sites: readonly string[];
  /** Where the fabric's VPC, node subnet and cluster security group are (the site's network stack). */
  readonly networkSite: string;
  /** Why these sites form this fabric, for the report. */
  readonly why: string;
  /** Sums over the fabric's nodes: the largest job one EFA network can hold. */
  readonly totals: Totals;
}

export function fabricId(site: string): string {
  return `fabric-${site}`;
}

/** One fabric per site: its own VPC, node subnet and cluster security group in one Availability Zone. */
export function planFabrics(sites: readonly Omit<SitePlan, 'fabric'>[]): FabricPlan[] {
  return sites.map((site) => ({
    id: fabricId(site.name),
    region: site.region,
    availabilityZone: site.availabilityZone,
    sites: [site.name],
    networkSite: site.name,
    why:
      `site ${site.name} has its own VPC (${site.network.cidr}) and one node subnet in ${site.availabilityZone}; ` +
      'EFA OS-bypass traffic stays within one subnet, so no other site can join it',
    totals: site.totals,
  }));
}

/** Pairs of fabrics whose nodes cannot exchange EFA traffic, and why (for rule RAIN-W210 and the report). */
export function fabricBoundary(a: FabricPlan, b: FabricPlan): string {
  if (a.region !== b.region) {
    return `different Regions (${a.region}, ${b.region})`;
  }
  if (a.availabilityZone !== b.availabilityZone) {
    return `different Availability Zones (${a.availabilityZone}, ${b.availabilityZone})`;
  }
  return `same zone ${a.availabilityZone} but different VPCs and node subnets`;
}
