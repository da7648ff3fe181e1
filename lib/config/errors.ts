/**
 * Errors a user can act on. The app prints `message` and exits non-zero; no stack trace.
 */
export interface ConfigProblem {
  /** Dotted path of the field, e.g. `sites.ohio.pools.train.ultraServers` (empty for the whole file). */
  readonly path: string;
  /** What was given, rendered for a person. */
  readonly given: string;
  /** What is allowed instead. */
  readonly allowed: string;
  /** A stable rule code when a named rule found the problem (RAIN-E…); absent for schema errors. */
  readonly code?: string;
}

export class ConfigError extends Error {
  public readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[], heading = 'Invalid cluster configuration') {
    super(formatProblems(heading, problems));
    this.name = 'ConfigError';
    this.problems = problems;
  }

  static single(path: string, given: string, allowed: string, code?: string): ConfigError {
    return new ConfigError([{ path, given, allowed, code }]);
  }
}

/** Problems printed, one per line; the rest are counted (a file with thousands of errors stays readable). */
export const MAX_PROBLEMS_SHOWN = 50;

function formatProblems(heading: string, problems: readonly ConfigProblem[]): string {
  const lines = problems.slice(0, MAX_PROBLEMS_SHOWN).map((p) => {
    const where = p.path === '' ? '(top level)' : p.path;
    const code = p.code ? `[${p.code}] ` : '';
    return `  - ${code}${where}: got ${p.given}; ${p.allowed}`;
  });
  if (problems.length > MAX_PROBLEMS_SHOWN) {
    lines.push(`  ... and ${problems.length - MAX_PROBLEMS_SHOWN} more problems (fix these first)`);
  }
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  return `${heading} (${count}):\n${lines.join('\n')}`;
}

/** Renders a value as the user wrote it, kept short; its cost is bounded whatever the value's size. */
export function renderValue(value: unknown): string {
  if (value === undefined) {
    return 'nothing';
  }
  const LIMIT = 80;
  let text = '';
  const write = (v: unknown, depth: number): void => {
    if (text.length > LIMIT) {
      return;
    }
    if (typeof v === 'number' && !Number.isFinite(v)) {
      // YAML's .nan and .inf: JSON would print them as null.
      text += String(v);
      return;
    }
    if (v === null || typeof v !== 'object') {
      const s = typeof v === 'string' ? JSON.stringify(v.length > LIMIT ? v.slice(0, LIMIT) : v) : typeof v === 'bigint' || typeof v === 'function' || typeof v === 'symbol' ? String(v) : JSON.stringify(v) ?? String(v);
      text += s;
      return;
    }
    if (depth > 8) {
      text += '...';
      return;
    }
    if (Array.isArray(v)) {
      text += '[';
      for (let i = 0; i < v.length && text.length <= LIMIT; i++) {
        text += i > 0 ? ',' : '';
        write(v[i], depth + 1);
      }
      text += ']';
      return;
    }
    text += '{';
    let first = true;
    for (const k in v as Record<string, unknown>) {
      if (text.length > LIMIT) {
        break;
      }
      if (!Object.prototype.hasOwnProperty.call(v, k)) {
        continue;
      }
      text += `${first ? '' : ','}${JSON.stringify(k)}:`;
      first = false;
      write((v as Record<string, unknown>)[k], depth + 1);
    }
    text += '}';
  };
  write(value, 0);
  return text.length > LIMIT ? `${text.slice(0, LIMIT - 3)}...` : text;
}
