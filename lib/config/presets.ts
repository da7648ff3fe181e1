import { ClusterConfigInput } from './schema';
import { OrchestratorEngine } from './schema/orchestrator';
import { CapacityKind } from './schema/site';

/**
 * Named starting points, chosen with `-c preset=NAME`. A config file starts from one of these and
 * overrides any field. Each is a shrunken (or, for `rainier-scale`, full-size) copy of the same design.
 */
export const PRESET_NAMES = ['rainier-mini', 'rainier-mini-eks', 'ultraserver', 'single-node', 'trn1-small', 'rainier-scale'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];
export const DEFAULT_PRESET: PresetName = 'rainier-mini';

export const PRESET_DESCRIPTIONS: Readonly<Record<PresetName, string>> = {
  'rainier-mini':
    'One site in us-east-2: 2 Trn2 UltraServers (8 x trn2u.48xlarge) on UltraServer Capacity Blocks, plus 2 x trn2.48xlarge on an On-Demand Capacity Reservation for development: 160 chips.',
  'rainier-mini-eks':
    'rainier-mini, its nodes one Amazon EKS cluster.',
  ultraserver: 'One Trn2 UltraServer (4 x trn2u.48xlarge, 64 chips) on an UltraServer Capacity Block.',
  'single-node': 'One trn2.48xlarge (16 chips) on an On-Demand Capacity Reservation in a cluster placement group.',
  'trn1-small': '4 x trn1.32xlarge (64 Trainium chips) on an On-Demand Capacity Reservation in a cluster placement group.',
  'rainier-scale':
    'About 500,000 Trainium2 chips: 7,800 Trn2 UltraServers across 30 sites (buildings) in us-east-2, the 10 buildings of each Availability Zone sharing one EFA fabric and one EKS cluster.',
};

/**
 * `rainier-scale`, from its sources (docs/topology.md, "rainier-scale: sourced and assumed"):
 * - about 30 buildings (seed article, REFERENCE.md §12): 30 sites;
 * - nearly 500,000 Trainium2 chips (AWS, 29 Oct 2025; REFERENCE.md §9): 30 x 260 UltraServers
 *   = 7,800 UltraServers = 499,200 chips, spread evenly (ASSUMPTION: no source gives a per-building count);
 * - 2.2 GW at full build (seed article): the campus the energy estimate is compared with;
 * - Region: ASSUMPTION us-east-2. The campus is near New Carlisle, Indiana (seed article); no AWS
 *   source names the Region it serves, and us-east-2 is the Region where Trn2 Capacity Blocks are
 *   documented (EC2-CB). Zones a, b, c in turn: ASSUMPTION, no source gives the buildings' zones.
 * - The 10 buildings of each zone share one EFA fabric (`fabric: campus-<zone>`): one VPC (the zone's
 *   first building's CIDR), one /18 node subnet for 10,400 nodes, one cluster security group (21
 *   inbound and 22 outbound rules plus the S3 prefix list, within 60 a direction: RAIN-E208). EFA
 *   does not cross zones, so 3 fabrics remain (docs/topology.md, "Shared fabrics").
 * - `orchestrator: eks`: one EKS cluster per fabric, 10,400 nodes each. Kubernetes documents 5,000
 *   nodes per cluster; EKS supports 100,000 through the AWS account team (RAIN-W801, acknowledged
 *   below as an ASSUMPTION that it is arranged: AWS does not say what schedules Rainier).
 */
export const RAINIER_SCALE_SITES = 30;
export const RAINIER_SCALE_ULTRASERVERS_PER_SITE = 260;
/** The New Carlisle campus at full build, GW (seed article, REFERENCE.md §12). */
export const RAINIER_CAMPUS_GW = 2.2;

function rainierScale(): ClusterConfigInput {
  const zones = ['a', 'b', 'c'];
  const sites: ClusterConfigInput['sites'] = {};
  for (let i = 0; i < RAINIER_SCALE_SITES; i++) {
    const name = `building-${String(i + 1).padStart(2, '0')}`;
    sites[name] = {
      region: 'us-east-2',
      availabilityZone: `us-east-2${zones[i % zones.length]}`,
      // The fabric's VPC is its first member's; the other members name the same CIDR (RAIN-W211).
      cidr: `10.${i % zones.length}.0.0/16`,
      fabric: `campus-${zones[i % zones.length]}`,
      pools: { train: ULTRASERVER_POOL(RAINIER_SCALE_ULTRASERVERS_PER_SITE) },
    };
  }
  return {
    name: 'rainier',
    sites,
    energy: { campusGW: RAINIER_CAMPUS_GW },
    orchestrator: OrchestratorEngine.EKS,
    acknowledgements: [
      {
        rule: 'RAIN-W107',
        path: 'sites',
        reason:
          'A Rainier-size deployment runs under a negotiated capacity agreement, not the default 256-instance Capacity Block limit; the preset models that agreement.',
      },
      {
        rule: 'RAIN-W210',
        path: 'sites',
        reason:
          'The 10 buildings of each Availability Zone share one EFA fabric of 2,600 UltraServers (166,400 chips); EFA traffic cannot cross zones (EC2 User Guide, efa.html), so the campus is 3 fabrics and a job is sized to one zone. AWS has not published how Rainier joins its buildings; the report gives figures per fabric.',
      },
      {
        rule: 'RAIN-W801',
        path: 'sites',
        reason:
          'Each fabric is one EKS cluster of 10,400 nodes, above the 5,000 Kubernetes documents: Amazon EKS supports up to 100,000 nodes per cluster through the AWS account team (ultra scale clusters, AWS What\'s New, July 2025). ASSUMPTION: a Rainier-size deployment has arranged it; do so before deploying.',
      },
      {
        rule: 'RAIN-W807',
        path: 'orchestrator',
        reason:
          'Each fabric puts 10,400 nodes in a /18 node subnet (the most a /16 VPC holds beside the EKS control-plane subnets), leaving no room for pod addresses at one per node. A Rainier-size EKS deployment needs pod addresses from a secondary CIDR (VPC CNI custom networking), which this model does not render: the preset shows the cluster layout, not a deployable pod network.',
      },
    ],
  };
}

type PoolsInput = ClusterConfigInput['sites'][string]['pools'];

/** One site, us-east-2a (Capacity Blocks for trn2.48xlarge are offered in US East (Ohio), EC2-CB). */
function ohio(pools: PoolsInput): ClusterConfigInput {
  return { name: 'rainier', sites: { ohio: { region: 'us-east-2', availabilityZone: 'us-east-2a', cidr: '10.0.0.0/16', pools } } };
}

const ULTRASERVER_POOL = (ultraServers: number) => ({
  kind: CapacityKind.ULTRASERVER_CAPACITY_BLOCK as const,
  instanceType: 'trn2u.48xlarge' as const,
  ultraServers,
});

const ODCR_POOL = (instanceType: 'trn2.48xlarge' | 'trn1.32xlarge', nodes: number) => ({
  kind: CapacityKind.ON_DEMAND_CAPACITY_RESERVATION as const,
  instanceType,
  nodes,
});

export const PRESETS: Readonly<Record<PresetName, () => ClusterConfigInput>> = {
  'rainier-mini': () => ohio({ train: ULTRASERVER_POOL(2), dev: ODCR_POOL('trn2.48xlarge', 2) }),
  // The default preset stays `orchestrator: none`, so default synthesis is unchanged; this one adds EKS.
  'rainier-mini-eks': () => ({ ...PRESETS['rainier-mini'](), orchestrator: OrchestratorEngine.EKS }),
  ultraserver: () => ohio({ train: ULTRASERVER_POOL(1) }),
  'single-node': () => ohio({ dev: ODCR_POOL('trn2.48xlarge', 1) }),
  // trn1 Capacity Blocks and reservations are long established in US East (N. Virginia) (EC2-CB).
  'trn1-small': () => ({
    name: 'rainier',
    sites: {
      virginia: { region: 'us-east-1', availabilityZone: 'us-east-1a', cidr: '10.0.0.0/16', pools: { train: ODCR_POOL('trn1.32xlarge', 4) } },
    },
  }),
  'rainier-scale': rainierScale,
};

export function isPresetName(name: string): name is PresetName {
  return (PRESET_NAMES as readonly string[]).includes(name);
}
