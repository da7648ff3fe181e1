import { Finding, RuleLevel } from '../plan/rules/rule';

/** One finding as a line: `Warning [RAIN-W107] sites: got ...; ...`, acknowledged ones with their reason. */
export function formatFinding(f: Finding): string {
  const level = f.level === RuleLevel.WARNING ? 'Warning' : f.level === RuleLevel.INFO ? 'Info' : 'Error';
  const head = `[${f.code}] ${f.path}: got ${f.given}; ${f.allowed}`;
  return f.acknowledgedBecause === undefined ? `${level} ${head}` : `Acknowledged ${level.toLowerCase()} ${head} (reason: ${f.acknowledgedBecause})`;
}

/** One line per warning or info, acknowledged ones with their reason. Empty when there are none. */
export function formatFindings(findings: readonly Finding[]): string {
  return findings
    .filter((f) => f.level !== RuleLevel.ERROR)
    .map(formatFinding)
    .join('\n');
}
