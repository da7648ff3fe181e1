import { INSTANCE_TYPE_REGIONS, knownRegions, regionsOffering } from '../catalog/regions';
import { cidrRange, numberToIpv4 } from '../plan/ipv4';
import { planStorage } from '../plan/storage';
import { ConfigProblem, renderValue } from './errors';
import { CapacityKind, ClusterConfig, FSX_MAX_STORAGE_GIB } from './schema';

/**
 * Checks of a validated configuration that the schema cannot express and that would otherwise crash
 * inside aws-cdk-lib or reach a template the service refuses. Each returns problems naming the
 * field, the value and what is allowed; loadConfig throws them together before any plan exists.
 */

/** Keys that would reach Object.prototype through a merge (`out[key] = ...`). */
export const FORBIDDEN_KEYS: readonly string[] = ['__proto__', 'constructor', 'prototype'];

/** The deepest nesting a file may have: a configuration is about 8 levels deep; a policy limit. */
export const MAX_NESTING = 32;

interface Walk {
  readonly value: unknown;
  readonly key: string;
  readonly parent?: Walk;
  readonly depth: number;
}

function pathOf(w: Walk): string {
  const keys: string[] = [];
  for (let cur: Walk | undefined = w; cur !== undefined && cur.parent !== undefined; cur = cur.parent) {
    keys.push(cur.key);
  }
  return keys.reverse().join('.');
}

/**
 * Prototype-polluting keys, and nesting deeper than MAX_NESTING, anywhere in a raw file. Walked
 * iteratively with parent links (a path string is built only for a problem), so a hostile file of
 * any depth costs time and memory linear in its size and cannot overflow the stack.
 */
export function pollutingKeys(raw: unknown): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  const stack: Walk[] = [{ value: raw, key: '', depth: 0 }];
  while (stack.length > 0) {
    const w = stack.pop()!;
    if (w.value === null || typeof w.value !== 'object') {
      continue;
    }
    if (w.depth >= MAX_NESTING) {
      return [{ path: pathOf(w), given: `values nested more than ${MAX_NESTING} levels deep`, allowed: `at most ${MAX_NESTING} levels (a configuration needs about 8)` }];
    }
    for (const key of Object.keys(w.value)) {
      const child: Walk = { value: (w.value as Record<string, unknown>)[key], key, parent: w, depth: w.depth + 1 };
      if (FORBIDDEN_KEYS.includes(key)) {
        out.push({ path: pathOf(child), given: `the key "${key}"`, allowed: `any key but ${FORBIDDEN_KEYS.join(', ')} (they would change every object of the program)` });
        continue;
      }
      stack.push(child);
    }
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : 1));
}

/** Suffixes of a site's own stacks (lib/plan/build.ts): a pool of that name would take the same stack name. */
export const SITE_STACK_SUFFIXES: readonly string[] = ['network', 'storage', 'monitoring'];
/** Suffix of the site's checkpoint replica stack, planned only with `storage.checkpointReplicaRegion` (lib/plan/build.ts). */
export const REPLICA_STACK_SUFFIX = 'storage-replica';

export interface CheckOptions {
  /**
   * The moment end dates are compared against (ISO 8601). The library never reads the clock: the
   * command line passes `-c now=...` or the wall clock (bin/, scripts/). Without it, that check is skipped.
   */
  readonly now?: string;
}

export function checkConfig(config: ClusterConfig, options: CheckOptions = {}): ConfigProblem[] {
  return [...checkNames(config), ...checkCidrs(config), ...checkRegions(config), ...checkReservations(config, options), ...checkStorageSize(config), ...checkFabrics(config)];
}

/**
 * Shared fabrics (`sites.<site>.fabric`): EFA traffic can't cross Availability Zones or VPCs (EC2 User
 * Guide, efa.html, Limitations), so every member of one fabric is in the same Region and zone; one
 * VPC has one egress choice, so members agree on `egress`; a fabric's name must not be another
 * site's name (both would be fabric `fabric-<name>`).
 */
function checkFabrics(config: ClusterConfig): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  const first = new Map<string, string>();
  for (const [site, s] of Object.entries(config.sites)) {
    if (s.fabric === undefined) {
      continue;
    }
    const at = `sites.${site}.fabric`;
    const named = config.sites[s.fabric];
    if (named !== undefined && named.fabric !== s.fabric) {
      out.push({ path: at, given: renderValue(s.fabric), allowed: `a fabric name that is not the name of site "${s.fabric}", which is not in it (both would be fabric "fabric-${s.fabric}")` });
      continue;
    }
    const owner = first.get(s.fabric);
    if (owner === undefined) {
      first.set(s.fabric, site);
      continue;
    }
    const o = config.sites[owner];
    if (o.region !== s.region || o.availabilityZone !== s.availabilityZone) {
      out.push({
        path: at,
        given: `${renderValue(s.fabric)} for a site in ${s.region}/${s.availabilityZone}`,
        allowed: `a fabric only of sites in ${o.region}/${o.availabilityZone}, where its first member "${owner}" is: EFA traffic can't cross Availability Zones or VPCs (EC2 User Guide, efa.html); name another fabric or none`,
      });
    } else if (o.egress !== s.egress) {
      out.push({
        path: `sites.${site}.egress`,
        given: `${renderValue(s.egress)} in fabric ${renderValue(s.fabric)}`,
        allowed: `${renderValue(o.egress)}, the egress of the fabric's first member "${owner}" (one VPC, one egress)`,
      });
    }
  }
  return out;
}

/** A file system the API could not even express: configured, or sized from huge targets (Infinity included). */
function checkStorageSize(config: ClusterConfig): ConfigProblem[] {
  const configured = config.storage.storageCapacityGiB;
  if (configured !== undefined) {
    return configured > FSX_MAX_STORAGE_GIB
      ? [{ path: 'storage.storageCapacityGiB', given: String(configured), allowed: `at most ${FSX_MAX_STORAGE_GIB} GiB (FSx StorageCapacity is a 32-bit integer)` }]
      : [];
  }
  for (const site of Object.values(config.sites)) {
    let capacityGiB: number;
    try {
      ({ capacityGiB } = planStorage(config.storage, site));
    } catch {
      // A combination the storage rules reject (RAIN-E3xx) is reported by them, with its code.
      continue;
    }
    if (!Number.isFinite(capacityGiB) || capacityGiB > FSX_MAX_STORAGE_GIB) {
      return [
        {
          path: 'storage.sizing',
          given: `targets that need ${Number.isFinite(capacityGiB) ? `${capacityGiB} GiB` : 'an unbounded file system'} (${renderValue(config.storage.sizing)})`,
          allowed: `targets a file system of at most ${FSX_MAX_STORAGE_GIB} GiB can meet (FSx StorageCapacity is a 32-bit integer)`,
        },
      ];
    }
  }
  return [];
}

/** `dev-1x` and `dev1x` both become construct ID `Dev1x` (lib/plan/naming.ts pascalCase). */
function pascal(name: string): string {
  return name
    .split('-')
    .filter((p) => p.length > 0)
    .map((p) => p[0].toUpperCase() + p.slice(1))
    .join('');
}

function checkNames(config: ClusterConfig): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  const stackNames = new Map<string, string>();
  const claim = (stack: string, owner: string) => {
    const prior = stackNames.get(stack);
    if (prior !== undefined && prior !== owner) {
      out.push({ path: owner, given: `a name that makes the stack "${config.name}-${stack}"`, allowed: `a name whose stacks differ from those of ${prior}` });
    } else {
      stackNames.set(stack, owner);
    }
  };
  const siteSuffixes = config.storage.checkpointReplicaRegion === undefined ? SITE_STACK_SUFFIXES : [...SITE_STACK_SUFFIXES, REPLICA_STACK_SUFFIX];
  const sitesByPascal = new Map<string, string>();
  for (const [site, s] of Object.entries(config.sites)) {
    const id = pascal(site);
    if (sitesByPascal.has(id)) {
      out.push({ path: `sites.${site}`, given: `the name "${site}"`, allowed: `a name that differs from "${sitesByPascal.get(id)}" by more than hyphens (both become construct ID "${id}")` });
    }
    sitesByPascal.set(id, site);
    for (const suffix of siteSuffixes) {
      claim(`${site}-${suffix}`, `sites.${site}`);
    }
    const poolsByPascal = new Map<string, string>();
    const pools = Object.keys(s.pools);
    for (const pool of pools) {
      const at = `sites.${site}.pools.${pool}`;
      const pid = pascal(pool);
      if (poolsByPascal.has(pid)) {
        out.push({ path: at, given: `the name "${pool}"`, allowed: `a name that differs from "${poolsByPascal.get(pid)}" by more than hyphens (both become construct ID "${pid}")` });
      }
      poolsByPascal.set(pid, pool);
      if (siteSuffixes.includes(pool)) {
        out.push({ path: at, given: `the pool name "${pool}"`, allowed: `a name other than ${siteSuffixes.join(', ')} (the site's own stacks end so)` });
        continue;
      }
      // Shard stacks of a pool are named `<pool>-NN` (lib/plan/build.ts).
      const shardOf = pools.find((other) => other !== pool && new RegExp(`^${other}-\\d{2}$`).test(pool));
      if (shardOf !== undefined) {
        out.push({ path: at, given: `the pool name "${pool}"`, allowed: `a name that does not end in "-NN" after another pool's name ("${shardOf}"'s shard stacks are named so)` });
        continue;
      }
      claim(`${site}-${pool}`, at);
    }
  }
  return out;
}

/** Parses `a.b.c.d/n` (the schema has checked the shape). */
function parseCidr(cidr: string): { octets: number[]; mask: number } {
  const [ip, mask] = cidr.split('/');
  return { octets: ip.split('.').map(Number), mask: Number(mask) };
}

function checkCidrs(config: ClusterConfig): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  for (const [site, s] of Object.entries(config.sites)) {
    const at = `sites.${site}.cidr`;
    const { octets, mask } = parseCidr(s.cidr);
    if (octets.some((o) => o > 255) || octets.some((o, i) => String(o) !== s.cidr.split('/')[0].split('.')[i])) {
      out.push({ path: at, given: renderValue(s.cidr), allowed: 'four numbers from 0 to 255 without leading zeros, such as "10.0.0.0/16"' });
      continue;
    }
    const [address, end] = cidrRange(s.cidr);
    const network = address - (address % (end - address));
    if (network !== address) {
      const n = numberToIpv4(network);
      // aws-cdk-lib would silently move the VPC to the network address.
      out.push({ path: at, given: renderValue(s.cidr), allowed: `a network address with no host bits set: did you mean "${n}/${mask}"?` });
      continue;
    }
  }
  return out;
}

function checkRegions(config: ClusterConfig): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  const regions = knownRegions();
  for (const [site, s] of Object.entries(config.sites)) {
    if (!regions.includes(s.region)) {
      out.push({ path: `sites.${site}.region`, given: renderValue(s.region), allowed: `an AWS Region aws-cdk-lib knows, such as ${['us-east-1', 'us-east-2', 'us-west-2', 'ap-southeast-4'].join(', ')}` });
      continue;
    }
    for (const [pool, p] of Object.entries(s.pools)) {
      const offered = regionsOffering(p.instanceType);
      if (!offered.includes(s.region)) {
        out.push({
          path: `sites.${site}.region`,
          given: `${renderValue(s.region)} for ${p.instanceType} (pool ${pool})`,
          allowed: `a Region known to offer ${p.instanceType}: ${INSTANCE_TYPE_REGIONS[p.instanceType].map((o) => `${o.region}${o.verified ? '' : ' (unverified)'}`).join(', ')} (lib/catalog/regions.ts)`,
        });
      }
    }
  }
  return out;
}

function checkReservations(config: ClusterConfig, options: CheckOptions): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  const seen = new Map<string, string>();
  const now = options.now === undefined ? undefined : Date.parse(options.now);
  for (const [site, s] of Object.entries(config.sites)) {
    for (const [pool, p] of Object.entries(s.pools)) {
      const at = `sites.${site}.pools.${pool}`;
      const ids =
        p.kind === CapacityKind.ULTRASERVER_CAPACITY_BLOCK
          ? (p.reservationIds ?? []).map((id, i) => [id, `${at}.reservationIds.${i}`] as const)
          : p.kind === CapacityKind.CAPACITY_BLOCK && p.reservationId !== undefined
            ? [[p.reservationId, `${at}.reservationId`] as const]
            : [];
      for (const [id, path] of ids) {
        const prior = seen.get(id);
        if (prior !== undefined) {
          out.push({ path, given: renderValue(id), allowed: `a reservation not used elsewhere: ${prior} already targets it (one reservation holds one pool's nodes)` });
        } else {
          seen.set(id, path);
        }
      }
      if (p.kind === CapacityKind.ON_DEMAND_CAPACITY_RESERVATION) {
        // Its InstanceCount limit (1-1000) is rule RAIN-E106.
        if (p.endDate !== undefined && now !== undefined && !Number.isNaN(now) && Date.parse(p.endDate) <= now) {
          out.push({ path: `${at}.endDate`, given: renderValue(p.endDate), allowed: `a date after ${new Date(now).toISOString()} (the time given by -c now=, default the command's clock)` });
        }
      }
    }
  }
  return out;
}
