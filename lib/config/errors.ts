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

function formatProblems(heading: string, problems: readonly ConfigProblem[]): string {
  const lines = problems.map((p) => {
    const where = p.path === '' ? '(top level)' : p.path;
    const code = p.code ? `[${p.code}] ` : '';
    return `  - ${code}${where}: got ${p.given}; ${p.allowed}`;
  });
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  return `${heading} (${count}):\n${lines.join('\n')}`;
}

/** Renders a value as the user wrote it, kept short. */
export function renderValue(value: unknown): string {
  if (value === undefined) {
    return 'nothing';
  }
  let text: string;
  try {
    text = JSON.stringify(value);
  } catch {
    text = String(value);
  }
  if (text === undefined) {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
