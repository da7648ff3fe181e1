import { Finding, RuleLevel } from '../plan/rules/rule';

/** One line per warning or info, acknowledged ones with their reason. Empty when there are none. */
export function formatFindings(findings: readonly Finding[]): string {
  return findings
    .filter((f) => f.level !== RuleLevel.ERROR)
    .map((f) => {
      const level = f.level === RuleLevel.WARNING ? 'Warning' : 'Info';
      const head = `[${f.code}] ${f.path}: got ${f.given}; ${f.allowed}`;
      return f.acknowledgedBecause === undefined ? `${level} ${head}` : `Acknowledged ${level.toLowerCase()} ${head} (reason: ${f.acknowledgedBecause})`;
    })
    .join('\n');
}
