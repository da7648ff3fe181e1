/**
 * Number and text formatting shared by the review tools. Locale-independent on purpose: the
 * outputs are committed and compared byte for byte, so they must not depend on the machine's ICU.
 */

/** 1234567 -> "1,234,567"; fractions keep up to `maxDecimals` digits, trailing zeros dropped. */
export function num(value: number, maxDecimals = 2): string {
  const negative = value < 0;
  const fixed = Math.abs(value).toFixed(maxDecimals);
  const [int, frac = ''] = fixed.split('.');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const trimmed = frac.replace(/0+$/, '');
  return `${negative ? '-' : ''}${grouped}${trimmed ? `.${trimmed}` : ''}`;
}

/** "+64" / "-64" / "0", with thousands separators. */
export function signed(value: number, maxDecimals = 2): string {
  const rounded = Number(value.toFixed(maxDecimals));
  return rounded > 0 ? `+${num(rounded, maxDecimals)}` : num(rounded, maxDecimals);
}

/** "1 UltraServer" / "2 UltraServers". */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return Math.abs(count) === 1 ? singular : pluralForm;
}

/** GiB -> "15,360 GiB (15 TiB)". */
export function gibWithTib(gib: number): string {
  return gib >= 1024 ? `${num(gib)} GiB (${num(gib / 1024)} TiB)` : `${num(gib)} GiB`;
}

/**
 * FSx capacity, GiB -> "16,800 GiB (16.8 TiB)". FSx counts 1,000 GiB as 1 TiB (a 2,400 GiB file
 * system is "2.4 TiB" in its documentation and throughput arithmetic), so this does too.
 */
export function fsxCapacity(gib: number): string {
  return gib >= 1000 ? `${num(gib)} GiB (${num(gib / 1000)} TiB)` : `${num(gib)} GiB`;
}

/** Gbit/s -> "32,000 Gbit/s (32 Tbit/s)". */
export function gbps(value: number): string {
  return value >= 1000 ? `${num(value)} Gbit/s (${num(value / 1000)} Tbit/s)` : `${num(value)} Gbit/s`;
}

/** MB/s -> "800 MB/s" or "19.2 GB/s". */
export function mbps(value: number): string {
  return value >= 1000 ? `${num(value / 1000, 2)} GB/s` : `${num(value)} MB/s`;
}

/** Bytes -> "17.3 KiB" / "1.2 MiB". */
export function bytes(value: number): string {
  if (value < 1024) {
    return `${value} B`;
  }
  if (value < 1024 * 1024) {
    return `${num(value / 1024, 1)} KiB`;
  }
  return `${num(value / (1024 * 1024), 2)} MiB`;
}

/** Share of a limit, as a whole percentage ("<1 %" for small non-zero shares). */
export function percentOf(value: number, limit: number): string {
  const pct = (value / limit) * 100;
  if (value > 0 && pct < 1) {
    return '<1 %';
  }
  return `${Math.round(pct)} %`;
}

/** A Markdown table; cells must not contain pipes (they are escaped). */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[], align?: readonly ('l' | 'r')[]): string {
  const esc = (cell: string) => cell.replace(/\|/g, '\\|');
  const sep = header.map((_, i) => ((align?.[i] ?? 'l') === 'r' ? '---:' : '---'));
  return [header, sep, ...rows].map((r) => `| ${r.map((c) => (r === sep ? c : esc(c))).join(' | ')} |`).join('\n');
}

/** JSON with object keys sorted at every level, so the output is stable across runs and refactors. */
export function stableJson(value: unknown, indent = 2): string {
  return JSON.stringify(sortKeys(value), null, indent);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(sortKeys);
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value as Record<string, unknown>).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) {
        out[key] = sortKeys(v);
      }
    }
    return out;
  }
  return value;
}
