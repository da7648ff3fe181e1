import * as fs from 'fs';
import { README, regenerateReadme } from '../scripts/docs';
import { SCHEMA_FILE, renderSchema } from '../scripts/schema';

describe('derived documentation is up to date (run `npm run docs` if not)', () => {
  test('schema/cluster-config.schema.json matches the zod schema', () => {
    expect(fs.readFileSync(SCHEMA_FILE, 'utf8')).toBe(renderSchema());
  });

  test("the README's generated blocks (configuration reference, presets, rules) are current", () => {
    const readme = fs.readFileSync(README, 'utf8');
    expect(readme).toBe(regenerateReadme(readme));
  });

  test('every configuration field has a description', () => {
    const schema = renderSchema();
    const undocumented: string[] = [];
    const walk = (node: unknown, at: string) => {
      if (node === null || typeof node !== 'object') {
        return;
      }
      const props = (node as { properties?: Record<string, Record<string, unknown>> }).properties;
      for (const [key, child] of Object.entries(props ?? {})) {
        if (child.description === undefined && key !== 'kind') {
          undocumented.push(`${at}${key}`);
        }
      }
      for (const [key, child] of Object.entries(node)) {
        walk(child, key === 'properties' ? at : at);
      }
    };
    walk(JSON.parse(schema), '');
    expect(undocumented).toEqual([]);
  });
});
