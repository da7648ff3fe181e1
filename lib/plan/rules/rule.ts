import { ClusterConfig, PoolConfig, SiteConfig } from '../../config/schema';

/** How serious a finding is, as a linter would say it. */
export enum RuleLevel {
  /** Stops synthesis; cannot be acknowledged. */
  ERROR = 'error',
  /** Synthesis goes on; needs an acknowledgement with a written reason to be considered reviewed. */
  WARNING = 'warning',
  /** For the record; shown in the report. */
  INFO = 'info',
}

/** One thing a rule found, naming the field, the value given and what is allowed. */
export interface Finding {
  readonly code: string;
  readonly level: RuleLevel;
  /** Dotted field path, e.g. `sites.ohio.pools.train.ultraServers`. */
  readonly path: string;
  /** What was given, rendered for a person. */
  readonly given: string;
  /** What is allowed or expected instead. */
  readonly allowed: string;
  /** The reason from the matching acknowledgement, if any. */
  readonly acknowledgedBecause?: string;
}

export type RawFinding = Omit<Finding, 'code' | 'level' | 'acknowledgedBecause'>;

/** A named, levelled check of the configuration, like a linter rule. */
export interface Rule {
  /** Stable code: RAIN-E… for errors, RAIN-W… for warnings, RAIN-I… for information. */
  readonly code: string;
  readonly level: RuleLevel;
  /** Short kebab-case name. */
  readonly name: string;
  /** Why the rule exists, with its source. */
  readonly explanation: string;
  readonly check: (config: ClusterConfig) => RawFinding[];
}

export interface PoolVisit {
  readonly siteName: string;
  readonly site: SiteConfig;
  readonly poolName: string;
  readonly pool: PoolConfig;
  /** `sites.<site>.pools.<pool>` */
  readonly path: string;
}

export function pools(config: ClusterConfig): PoolVisit[] {
  const out: PoolVisit[] = [];
  for (const [siteName, site] of Object.entries(config.sites)) {
    for (const [poolName, pool] of Object.entries(site.pools)) {
      out.push({ siteName, site, poolName, pool, path: `sites.${siteName}.pools.${poolName}` });
    }
  }
  return out;
}
