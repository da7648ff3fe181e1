import { RawFinding, Rule, RuleLevel } from './rule';

/**
 * A cluster of several sites is several EFA fabrics (lib/plan/fabric.ts): EFA OS-bypass traffic
 * flows only within one subnet (https://docs.aws.amazon.com/parallelcluster/latest/ug/efa-v3.html),
 * hence within one VPC and one Availability Zone, and each site has its own VPC and node subnet.
 * A job that spans sites runs its collectives over ordinary IP between them.
 */
export const efaFabricSplit: Rule = {
  code: 'RAIN-W210',
  level: RuleLevel.WARNING,
  name: 'efa-fabric-split',
  explanation:
    'EFA traffic flows only between instances in one subnet (so one VPC and one Availability Zone); each site has its own VPC and node subnet, so a configuration with several sites is several EFA fabrics, and a job spanning them has no EFA between its parts. The report gives figures per fabric.',
  check: (config) => {
    const sites = Object.entries(config.sites);
    if (sites.length < 2) {
      return [];
    }
    const zones = new Set(sites.map(([, s]) => `${s.region}/${s.availabilityZone}`));
    const regions = new Set(sites.map(([, s]) => s.region));
    const across = regions.size > 1 ? `${regions.size} Regions` : zones.size > 1 ? `${zones.size} Availability Zones` : 'one zone';
    const out: RawFinding[] = [
      {
        path: 'sites',
        given: `${sites.length} sites (${sites.map(([n]) => n).join(', ')}) in ${across}, each with its own VPC and node subnet: ${sites.length} EFA fabrics`,
        allowed: 'one fabric per job: EFA does not cross subnets, VPCs or Availability Zones; size a job to one site, or acknowledge that jobs spanning sites use IP between them',
      },
    ];
    return out;
  },
};
