import * as fs from 'fs';
import * as path from 'path';
import YAML from 'yaml';
import { z } from 'zod';
import { ConfigError, ConfigProblem, renderValue } from './errors';
import { DEFAULT_PRESET, PRESET_NAMES, PRESETS, isPresetName } from './presets';
import { ClusterConfig, clusterConfigSchema } from './schema';

/** Where a configuration comes from: a preset, optionally overridden by a file. */
export interface ConfigSource {
  /** Preset name (`-c preset=NAME`). @default the file's `preset`, else `rainier-mini` */
  readonly preset?: string;
  /** Path of a YAML or JSON file (`-c config=PATH`) whose fields override the preset's. */
  readonly configPath?: string;
}

/** Reads, merges and validates a configuration. Throws ConfigError on any bad input. */
export function loadConfig(source: ConfigSource = {}): ClusterConfig {
  let overlay: Record<string, unknown> = {};
  if (source.configPath !== undefined) {
    overlay = readConfigFile(source.configPath);
  }
  const filePreset = overlay.preset;
  delete overlay.preset;
  if (filePreset !== undefined && typeof filePreset !== 'string') {
    throw ConfigError.single('preset', renderValue(filePreset), `expected one of ${PRESET_NAMES.join(', ')}`);
  }
  if (source.preset !== undefined && filePreset !== undefined && source.preset !== filePreset) {
    throw ConfigError.single(
      'preset',
      `"${source.preset}" on the command line and "${filePreset}" in ${source.configPath}`,
      'give the preset in one place, or the same name in both',
    );
  }
  const presetName = source.preset ?? (filePreset as string | undefined) ?? DEFAULT_PRESET;
  return resolveConfig(presetName, overlay);
}

/** Applies `overlay` on top of the named preset and validates the result. */
export function resolveConfig(presetName: string, overlay: Record<string, unknown> = {}): ClusterConfig {
  if (!isPresetName(presetName)) {
    throw ConfigError.single('preset', `"${presetName}"`, `expected one of ${PRESET_NAMES.join(', ')}`);
  }
  const merged = mergeOverlay(PRESETS[presetName](), overlay);
  return parseConfig(merged);
}

/** Validates a complete configuration object. */
export function parseConfig(raw: unknown): ClusterConfig {
  const result = clusterConfigSchema.safeParse(raw);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((issue) => toProblem(issue, raw)));
  }
  return result.data;
}

function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw ConfigError.single('config', `"${file}"`, `a readable YAML or JSON file (${(e as NodeJS.ErrnoException).code ?? 'unreadable'})`);
  }
  let parsed: unknown;
  try {
    parsed = path.extname(file).toLowerCase() === '.json' ? JSON.parse(text) : YAML.parse(text);
  } catch (e) {
    throw ConfigError.single('config', `"${file}"`, `valid ${path.extname(file) === '.json' ? 'JSON' : 'YAML'}: ${(e as Error).message.split('\n')[0]}`);
  }
  if (parsed === null || parsed === undefined) {
    return {};
  }
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw ConfigError.single('', renderValue(parsed), 'a mapping of configuration fields at the top of the file');
  }
  return parsed as Record<string, unknown>;
}

/**
 * Deep-merges a user's overlay onto a preset: mappings merge key by key, lists and scalars replace,
 * and `null` removes a key (to drop a preset's site or pool).
 */
export function mergeOverlay(base: unknown, overlay: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(overlay)) {
    return overlay === undefined ? base : overlay;
  }
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overlay)) {
    if (value === null) {
      delete out[key];
    } else {
      out[key] = key in out ? mergeOverlay(out[key], value) : value;
    }
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// ---------------------------------------------------------------------------------------------
// Turning zod issues into problems a person can act on: the field, what was given, what is allowed.

type Issue = z.core.$ZodIssue;

function toProblem(issue: Issue, raw: unknown): ConfigProblem {
  const pathParts = issue.path.map(String);
  const value = valueAt(raw, pathParts);
  const at = pathParts.join('.');
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = knownKeysAt(clusterConfigSchema, pathParts, raw);
      const key = issue.keys[0];
      const extra = issue.keys.length > 1 ? ` (also unknown here: ${issue.keys.slice(1).join(', ')})` : '';
      const suggestion = closest(key, known);
      return {
        path: [...pathParts, key].join('.'),
        given: `an unknown field "${key}"${extra}`,
        allowed: `${suggestion ? `did you mean "${suggestion}"? ` : ''}known fields here: ${known.join(', ')}`,
      };
    }
    case 'invalid_value':
      return { path: at, given: renderValue(value), allowed: `expected one of ${issue.values.map(String).join(', ')}` };
    case 'invalid_union': {
      const disc = (issue as { discriminator?: string }).discriminator;
      if (disc !== undefined) {
        // zod reports the discriminator's own path in some versions and its object's in others.
        const objectPath = pathParts[pathParts.length - 1] === disc ? pathParts.slice(0, -1) : pathParts;
        const options = discriminatorValues(clusterConfigSchema, objectPath, raw, disc);
        return {
          path: [...objectPath, disc].join('.'),
          given: renderValue(valueAt(raw, [...objectPath, disc])),
          allowed: `expected one of ${options.join(', ')}`,
        };
      }
      return { path: at, given: renderValue(value), allowed: issue.message };
    }
    case 'invalid_key': {
      const key = pathParts[pathParts.length - 1];
      return { path: at, given: `the name "${key}"`, allowed: `expected ${issue.issues[0]?.message ?? issue.message}` };
    }
    case 'invalid_type':
      if (value === undefined) {
        return { path: at, given: 'nothing', allowed: `this field is required (${issue.expected})` };
      }
      return { path: at, given: renderValue(value), allowed: `expected ${issue.expected === 'int' ? 'a whole number' : `a ${issue.expected}`}` };
    case 'too_small':
      return { path: at, given: renderValue(value), allowed: `expected ${describeBound(issue.origin, 'at least', issue.minimum, issue.inclusive)}` };
    case 'too_big':
      return { path: at, given: renderValue(value), allowed: `expected ${describeBound(issue.origin, 'at most', issue.maximum, issue.inclusive)}` };
    case 'invalid_format':
      return { path: at, given: renderValue(value), allowed: `expected ${issue.format === 'datetime' ? 'an ISO 8601 date-time in UTC, such as "2027-01-31T11:30:00Z"' : issue.message}` };
    default:
      return { path: at, given: renderValue(value), allowed: issue.message };
  }
}

function describeBound(origin: string, word: string, bound: number | bigint, inclusive = true): string {
  const n = Number(bound);
  if (origin === 'array') {
    return `${word} ${n} item${n === 1 ? '' : 's'}`;
  }
  if (origin === 'string') {
    return `${word} ${n} characters`;
  }
  return inclusive ? `${word} ${n}` : `${word === 'at least' ? 'more than' : 'less than'} ${n}`;
}

function valueAt(raw: unknown, parts: readonly string[]): unknown {
  let cur: unknown = raw;
  for (const p of parts) {
    if (cur === null || typeof cur !== 'object') {
      return undefined;
    }
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}

/** Walks the schema along a path of the raw input (choosing union members by their discriminator). */
function schemaAt(schema: z.ZodType, parts: readonly string[], raw: unknown): z.ZodType | undefined {
  let cur: z.ZodType | undefined = unwrap(schema, raw);
  let value: unknown = raw;
  for (const p of parts) {
    if (cur === undefined) {
      return undefined;
    }
    value = valueAt(value, [p]);
    const def: Record<string, unknown> = (cur as unknown as { def: Record<string, unknown> }).def;
    if (def.type === 'object') {
      cur = (def.shape as Record<string, z.ZodType>)[p];
    } else if (def.type === 'record') {
      cur = def.valueType as z.ZodType;
    } else if (def.type === 'array') {
      cur = def.element as z.ZodType;
    } else {
      return undefined;
    }
    cur = cur === undefined ? undefined : unwrap(cur, value);
  }
  return cur;
}

function unwrap(schema: z.ZodType, value: unknown): z.ZodType {
  let cur = schema;
  for (;;) {
    const def = (cur as unknown as { def: Record<string, unknown> }).def;
    if (def.type === 'optional' || def.type === 'default' || def.type === 'nullable') {
      cur = def.innerType as z.ZodType;
    } else if (def.type === 'union' && typeof def.discriminator === 'string') {
      const options = def.options as z.ZodType[];
      const want = valueAt(value, [def.discriminator]);
      const match = options.find((o) => literalOf(o, def.discriminator as string) === want);
      if (match === undefined) {
        return cur;
      }
      cur = match;
    } else {
      return cur;
    }
  }
}

function literalOf(option: z.ZodType, key: string): unknown {
  const shape = (option as unknown as { def: { shape?: Record<string, z.ZodType> } }).def.shape;
  const lit = shape?.[key] as unknown as { def: { values?: unknown[] } } | undefined;
  return lit?.def.values?.[0];
}

function knownKeysAt(schema: z.ZodType, parts: readonly string[], raw: unknown): string[] {
  const at = schemaAt(schema, parts, raw);
  const shape = (at as unknown as { def?: { shape?: Record<string, unknown> } } | undefined)?.def?.shape;
  return shape ? Object.keys(shape) : [];
}

function discriminatorValues(schema: z.ZodType, parts: readonly string[], raw: unknown, disc: string): string[] {
  const at = schemaAt(schema, parts, raw) as unknown as { def?: { options?: z.ZodType[] } } | undefined;
  return (at?.def?.options ?? []).map((o) => String(literalOf(o, disc)));
}

/** The known name nearest to a misspelt one (edit distance at most 3), if any. */
function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 4;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}
