import { MISTAKES, errorOf } from '../lib/config/mistakes';

/** Dotted paths of every leaf of an override, e.g. `sites.ohio.pools.dev.node`. */
function leafPaths(value: unknown, at = ''): string[] {
  if (value === null || typeof value !== 'object') {
    return [at];
  }
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.keys(value).map((k) => [k, (value as Record<string, unknown>)[k]] as const);
  return entries.length === 0 ? [at] : entries.flatMap(([k, v]) => leafPaths(v, at === '' ? k : `${at}.${k}`));
}

describe('the bad-input catalogue in docs/configuration.md', () => {
  test.each(MISTAKES.map((m) => [m.mistake, m] as const))('%s fails with an error naming the field it changed', (_name, m) => {
    const error = errorOf(m);
    expect(error).toBeDefined();
    const lines = error!.split('\n').slice(1);
    expect(lines).toHaveLength(1);
    const named = /^\s+- (?:\[RAIN-[EWI]\d{3}\] )?(\S+):/.exec(lines[0])![1];
    // The error names the changed field, or the field beside it that the rule asks to change.
    const changed = m.field !== undefined ? [m.field] : leafPaths(m.overlay);
    const parent = (p: string) => p.split('.').slice(0, -1).join('.');
    // The field itself, one below it, one beside it, or the entry it belongs to (a pool, a site).
    expect(changed.some((c) => named === c || named.startsWith(`${c}.`) || c.startsWith(`${named}.`) || parent(named) === parent(c))).toBe(true);
  });

  test.each(MISTAKES.map((m) => [m.mistake, m] as const))('%s: the error says what is allowed, not just "Invalid input"', (_name, m) => {
    const line = errorOf(m)!.split('\n')[1];
    expect(line).not.toMatch(/; Invalid input/);
    expect(line).not.toMatch(/expected a [aeiou]/);
    // A value is shown as given: NaN is not null, and a list of known fields is never empty.
    expect(line).not.toMatch(/got null; expected a number/);
    expect(line).not.toMatch(/known fields here: $/);
  });

  test.each([
    ['Not-a-number from YAML (.nan, .inf)', /energy\.pue: got NaN; expected a finite number/],
    ['An account ID without quotes (a number, its leading zero dropped)', /got 12345678901; expected a string \(in quotes/],
    ['A misspelt field of the pinned image', /compute\.image\.amiId: got an unknown field "amiId"; did you mean "amiIds"\? known fields here: amiIds, ssmParameter, versions/],
  ])('%s: says what was given and what to write', (name, expected) => {
    expect(errorOf(MISTAKES.find((m) => m.mistake === name)!)).toMatch(expected);
  });
});
