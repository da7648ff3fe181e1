import { ClusterConfig } from '../../config/schema';
import { ConfigError, ConfigProblem } from '../../config/errors';
import { nearest } from '../../context';
import { RULES } from './index';
import { Finding, Rule, RuleLevel } from './rule';

/** Code of the finding raised for an acknowledgement that matches nothing. */
export const STALE_ACKNOWLEDGEMENT = 'RAIN-I001';

/**
 * Runs every rule. Errors throw a ConfigError (nothing is synthesised); warnings and infos come
 * back, each marked with the reason of the acknowledgement that covers it, if any.
 */
export function checkRules(config: ClusterConfig, rules: readonly Rule[] = RULES): Finding[] {
  // An acknowledgement of a rule that never existed, of an error (never acknowledgeable), or at a
  // path the configuration does not have, is a typo, not a stale acknowledgement: it could never match.
  const levels = new Map(RULES.map((r) => [r.code, r.level]));
  const acknowledgeable = RULES.filter((r) => r.level !== RuleLevel.ERROR).map((r) => r.code).join(', ');
  const unknown = config.acknowledgements.flatMap((a, i): ConfigProblem[] => {
    const level = levels.get(a.rule);
    if (level === undefined || level === RuleLevel.ERROR) {
      const what = level === undefined ? 'a rule that does not exist' : 'an error rule, which cannot be acknowledged (fix the configuration instead)';
      return [{ path: `acknowledgements.${i}.rule`, given: `"${a.rule}", ${what}`, allowed: `a warning or info rule of this app: ${acknowledgeable}` }];
    }
    const missing = missingPath(config, a.path);
    return missing === undefined ? [] : [{ path: `acknowledgements.${i}.path`, given: `"${a.path}", which ${missing.what}`, allowed: `a path in this configuration${missing.near ? `: did you mean "${missing.near}"?` : ''}` }];
  });
  if (unknown.length > 0) {
    throw new ConfigError(unknown, 'The cluster configuration acknowledges rules it cannot');
  }
  const findings: Finding[] = [];
  for (const rule of rules) {
    for (const raw of rule.check(config)) {
      findings.push({ ...raw, code: rule.code, level: rule.level });
    }
  }
  const errors = findings.filter((f) => f.level === RuleLevel.ERROR);
  if (errors.length > 0) {
    throw new ConfigError(
      errors.map((f) => ({ path: f.path, given: f.given, allowed: f.allowed, code: f.code })),
      'The cluster configuration breaks the rules',
    );
  }
  const used = new Set<number>();
  const out: Finding[] = findings.map((f) => {
    const i = config.acknowledgements.findIndex(
      (a) => a.rule === f.code && (f.path === a.path || f.path.startsWith(`${a.path}.`)),
    );
    if (i < 0) {
      return f;
    }
    used.add(i);
    return { ...f, acknowledgedBecause: config.acknowledgements[i].reason };
  });
  config.acknowledgements.forEach((a, i) => {
    if (!used.has(i)) {
      out.push({
        code: STALE_ACKNOWLEDGEMENT,
        level: RuleLevel.INFO,
        path: `acknowledgements.${i}`,
        given: `an acknowledgement of ${a.rule} at ${a.path}`,
        allowed: 'it matches no finding any more; remove it',
      });
    }
  });
  return out;
}

/**
 * Why a dotted acknowledgement path names nothing in the configuration, or undefined when it does.
 * Sites and pools are keyed by name and must exist; elsewhere the last segment may be an optional
 * field left unset (`storage.storageCapacityGiB`), but every segment before it must exist.
 */
function missingPath(config: ClusterConfig, dotted: string): { what: string; near?: string } | undefined {
  const parts = dotted.split('.');
  let cur: unknown = config;
  for (let k = 0; k < parts.length; k++) {
    const key = parts[k];
    const at = parts.slice(0, k).join('.');
    const keyed = at === 'sites' ? 'site' : /^sites\.[^.]+\.pools$/.test(at) ? `pool of site ${parts[1]}` : undefined;
    const own = cur !== null && typeof cur === 'object' && Object.prototype.hasOwnProperty.call(cur, key);
    if (!own) {
      const keys = cur !== null && typeof cur === 'object' ? Object.keys(cur) : [];
      const near = nearest(key, keys);
      const suggestion = near === undefined ? undefined : [...parts.slice(0, k), near, ...parts.slice(k + 1)].join('.');
      if (keyed !== undefined) {
        return { what: `names no ${keyed}`, near: suggestion };
      }
      const last = k === parts.length - 1;
      if (last && cur !== null && typeof cur === 'object' && !Array.isArray(cur)) {
        return undefined;
      }
      return { what: 'names nothing in this configuration', near: suggestion };
    }
    cur = (cur as Record<string, unknown>)[key];
  }
  return undefined;
}
