/**
 * Writes schema/cluster-config.schema.json from the zod schema (`npm run docs` calls it; alone:
 * `npx ts-node scripts/schema.ts`).
 * A test fails when the committed file is out of date.
 */
import * as fs from 'fs';
import * as path from 'path';
import { configFileJsonSchema } from '../lib/config/json-schema';

export const SCHEMA_FILE = path.join(__dirname, '..', 'schema', 'cluster-config.schema.json');

export function renderSchema(): string {
  return `${JSON.stringify(configFileJsonSchema(), null, 2)}\n`;
}

if (require.main === module) {
  fs.mkdirSync(path.dirname(SCHEMA_FILE), { recursive: true });
  fs.writeFileSync(SCHEMA_FILE, renderSchema());
  process.stdout.write(`wrote ${path.relative(process.cwd(), SCHEMA_FILE)}\n`);
}
