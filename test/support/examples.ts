import * as fs from 'fs';
import * as path from 'path';
import YAML from 'yaml';
import { clusterConfigSchema } from '../../lib/config/schema';

const ROOT = path.join(__dirname, '..', '..');

/** Top-level keys of a configuration file: a code block whose keys are all among them is an example file. */
const CONFIG_KEYS = ['preset', ...Object.keys(clusterConfigSchema.shape)];

function files(dir: string, exts: RegExp): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(path.join(dir, e.name), exts) : exts.test(e.name) ? [path.join(dir, e.name)] : [],
  );
}

/** The Markdown files users read: README.md and docs/*.md. */
export function markdownFiles(): string[] {
  return [path.join(ROOT, 'README.md'), ...files(path.join(ROOT, 'docs'), /\.md$/)].filter((f) => fs.existsSync(f));
}

/** Every ```yaml / ```json block of `docs` that reads as a configuration file, named `<file> block <n>`. */
export function markdownExamples(docs: readonly string[] = markdownFiles()): [string, unknown][] {
  return docs.flatMap((file) => {
    const text = fs.readFileSync(file, 'utf8');
    return [...text.matchAll(/```(ya?ml|json)\n([\s\S]*?)```/g)].flatMap((m, i): [string, unknown][] => {
      let doc: unknown;
      try {
        doc = m[1] === 'json' ? JSON.parse(m[2]) : YAML.parse(m[2]);
      } catch {
        return [];
      }
      const isConfig = doc !== null && typeof doc === 'object' && !Array.isArray(doc) && Object.keys(doc).length > 0 && Object.keys(doc).every((k) => CONFIG_KEYS.includes(k));
      return isConfig ? [[`${path.relative(ROOT, file)} block ${i + 1}`, doc]] : [];
    });
  });
}
