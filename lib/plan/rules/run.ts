import { ClusterConfig } from '../../config/schema';
import { ConfigError } from '../../config/errors';
import { RULES } from './index';
import { Finding, Rule, RuleLevel } from './rule';

/** Code of the finding raised for an acknowledgement that matches nothing. */
export const STALE_ACKNOWLEDGEMENT = 'RAIN-I001';

/**
 * Runs every rule. Errors throw a ConfigError (nothing is synthesised); warnings and infos come
 * back, each marked with the reason of the acknowledgement that covers it, if any.
 */
export function checkRules(config: ClusterConfig, rules: readonly Rule[] = RULES): Finding[] {
  // An acknowledgement of a rule that never existed is a typo, not a stale acknowledgement.
  const codes = new Set(RULES.map((r) => r.code));
  const unknown = config.acknowledgements.flatMap((a, i) =>
    codes.has(a.rule)
      ? []
      : [{ path: `acknowledgements.${i}.rule`, given: `"${a.rule}", a rule that does not exist`, allowed: `a warning or info rule of this app: ${RULES.filter((r) => r.level !== RuleLevel.ERROR).map((r) => r.code).join(', ')}` }],
  );
  if (unknown.length > 0) {
    throw new ConfigError(unknown, 'The cluster configuration acknowledges unknown rules');
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
