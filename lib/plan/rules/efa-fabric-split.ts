import { fabricId, fabricMembership } from '../fabric';
import { RawFinding, Rule, RuleLevel } from './rule';

/**
 * A cluster of several fabrics (lib/plan/fabric.ts): EFA traffic can't cross Availability Zones or
 * VPCs (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/efa.html, Limitations) and, in this
 * model, flows within one node subnet (https://docs.aws.amazon.com/parallelcluster/latest/ug/efa-v3.html).
 * Each site is its own fabric unless sites of one zone name a shared one (`sites.<site>.fabric`).
 * A job that spans fabrics runs its collectives over ordinary IP between them.
 */
export const efaFabricSplit: Rule = {
  code: 'RAIN-W210',
  level: RuleLevel.WARNING,
  name: 'efa-fabric-split',
  explanation:
    'EFA traffic flows only within one fabric: one node subnet, so one VPC and one Availability Zone. Each site has its own VPC and node subnet unless sites in one zone name a shared fabric (sites.<site>.fabric), so a configuration with several fabrics is several EFA networks, and a job spanning them has no EFA between its parts. The report gives figures per fabric.',
  check: (config) => {
    const sites = Object.entries(config.sites);
    const fabrics = fabricMembership(config);
    if (fabrics.size < 2) {
      return [];
    }
    const zones = new Set(sites.map(([, s]) => `${s.region}/${s.availabilityZone}`));
    const regions = new Set(sites.map(([, s]) => s.region));
    const across = regions.size > 1 ? `${regions.size} Regions` : zones.size > 1 ? `${zones.size} Availability Zones` : 'one zone';
    const shared = [...fabrics.values()].filter((m) => m.length > 1);
    // Sites of one zone that are still in different fabrics could share one.
    const byZone = new Map<string, Set<string>>();
    for (const [name, s] of sites) {
      const key = `${s.region}/${s.availabilityZone}`;
      byZone.set(key, (byZone.get(key) ?? new Set()).add(fabricId(name, s.fabric)));
    }
    const couldJoin = [...byZone.entries()].filter(([, ids]) => ids.size > 1).map(([zone]) => zone);
    const out: RawFinding[] = [
      {
        path: 'sites',
        given:
          `${sites.length} sites (${sites.map(([n]) => n).join(', ')}) in ${across}: ${fabrics.size} EFA fabrics` +
          (shared.length > 0 ? ` (${shared.map((m) => m.join('+')).join(', ')} share one)` : ', each site with its own VPC and node subnet'),
        allowed:
          'one fabric per job: EFA does not cross VPCs or Availability Zones, nor in this model node subnets; size a job to one fabric, or acknowledge that jobs spanning fabrics use IP between them' +
          (couldJoin.length > 0 ? `; sites in ${couldJoin.join(', ')} could share a fabric (sites.<site>.fabric)` : ''),
      },
    ];
    return out;
  },
};
