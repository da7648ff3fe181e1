import { RegionInfo } from 'aws-cdk-lib/region-info';
import { knownRegions } from '../catalog/regions';
import { ConfigError } from '../config/errors';
import { ClusterConfig, SiteConfig } from '../config/schema';

/**
 * The data perimeter of one site, decided once (docs/security.md): who administers its keys, who may
 * delete them, who may use its buckets from outside the VPC, who writes datasets, and what each
 * pool's nodes may do with the buckets. Pure; the constructs render it.
 */

/** What one pool's nodes may do with the site's buckets. */
export interface PoolDataAccess {
  /** Datasets: read only, always. Writes belong to `datasetIngestion`. */
  readonly datasets: 'read';
  /** The checkpoints prefix the pool reads and writes: `<pool>/`. */
  readonly checkpointsPrefix: string;
  /** Other pools' checkpoint prefixes it may read (never write): `perimeter.checkpointReads`. */
  readonly checkpointsReadPrefixes: readonly string[];
  /** The tag the pool's node role carries so that the site's data key trusts it (through S3). */
  readonly dataAccessTag: { readonly key: string; readonly value: string };
}

export interface SitePerimeterPlan {
  /** Administer keys (no use, no deletion). Empty: the account root, for administration only. */
  readonly keyAdministrators: readonly string[];
  /** Alone may schedule or cancel key deletion. Empty: nobody. */
  readonly breakGlass: readonly string[];
  /** Exempt from the buckets' VPC-only rule. */
  readonly dataAdministrators: readonly string[];
  /** Alone may write and delete datasets objects. */
  readonly datasetIngestion: readonly string[];
  /** Per pool name. */
  readonly pools: Readonly<Record<string, PoolDataAccess>>;
  /**
   * The tag every node role of the site carries; the data key lets principals with it use the key
   * through S3 only (the key policy cannot name the roles: they live in stacks deployed after it).
   */
  readonly dataAccessTag: { readonly key: string; readonly value: string };
  /** Absent: no replica. */
  readonly checkpointReplica?: CheckpointReplicaPlan;
}

/**
 * Cross-Region replication of the site's checkpoints bucket (`storage.checkpointReplicaRegion`): a
 * bucket and key of their own in the replica Region, written by a replication role of the storage
 * stack. The names are fixed because the source stack must name them in another Region, which a
 * generated name cannot cross without a lookup.
 */
export interface CheckpointReplicaPlan {
  readonly region: string;
  /** The replica bucket's name is this plus the account ID (S3 names are global). */
  readonly bucketNamePrefix: string;
  /** Alias of the replica key, which the replication rule names. */
  readonly keyAlias: string;
  /** Tag the replication role carries; the replica key and bucket trust it. */
  readonly roleTag: { readonly key: string; readonly value: string };
}

/** S3 bucket names are 3-63 characters (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html). */
export const MAX_BUCKET_NAME_CHARS = 63;
const ACCOUNT_ID_CHARS = 12;

/** Tag key of the node roles that the site's data key trusts (through S3). */
export const DATA_ACCESS_TAG_KEY = 'rainier:data-access';

export function checkpointsPrefix(pool: string): string {
  return `${pool}/`;
}

export function planSitePerimeter(config: ClusterConfig, siteName: string, site: SiteConfig): SitePerimeterPlan {
  const p = config.perimeter;
  const reads = p.checkpointReads[siteName] ?? {};
  const pools: Record<string, PoolDataAccess> = {};
  for (const pool of Object.keys(site.pools)) {
    pools[pool] = {
      datasets: 'read',
      checkpointsPrefix: checkpointsPrefix(pool),
      checkpointsReadPrefixes: (reads[pool] ?? []).filter((other) => other !== pool).map(checkpointsPrefix),
      dataAccessTag: { key: DATA_ACCESS_TAG_KEY, value: `${config.name}-${siteName}` },
    };
  }
  return {
    keyAdministrators: p.keyAdministrators,
    breakGlass: p.breakGlass,
    dataAdministrators: p.dataAdministrators,
    datasetIngestion: p.datasetIngestion,
    pools,
    dataAccessTag: { key: DATA_ACCESS_TAG_KEY, value: `${config.name}-${siteName}` },
    checkpointReplica:
      config.storage.checkpointReplicaRegion === undefined
        ? undefined
        : {
            region: config.storage.checkpointReplicaRegion,
            bucketNamePrefix: replicaBucketNamePrefix(config.name, siteName),
            keyAlias: `alias/${config.name}-${siteName}-checkpoints-replica`,
            roleTag: { key: 'rainier:checkpoint-replication', value: `${config.name}-${siteName}` },
          },
  };
}

function replicaBucketNamePrefix(cluster: string, site: string): string {
  return `${cluster}-${site}-checkpoints-`;
}

/** `perimeter.checkpointReads` names only sites and pools that exist; a replica Region is another Region and fits a bucket name. */
export function checkPerimeterNames(config: ClusterConfig): void {
  const problems = [];
  for (const [siteName, byPool] of Object.entries(config.perimeter.checkpointReads)) {
    const site = config.sites[siteName];
    if (site === undefined) {
      problems.push({ path: `perimeter.checkpointReads.${siteName}`, given: `"${siteName}"`, allowed: `a site of the configuration: ${Object.keys(config.sites).join(', ')}` });
      continue;
    }
    const poolNames = Object.keys(site.pools);
    for (const [pool, others] of Object.entries(byPool)) {
      for (const name of [pool, ...others]) {
        if (!poolNames.includes(name)) {
          problems.push({ path: `perimeter.checkpointReads.${siteName}.${pool}`, given: `"${name}"`, allowed: `a pool of site ${siteName}: ${poolNames.join(', ')}` });
        }
      }
    }
  }
  const sitePartitions = new Map(Object.entries(config.sites).map(([name, site]) => [name, RegionInfo.get(site.region).partition]));
  for (const field of ['keyAdministrators', 'breakGlass', 'dataAdministrators', 'datasetIngestion'] as const) {
    config.perimeter[field].forEach((arn, i) => {
      const partition = arn.split(':')[1];
      for (const [siteName, sitePartition] of sitePartitions) {
        if (sitePartition !== undefined && partition !== sitePartition) {
          problems.push({ path: `perimeter.${field}.${i}`, given: `"${arn}"`, allowed: `a principal of partition ${sitePartition}, where site ${siteName}'s keys and buckets are (a policy cannot name another partition's principals)` });
        }
      }
    });
  }
  const replicaRegion = config.storage.checkpointReplicaRegion;
  if (replicaRegion !== undefined && !knownRegions().includes(replicaRegion)) {
    problems.push({ path: 'storage.checkpointReplicaRegion', given: `"${replicaRegion}"`, allowed: 'an AWS Region aws-cdk-lib knows, such as us-west-2 or us-east-1' });
  } else if (replicaRegion !== undefined) {
    const replicaPartition = RegionInfo.get(replicaRegion).partition;
    for (const [siteName, sitePartition] of sitePartitions) {
      if (replicaPartition !== sitePartition) {
        problems.push({
          path: 'storage.checkpointReplicaRegion',
          given: `"${replicaRegion}" (partition ${replicaPartition})`,
          allowed: `a Region of partition ${sitePartition}, like site ${siteName}'s: S3 replicates only within a partition`,
        });
      }
    }
    for (const [siteName, site] of Object.entries(config.sites)) {
      if (site.region === replicaRegion) {
        problems.push({ path: 'storage.checkpointReplicaRegion', given: `"${replicaRegion}"`, allowed: `a Region other than site ${siteName}'s own (${site.region})` });
      }
      const length = replicaBucketNamePrefix(config.name, siteName).length + ACCOUNT_ID_CHARS;
      if (length > MAX_BUCKET_NAME_CHARS) {
        problems.push({
          path: 'storage.checkpointReplicaRegion',
          given: `"${replicaRegion}" with cluster "${config.name}" and site "${siteName}" (a ${length}-character replica bucket name)`,
          allowed: `cluster and site names short enough for a bucket name of at most ${MAX_BUCKET_NAME_CHARS} characters`,
        });
      }
    }
  }
  if (problems.length > 0) {
    throw new ConfigError(problems);
  }
}
