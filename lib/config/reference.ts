import { configFileJsonSchema } from './json-schema';

type Json = Record<string, unknown>;

interface Row {
  readonly path: string;
  readonly allowed: string;
  readonly defaultValue: string;
  readonly description: string;
}

/**
 * The README's configuration reference, rendered from the JSON Schema (itself generated from the
 * zod schema), so the documentation cannot drift from what the loader accepts.
 */
export function renderConfigReference(): string {
  const rows: Row[] = [];
  walk(configFileJsonSchema(), '', rows);
  const lines = ['| Field | Allowed | Default | Meaning |', '| --- | --- | --- | --- |'];
  for (const r of mergeVariants(rows)) {
    lines.push(`| \`${r.path}\` | ${escape(r.allowed)} | ${r.defaultValue} | ${escape(r.description)} |`);
  }
  return lines.join('\n');
}

function escape(cell: string): string {
  return cell.replace(/\|/g, '\\|');
}

/** Pool fields shared by several kinds become one row that names the kinds having them. */
function mergeVariants(rows: readonly Row[]): Row[] {
  const out: Row[] = [];
  const byPath = new Map<string, { row: Row; kinds: string[]; index: number }>();
  for (const r of rows) {
    const m = /^\(kind ([a-z-]+)\) ?(.*)$/.exec(r.description);
    if (m === null) {
      out.push(r);
      continue;
    }
    const [, kind, description] = m;
    const seen = byPath.get(r.path);
    if (seen === undefined) {
      const row = { ...r, description, allowed: r.path.endsWith('.kind') ? r.allowed : r.allowed };
      byPath.set(r.path, { row, kinds: [kind], index: out.length });
      out.push(row);
    } else {
      seen.kinds.push(kind);
      if (r.path.endsWith('.kind')) {
        out[seen.index] = { ...out[seen.index], allowed: `${out[seen.index].allowed}, ${r.allowed}` };
      } else if (description !== '' && out[seen.index].description !== description) {
        out[seen.index] = { ...out[seen.index], description: `${out[seen.index].description} ${description}`.trim() };
      }
    }
  }
  const allKinds = Math.max(...[...byPath.values()].map((v) => v.kinds.length));
  for (const v of byPath.values()) {
    if (v.kinds.length < allKinds) {
      out[v.index] = { ...out[v.index], description: `Only for ${v.kinds.join(', ')}. ${out[v.index].description}` };
    }
  }
  return out;
}

function walk(node: Json, path: string, rows: Row[], note = ''): void {
  const props = node.properties as Record<string, Json> | undefined;
  if (props === undefined) {
    return;
  }
  for (const [key, raw] of Object.entries(props)) {
    const child = unwrapNullable(raw);
    const childPath = path === '' ? key : `${path}.${key}`;
    const mapValue = mapValueSchema(child);
    if (mapValue !== undefined) {
      const placeholder = `<${key.replace(/s$/, '')}>`;
      rows.push(row(`${childPath}`, child, 'a mapping: name → object', note));
      const variants = (mapValue.oneOf ?? mapValue.anyOf) as Json[] | undefined;
      if (variants !== undefined && variants.every((v) => (v.properties as Json | undefined)?.kind !== undefined)) {
        for (const variant of variants) {
          const kind = ((variant.properties as Record<string, Json>).kind.const as string) ?? '';
          walk(variant, `${childPath}.${placeholder}`, rows, `kind ${kind}`);
        }
      } else {
        walk(mapValue, `${childPath}.${placeholder}`, rows, note);
      }
      continue;
    }
    if (child.type === 'object' && child.properties !== undefined) {
      walk(child, childPath, rows, note);
      continue;
    }
    if (child.type === 'array' && (child.items as Json | undefined)?.properties !== undefined) {
      rows.push(row(`${childPath}`, child, 'a list of objects', note));
      walk(child.items as Json, `${childPath}[]`, rows, note);
      continue;
    }
    rows.push(row(childPath, child, allowedOf(child), note));
    // A shorthand or an object (orchestrator: `eks` or `{engine: eks, ...}`): the object's fields too.
    const objects = ((child.anyOf ?? child.oneOf) as Json[] | undefined)?.filter((v) => v.type === 'object' && v.properties !== undefined) ?? [];
    if (objects.length === 1) {
      walk(objects[0], childPath, rows, note);
    }
  }
}

function row(path: string, node: Json, allowed: string, note: string): Row {
  const description = String(node.description ?? '');
  return {
    path,
    allowed,
    defaultValue: node.default === undefined ? '' : `\`${JSON.stringify(node.default)}\``,
    description: note === '' ? description : `(${note}) ${description}`,
  };
}

function unwrapNullable(node: Json): Json {
  const anyOf = node.anyOf as Json[] | undefined;
  if (anyOf !== undefined) {
    const nonNull = anyOf.filter((n) => n.type !== 'null');
    if (nonNull.length === 1) {
      return { ...nonNull[0], description: node.description ?? nonNull[0].description, default: node.default ?? nonNull[0].default };
    }
  }
  return node;
}

function mapValueSchema(node: Json): Json | undefined {
  if (node.type !== 'object' || node.propertyNames === undefined) {
    return undefined;
  }
  const value = node.additionalProperties as Json;
  const anyOf = value.anyOf as Json[] | undefined;
  if (anyOf !== undefined) {
    const nonNull = anyOf.filter((n) => n.type !== 'null');
    return nonNull.length === 1 ? nonNull[0] : { anyOf: nonNull };
  }
  return value;
}

function allowedOf(node: Json): string {
  const variants = (node.anyOf ?? node.oneOf) as Json[] | undefined;
  if (variants !== undefined) {
    return variants.map(allowedOf).join(', ');
  }
  if (node.const !== undefined) {
    return `\`${JSON.stringify(node.const)}\``;
  }
  if (Array.isArray(node.enum)) {
    return (node.enum as unknown[]).map((v) => `\`${JSON.stringify(v)}\``).join(', ');
  }
  if (node.type === 'array') {
    return `list of ${allowedOf((node.items as Json) ?? {})}`;
  }
  if (node.type === 'integer' || node.type === 'number') {
    const lo = bound(node.minimum);
    const above = bound(node.exclusiveMinimum);
    const hi = bound(node.maximum);
    const word = node.type === 'integer' ? 'integer' : 'number';
    if (lo !== undefined && hi !== undefined) {
      return `${word} ${lo}–${hi}`;
    }
    if (above !== undefined && hi !== undefined) {
      return `${word} > ${above}, ≤ ${hi}`;
    }
    if (lo !== undefined) {
      return `${word} ≥ ${lo}`;
    }
    if (above !== undefined) {
      return `${word} > ${above}`;
    }
    return word;
  }
  if (node.type === 'string') {
    if (node.format !== undefined) {
      return `string (${node.format})`;
    }
    return node.pattern !== undefined ? `string matching \`${node.pattern}\`` : 'string';
  }
  if (node.type === 'boolean') {
    return '`true`, `false`';
  }
  return String(node.type ?? 'any');
}

/** Drops the safe-integer bounds zod adds to every integer. */
function bound(n: unknown): number | undefined {
  return typeof n === 'number' && Math.abs(n) < Number.MAX_SAFE_INTEGER ? n : undefined;
}
