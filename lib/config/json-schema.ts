import { z } from 'zod';
import { PRESET_DESCRIPTIONS, PRESET_NAMES } from './presets';
import { LOG_RETENTION_DAYS, clusterConfigSchema } from './schema';

/**
 * The JSON Schema of a config file, generated from the same zod schema that validates it.
 * A file overrides a preset, so no field is required in it; `preset` names the starting point.
 */
export function configFileJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(clusterConfigSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  const relaxed = dropRequired(schema) as Record<string, unknown>;
  // zod refinements do not reach JSON Schema; restate the ones a file can break, so editors reject
  // what the app rejects (test/json-schema.test.ts proves it with ajv).
  const monitoring = (relaxed.properties as Record<string, { properties?: Record<string, Record<string, unknown>> }>).monitoring;
  const retention = monitoring?.properties?.logRetentionDays;
  if (retention !== undefined) {
    retention.enum = [...LOG_RETENTION_DAYS];
  }
  const emails = monitoring?.properties?.emailSubscriptions;
  if (emails !== undefined) {
    emails.uniqueItems = true;
  }
  // No preset pins an image, so an image in a file is the whole image: its fields stay required
  // (an SSM parameter without its versions is refused by the app, and so by the schema).
  type Props = Record<string, { properties?: Record<string, unknown> }>;
  const strictImage = (schema.properties as Props).compute?.properties?.image;
  const relaxedCompute = (relaxed.properties as Props).compute;
  if (strictImage !== undefined && relaxedCompute?.properties !== undefined) {
    relaxedCompute.properties.image = strictImage;
  }
  const properties = relaxed.properties as Record<string, unknown>;
  return {
    $schema: relaxed.$schema,
    $id: 'https://rainier-cdk.example/cluster-config.schema.json',
    title: 'rainier-cdk cluster configuration',
    description:
      'Overrides applied on top of a preset (see docs/configuration.md, "Configuration reference"). Mappings merge key by key, lists replace, null removes a key.',
    type: 'object',
    additionalProperties: false,
    properties: {
      preset: {
        description: `Preset to start from. ${PRESET_NAMES.map((p) => `${p}: ${PRESET_DESCRIPTIONS[p]}`).join(' ')}`,
        enum: [...PRESET_NAMES],
      },
      ...properties,
    },
  };
}

/**
 * Removes `required` everywhere, the pool discriminator (`kind`) included: an override file is
 * partial, and a pool it changes takes its kind from the preset. The pool variants become `anyOf`
 * (a partial pool may fit more than one); the app still checks the merged result.
 * Maps (sites, pools) accept `null` to delete a preset's entry.
 */
function dropRequired(node: unknown): unknown {
  if (Array.isArray(node)) {
    return node.map(dropRequired);
  }
  if (node === null || typeof node !== 'object') {
    return node;
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'required') {
      continue;
    }
    out[key === 'oneOf' ? 'anyOf' : key] = dropRequired(value);
  }
  if (out.type === 'object' && typeof out.additionalProperties === 'object' && out.propertyNames !== undefined) {
    out.additionalProperties = { anyOf: [out.additionalProperties, { type: 'null' }] };
  }
  return out;
}
