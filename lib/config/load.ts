import * as fs from 'fs';
import * as path from 'path';
import { z } from 'zod';
import { ConfigError, ConfigProblem, renderValue } from './errors';
import { nearest } from './nearest';
import { DEFAULT_PRESET, PRESET_NAMES, PRESETS, isPresetName } from './presets';
import { CheckOptions, MAX_NESTING, checkConfig, pollutingKeys } from './checks';
import { ClusterConfig, clusterConfigSchema } from './schema';

/** Where a configuration comes from: a preset, optionally overridden by a file. */
export interface ConfigSource {
  /** Preset name (`-c preset=NAME`). @default the file's `preset`, else `rainier-mini` */
  readonly preset?: string;
  /** Path of a YAML or JSON file (`-c config=PATH`) whose fields override the preset's. */
  readonly configPath?: string;
  /**
   * The moment end dates are checked against, ISO 8601 (`-c now=...`; the command line defaults it
   * to its clock). The library never reads the clock. @default end dates are not checked
   */
  readonly now?: string;
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
  return resolveConfig(presetName, overlay, { now: source.now });
}

/** Applies `overlay` on top of the named preset and validates the result. */
export function resolveConfig(presetName: string, overlay: Record<string, unknown> = {}, options: CheckOptions = {}): ClusterConfig {
  if (!isPresetName(presetName)) {
    throw ConfigError.single('preset', `"${presetName}"`, `expected one of ${PRESET_NAMES.join(', ')}`);
  }
  const polluting = pollutingKeys(overlay);
  if (polluting.length > 0) {
    throw new ConfigError(polluting);
  }
  const merged = mergeOverlay(PRESETS[presetName](), overlay);
  return parseConfig(merged, { ...options, nulls: nullPaths(overlay) });
}

/** Validates a complete configuration object, then the checks the schema cannot express (checks.ts). */
export function parseConfig(raw: unknown, options: CheckOptions & { readonly nulls?: ReadonlySet<string> } = {}): ClusterConfig {
  const polluting = pollutingKeys(raw);
  if (polluting.length > 0) {
    throw new ConfigError(polluting);
  }
  checkLimits(raw);
  const result = clusterConfigSchema.safeParse(raw);
  if (!result.success) {
    throw new ConfigError(onePerTypeError(result.error.issues).flatMap((issue) => toProblems(issue, raw, options.nulls ?? new Set())));
  }
  const problems = checkConfig(result.data, options);
  if (problems.length > 0) {
    throw new ConfigError(problems);
  }
  return result.data;
}

/** Dotted paths where an overlay writes `null` (which removes the preset's value there); the overlay is depth-checked. */
function nullPaths(overlay: unknown): Set<string> {
  const out = new Set<string>();
  const stack: [unknown, string][] = [[overlay, '']];
  while (stack.length > 0) {
    const [v, at] = stack.pop()!;
    if (v === null) {
      out.add(at);
    } else if (isPlainObject(v)) {
      for (const [k, x] of Object.entries(v)) {
        stack.push([x, at === '' ? k : `${at}.${k}`]);
      }
    }
  }
  return out;
}

/**
 * The largest config file read: 1 MiB, a policy limit. `rainier-scale` written out in full is about
 * 8 KB, so the limit leaves a hundredfold margin while bounding the work every command does before
 * it can say what is wrong.
 */
export const MAX_CONFIG_FILE_BYTES = 1024 * 1024;

/**
 * The most sites a configuration may have: 100, a policy limit (`rainier-scale`, the whole campus,
 * has 30). Each site adds at least four stacks, so a larger cluster takes minutes to synthesise and
 * hundreds of CloudFormation stacks to deploy; checked before the schema, the plan or synthesis.
 */
export const MAX_SITES = 100;

/** The most pools a site may have: 64, a policy limit (each pool is at least one stack; the presets have 1 or 2; a site of 60 pools still plans, its dashboard spread over pages). */
export const MAX_POOLS_PER_SITE = 64;

/** Counts the sites and pools of a merged configuration before any expensive work (schema, plan, synthesis). */
function checkLimits(raw: unknown): void {
  if (!isPlainObject(raw) || !isPlainObject(raw.sites)) {
    return;
  }
  const sites = Object.entries(raw.sites).filter(([, s]) => s !== null);
  if (sites.length > MAX_SITES) {
    throw ConfigError.single('sites', `${sites.length} sites`, `at most ${MAX_SITES} sites (a policy limit; rainier-scale, the whole campus, has 30)`);
  }
  const problems = sites.flatMap(([name, s]) => {
    const pools = isPlainObject(s) && isPlainObject(s.pools) ? Object.values(s.pools).filter((p) => p !== null).length : 0;
    return pools > MAX_POOLS_PER_SITE
      ? [{ path: `sites.${name}.pools`, given: `${pools} pools`, allowed: `at most ${MAX_POOLS_PER_SITE} pools in a site (a policy limit; each pool is a stack)` }]
      : [];
  });
  if (problems.length > 0) {
    throw new ConfigError(problems);
  }
}

function readConfigFile(file: string): Record<string, unknown> {
  let bytes: Buffer;
  try {
    // A device or pipe (/dev/zero, a FIFO) would never end, and a huge file would exhaust memory.
    const stat = fs.statSync(file);
    if (!stat.isFile()) {
      throw ConfigError.single('config', `"${file}"`, 'a regular YAML or JSON file (not a directory, device or pipe)');
    }
    if (stat.size > MAX_CONFIG_FILE_BYTES) {
      throw ConfigError.single('config', `"${file}" of ${stat.size} bytes`, `a file of at most ${MAX_CONFIG_FILE_BYTES} bytes (a policy limit; a cluster configuration is a few kilobytes)`);
    }
    bytes = fs.readFileSync(file);
  } catch (e) {
    if (e instanceof ConfigError) {
      throw e;
    }
    throw ConfigError.single('config', `"${file}"`, `a readable YAML or JSON file (${(e as NodeJS.ErrnoException).code ?? 'unreadable'})`);
  }
  const text = decodeText(file, bytes);
  const json = path.extname(file).toLowerCase() === '.json';
  let parsed: unknown;
  try {
    if (json) {
      parsed = JSON.parse(text);
      const dup = duplicateJsonKey(text);
      if (dup !== undefined) {
        throw ConfigError.single(dup.path, `the key "${dup.key}" twice in ${file}`, 'each key once per mapping (YAML files are held to the same)');
      }
    } else {
      // The yaml library caps alias expansion (maxAliasCount);
      // it recurses per flow level, so a deeply nested file is refused before it is parsed.
      if (flowDepth(text) > MAX_NESTING) {
        throw ConfigError.single('config', `"${file}", with values nested more than ${MAX_NESTING} levels deep`, `at most ${MAX_NESTING} levels (a configuration needs about 8)`);
      }
      // Merge keys (`<<: *anchor`, YAML 1.1, common in hand-written files) merge as their writers
      // expect instead of arriving as an unknown field "<<"; a merged __proto__ is still refused below.
      // Duplicate keys are found here in one pass: the library's own check (uniqueKeys) compares every
      // key of a mapping with every other, and a 1 MB mapping of 56,000 keys took a minute.
      const doc = yaml().parseDocument(text, { merge: true, uniqueKeys: false });
      if (doc.errors.length > 0) {
        throw doc.errors[0];
      }
      const dup = duplicateYamlKey(doc.contents);
      if (dup !== undefined) {
        throw ConfigError.single(dup.path, `the key "${dup.key}" twice in ${file}`, 'each key once per mapping (JSON files are held to the same)');
      }
      // toJS expands aliases under the library's cap (maxAliasCount, 100), which refuses alias bombs.
      parsed = doc.toJS();
    }
  } catch (e) {
    if (e instanceof ConfigError) {
      throw e;
    }
    throw ConfigError.single('config', `"${file}"`, `valid ${json ? 'JSON' : 'YAML'}: ${(e as Error).message.split('\n')[0]}`);
  }
  if (parsed === null || parsed === undefined) {
    throw ConfigError.single('config', `"${file}", which holds no configuration (empty, or only comments)`, 'a mapping of configuration fields; to use a preset alone, give -c preset=NAME and no file');
  }
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw ConfigError.single('', renderValue(parsed), 'a mapping of configuration fields at the top of the file');
  }
  const hostile = pollutingKeys(parsed);
  if (hostile.length > 0) {
    throw new ConfigError(hostile);
  }
  return parsed as Record<string, unknown>;
}

/** UTF-8 text of a file, or a ConfigError naming the encoding problem (never garbage values). */
function decodeText(file: string, bytes: Buffer): string {
  if (bytes.length === 0) {
    throw ConfigError.single('config', `"${file}", an empty file`, 'a YAML or JSON mapping of configuration fields; to use a preset alone, give -c preset=NAME and no file');
  }
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw ConfigError.single('config', `"${file}", encoded as UTF-16`, 'a UTF-8 text file (re-save it as UTF-8)');
  }
  const nul = bytes.indexOf(0);
  if (nul >= 0) {
    throw ConfigError.single('config', `"${file}", a binary file (a zero byte at offset ${nul})`, 'a UTF-8 YAML or JSON text file');
  }
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  } catch {
    throw ConfigError.single('config', `"${file}", which is not valid UTF-8`, 'a UTF-8 text file (re-save it as UTF-8)');
  }
}

/**
 * The YAML library, loaded on first use: a preset alone (the default `cdk synth`) reads no YAML
 * file, and loading the parser costs about 60-90 ms of every synthesis on a 2-core machine.
 */
let yamlModule: typeof import('yaml') | undefined;
function yaml(): typeof import('yaml') {
  yamlModule ??= require('yaml') as typeof import('yaml');
  return yamlModule;
}

/**
 * The first key that appears twice in one YAML mapping, found with a set per mapping (linear in the
 * file). Merge keys (`<<`) are not fields and are skipped; nesting is bounded by MAX_NESTING, checked first.
 */
function duplicateYamlKey(root: unknown): { key: string; path: string } | undefined {
  const stack: [unknown, string[]][] = [[root, []]];
  while (stack.length > 0) {
    const [node, at] = stack.pop()!;
    if (yaml().isMap(node)) {
      const seen = new Set<string>();
      for (const pair of node.items) {
        const key = yaml().isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        if (key !== '<<') {
          if (seen.has(key)) {
            return { key, path: [...at, key].join('.') };
          }
          seen.add(key);
        }
        stack.push([pair.value, [...at, key]]);
      }
    } else if (yaml().isSeq(node)) {
      node.items.forEach((item, i) => stack.push([item, [...at, String(i)]]));
    }
  }
  return undefined;
}

/** The deepest nesting of `[` and `{` outside quoted scalars and comments, in one linear pass. */
function flowDepth(text: string): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"' || c === "'") {
      const end = text.indexOf(c, i + 1);
      i = end < 0 ? text.length : end;
    } else if (c === '#') {
      const end = text.indexOf('\n', i);
      i = end < 0 ? text.length : end;
    } else if (c === '[' || c === '{') {
      max = Math.max(max, ++depth);
    } else if (c === ']' || c === '}') {
      depth = Math.max(0, depth - 1);
    }
  }
  return max;
}

/**
 * The first key that appears twice in one JSON object (JSON.parse keeps the last silently), found
 * in one linear pass over text that JSON.parse has already accepted.
 */
function duplicateJsonKey(text: string): { key: string; path: string } | undefined {
  type Frame = { keys: Set<string> | undefined; path: string[]; index: number };
  const frames: Frame[] = [];
  let expectKey = false;
  let lastKey: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') {
        j += text[j] === '\\' ? 2 : 1;
      }
      const str = JSON.parse(text.slice(i, j + 1)) as string;
      const top = frames[frames.length - 1];
      if (expectKey && top?.keys !== undefined) {
        if (top.keys.has(str)) {
          return { key: str, path: [...top.path, str].join('.') };
        }
        top.keys.add(str);
        lastKey = str;
        expectKey = false;
      }
      i = j;
    } else if (c === '{' || c === '[') {
      if (frames.length >= MAX_NESTING) {
        // Too deep to be a configuration: the depth check reports it (and the paths here would grow quadratically).
        return undefined;
      }
      const parent = frames[frames.length - 1];
      const where = parent === undefined ? [] : parent.keys !== undefined ? [...parent.path, lastKey ?? ''] : [...parent.path, String(parent.index)];
      frames.push({ keys: c === '{' ? new Set() : undefined, path: where, index: 0 });
      expectKey = c === '{';
    } else if (c === '}' || c === ']') {
      frames.pop();
      expectKey = false;
    } else if (c === ',') {
      const top = frames[frames.length - 1];
      if (top !== undefined) {
        top.index++;
        expectKey = top.keys !== undefined;
      }
    }
  }
  return undefined;
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

/** One problem per unknown key (a long list on one line is what a pipe truncates), else one per issue. */
/**
 * A value of the wrong type is one problem: zod may also report a bound checked against it (a string
 * given for a list is "too long" in characters), which would name a limit of the wrong kind.
 */
function onePerTypeError(issues: readonly Issue[]): Issue[] {
  const key = (i: Issue) => i.path.map(String).join('.');
  const wrongType = new Set(issues.filter((i) => i.code === 'invalid_type').map(key));
  const typed = issues.filter((i) => i.code === 'invalid_type' || !wrongType.has(key(i)));
  // zod's .int() adds the safe-integer bounds (±2^53 - 1): when the field has its own bound too, only
  // that one names what is allowed (9007199254740993 would otherwise give two "at most" problems).
  const safeBound = (i: Issue) =>
    (i.code === 'too_big' && Math.abs(Number(i.maximum)) === Number.MAX_SAFE_INTEGER) || (i.code === 'too_small' && Math.abs(Number(i.minimum)) === Number.MAX_SAFE_INTEGER);
  return typed.filter((i) => !safeBound(i) || !typed.some((o) => o !== i && o.code === i.code && key(o) === key(i) && !safeBound(o)));
}

function toProblems(issue: Issue, raw: unknown, nulls: ReadonlySet<string>): ConfigProblem[] {
  const pathParts = issue.path.map(String);
  if (issue.code === 'invalid_union' && (issue as { discriminator?: string }).discriminator === undefined) {
    return unionProblems(issue, raw, nulls);
  }
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeysAt(clusterConfigSchema, pathParts, raw);
    return issue.keys.map((key) => {
      const suggestion = nearest(key, known);
      return {
        path: [...pathParts, key].join('.'),
        given: `an unknown field "${key}"`,
        allowed: `${suggestion ? `did you mean "${suggestion}"? ` : ''}known fields here: ${known.join(', ')}`,
      };
    });
  }
  const problem = toProblem(issue, raw);
  // A null in the file removed the preset's value: say null, not "nothing".
  if (valueAt(raw, pathParts) === undefined && nulls.has(problem.path)) {
    return [{ ...problem, given: "null (which removes the preset's value)" }];
  }
  return [problem];
}

/**
 * A value that matches no member of a plain union (e.g. `compute.image`): when one member fits
 * better than every other (fewest problems, and no field it does not know), its own problems are
 * reported, so the user sees the missing or wrong field; otherwise the members are listed.
 */
function unionProblems(issue: Extract<Issue, { code: 'invalid_union' }>, raw: unknown, nulls: ReadonlySet<string>): ConfigProblem[] {
  const at = issue.path.map(String);
  const members = (issue as unknown as { errors: Issue[][] }).errors;
  // A member fits when the value has its shape: every problem is inside the value (a literal
  // member such as "latest" reports a wrong value at the root, and does not fit an object).
  const fits = members.filter((m) => m.length > 0 && !m.some((i) => i.code === 'unrecognized_keys' || i.path.length === 0));
  const fewest = Math.min(...fits.map((m) => m.length));
  const best = fits.filter((m) => m.length === fewest);
  if (best.length === 1) {
    return best[0].flatMap((i) => toProblems({ ...i, path: [...issue.path, ...i.path] } as Issue, raw, nulls));
  }
  // Fields no member knows (a misspelling): name them, with the nearest known field.
  const value = valueAt(raw, at);
  const known = knownKeysAt(clusterConfigSchema, at, raw);
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && known.length > 0) {
    const unknown = Object.keys(value).filter((k) => !known.includes(k));
    if (unknown.length > 0) {
      return unknown.map((key) => {
        const suggestion = nearest(key, known);
        return { path: [...at, key].join('.'), given: `an unknown field "${key}"`, allowed: `${suggestion ? `did you mean "${suggestion}"? ` : ''}known fields here: ${known.join(', ')}` };
      });
    }
  }
  const union = schemaAt(clusterConfigSchema, at, raw) as unknown as { def?: { options?: z.ZodType[] } } | undefined;
  const described = (union?.def?.options ?? []).map(describeMember);
  const allowed = described.length > 0 && described.every((d) => d !== undefined) ? `expected ${described.join(', or ')}` : issue.message;
  return [{ path: at.join('.'), given: renderValue(valueAt(raw, at)), allowed }];
}

function describeMember(member: z.ZodType): string | undefined {
  const def = (member as unknown as { def: { type: string; shape?: Record<string, unknown>; values?: unknown[] } }).def;
  if (def.type === 'object' && def.shape !== undefined) {
    return `an object with the fields ${Object.keys(def.shape).join(' and ')}`;
  }
  if (def.type === 'literal' && def.values !== undefined) {
    return def.values.map((v) => JSON.stringify(v)).join(', or ');
  }
  return undefined;
}

function toProblem(issue: Issue, raw: unknown): ConfigProblem {
  const pathParts = issue.path.map(String);
  const value = valueAt(raw, pathParts);
  const at = pathParts.join('.');
  switch (issue.code) {
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
      return {
        path: at,
        given: renderValue(value),
        allowed:
          issue.expected === 'number' && typeof value === 'number'
            ? 'expected a finite number'
            : `expected ${issue.expected === 'int' ? 'a whole number' : `${/^[aeiou]/.test(issue.expected) ? 'an' : 'a'} ${issue.expected}`}${
                issue.expected === 'string' && typeof value === 'number' ? ' (in quotes: YAML and JSON read unquoted digits as a number, dropping leading zeros)' : ''
              }`,
      };
    case 'too_small':
      return { path: at, given: renderValue(value), allowed: `expected ${describeBound(issue.origin, 'at least', issue.minimum, issue.inclusive)}` };
    case 'too_big':
      // Beyond 2^53 the parser already rounded the number: say so, not just the rounded value.
      return { path: at, given: typeof value === 'number' && Number.isFinite(value) && !Number.isSafeInteger(value) && Number.isInteger(value) ? `${renderValue(value)} (a whole number beyond 2^53 - 1, rounded when the file was read)` : renderValue(value), allowed: `expected ${describeBound(issue.origin, 'at most', issue.maximum, issue.inclusive)}` };
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
    } else if (def.type === 'pipe') {
      // A shorthand normalised by a transform (orchestrator: `eks` or an object): the input side.
      cur = def.in as z.ZodType;
    } else if (def.type === 'union' && typeof def.discriminator !== 'string' && value !== null && typeof value === 'object' && !Array.isArray(value)) {
      // A plain union of literals and one object (orchestrator): an object value can only be that member.
      const objects = (def.options as z.ZodType[]).filter((o) => (o as unknown as { def: { type: string } }).def.type === 'object');
      if (objects.length !== 1) {
        return cur;
      }
      cur = objects[0];
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
  const at = schemaAt(schema, parts, raw) as unknown as { def?: { shape?: Record<string, unknown>; options?: z.ZodType[] } } | undefined;
  if (at?.def?.shape !== undefined) {
    return Object.keys(at.def.shape);
  }
  // A plain union of objects (compute.image): the fields of every member.
  const members = (at?.def?.options ?? []).map((o) => (o as unknown as { def?: { shape?: Record<string, unknown> } }).def?.shape);
  return [...new Set(members.flatMap((shape) => (shape === undefined ? [] : Object.keys(shape))))];
}

function discriminatorValues(schema: z.ZodType, parts: readonly string[], raw: unknown, disc: string): string[] {
  const at = schemaAt(schema, parts, raw) as unknown as { def?: { options?: z.ZodType[] } } | undefined;
  return (at?.def?.options ?? []).map((o) => String(literalOf(o, disc)));
}

