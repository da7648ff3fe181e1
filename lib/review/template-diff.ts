/**
 * Resource-level diff of two synthesised cluster apps, computed offline with
 * @aws-cdk/cloudformation-diff (the library behind `cdk diff`), and the stateful-resource check.
 *
 * @aws-cdk/cloudformation-diff is a dev dependency: this module serves `npm run diff` and the tests,
 * never the deployed app.
 */
import { ResourceDifference, ResourceImpact, TemplateDiff, diffTemplate, formatDifferences } from '@aws-cdk/cloudformation-diff';
import { SynthesisedStack } from './assembly';

/**
 * Resource types that hold data or guard it. Replacing or deleting one loses data or cuts the data
 * path (a Data Repository Association links the file system to S3), so the diff flags it.
 */
export const STATEFUL_RESOURCE_TYPES: readonly string[] = [
  'AWS::FSx::FileSystem',
  'AWS::FSx::DataRepositoryAssociation',
  'AWS::S3::Bucket',
  'AWS::KMS::Key',
  'AWS::Logs::LogGroup',
];

/** Impacts that lose the existing physical resource (or take it out of CloudFormation's hands). */
export const HAZARDOUS_IMPACTS: readonly ResourceImpact[] = [
  ResourceImpact.WILL_REPLACE,
  ResourceImpact.MAY_REPLACE,
  ResourceImpact.WILL_DESTROY,
  ResourceImpact.WILL_ORPHAN,
];

/** A stateful resource that the change would replace or delete. */
export interface StatefulHazard {
  readonly stack: string;
  readonly logicalId: string;
  readonly type: string;
  readonly impact: ResourceImpact;
  /** Construct path, when the template carries it. */
  readonly path?: string;
  /** Properties whose change forces (or may force) the replacement. */
  readonly replacedBy: readonly string[];
  /** The whole stack leaves the app (it is not deleted by `cdk deploy`, but no longer managed). */
  readonly stackRemoved: boolean;
}

export interface StackDiff {
  readonly stack: string;
  readonly status: 'added' | 'removed' | 'changed' | 'unchanged';
  readonly diff: TemplateDiff;
  /** `cdk diff`-style text, without colour. */
  readonly text: string;
  readonly hazards: readonly StatefulHazard[];
}

/** Terminal width the formatter lays tables out for; fixed so the output is deterministic. */
const COLUMNS = 120;

/**
 * Diffs every stack of two synthesised apps, matched by stack name. A stack that moves to another
 * Region counts as removed from the old one and added in the new one.
 */
export function diffStacks(before: readonly SynthesisedStack[], after: readonly SynthesisedStack[]): StackDiff[] {
  const b = new Map(before.map((s) => [s.id, s]));
  const a = new Map(after.map((s) => [s.id, s]));
  const ids = [...new Set([...b.keys(), ...a.keys()])].sort();
  return ids.flatMap((id) => {
    const old = b.get(id);
    const now = a.get(id);
    if (old !== undefined && now !== undefined && old.region !== now.region) {
      return [diffOne(`${id} (${old.region})`, old, undefined), diffOne(`${id} (${now.region})`, undefined, now)];
    }
    return [diffOne(id, old, now)];
  });
}

function diffOne(id: string, before: SynthesisedStack | undefined, after: SynthesisedStack | undefined): StackDiff {
  const diff = diffTemplate(before?.template ?? {}, after?.template ?? {});
  const status = before === undefined ? 'added' : after === undefined ? 'removed' : diff.isEmpty ? 'unchanged' : 'changed';
  const paths = { ...before?.logicalIdPaths, ...after?.logicalIdPaths };
  return { stack: id, status, diff, text: diff.isEmpty ? '' : formatDiff(diff, paths), hazards: hazardsOf(id, diff, paths, status === 'removed') };
}

/**
 * FSx for Lustre settings that can only be set at creation (REFERENCE.md §6) but that the
 * CloudFormation resource specification does not mark as replacing: a change is reported as
 * MAY_REPLACE even when the diff library sees an in-place update.
 */
export const FSX_CREATION_ONLY_SETTINGS: readonly string[] = ['LustreConfiguration.EfaEnabled', 'LustreConfiguration.MetadataConfiguration.Mode'];

function creationOnlyChanges(change: ResourceDifference): string[] {
  if (change.oldResourceType !== 'AWS::FSx::FileSystem' || change.newResourceType !== 'AWS::FSx::FileSystem') {
    return [];
  }
  const at = (props: Record<string, unknown> | undefined, dotted: string) =>
    dotted.split('.').reduce<unknown>((v, k) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), props);
  return FSX_CREATION_ONLY_SETTINGS.filter(
    (p) => JSON.stringify(at(change.oldProperties, p)) !== JSON.stringify(at(change.newProperties, p)),
  );
}

function hazardsOf(stack: string, diff: TemplateDiff, paths: Record<string, string>, stackRemoved: boolean): StatefulHazard[] {
  const out: StatefulHazard[] = [];
  for (const logicalId of Object.keys(diff.resources.changes).sort()) {
    const change: ResourceDifference = diff.resources.changes[logicalId];
    const type = change.oldResourceType ?? change.newResourceType ?? '';
    if (!STATEFUL_RESOURCE_TYPES.includes(type)) {
      continue;
    }
    const creationOnly = creationOnlyChanges(change);
    if (!HAZARDOUS_IMPACTS.includes(change.changeImpact)) {
      if (creationOnly.length > 0) {
        out.push({ stack, logicalId, type, impact: ResourceImpact.MAY_REPLACE, path: paths[logicalId], replacedBy: creationOnly, stackRemoved });
      }
      continue;
    }
    const replacedBy = Object.entries(change.propertyUpdates)
      .filter(([, p]) => p.changeImpact === ResourceImpact.WILL_REPLACE || p.changeImpact === ResourceImpact.MAY_REPLACE)
      .map(([name]) => name)
      .concat(creationOnly)
      .sort();
    out.push({ stack, logicalId, type, impact: change.changeImpact, path: paths[logicalId], replacedBy, stackRemoved });
  }
  return out;
}

/** Renders a template diff as `cdk diff` does (security tables, then the sections), colour stripped. */
export function formatDiff(diff: TemplateDiff, logicalIdPaths: Record<string, string> = {}): string {
  const chunks: string[] = [];
  const stream = Object.assign(
    {
      write(chunk: string | Uint8Array): boolean {
        chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
        return true;
      },
    },
    { columns: COLUMNS },
  ) as unknown as NodeJS.WritableStream & { columns: number };
  // formatDifferences prints the IAM and security group tables itself, then the sections.
  formatDifferences(stream, diff, logicalIdPaths);
  // eslint-disable-next-line no-control-regex
  return chunks.join('').replace(/\u001b\[[0-9;]*m/g, '').replace(/[ \t]+$/gm, '').trimEnd();
}

/** Why a hazard matters, in one line. */
export function describeHazard(h: StatefulHazard): string {
  const what =
    h.impact === ResourceImpact.WILL_REPLACE
      ? 'WILL BE REPLACED (a new, empty resource; the old one is deleted or, if retained, orphaned)'
      : h.impact === ResourceImpact.MAY_REPLACE
        ? 'MAY BE REPLACED'
        : h.impact === ResourceImpact.WILL_ORPHAN
          ? 'WILL BE REMOVED from the stack (retained in the account, no longer managed)'
          : 'WILL BE DELETED';
  const cause = h.stackRemoved
    ? ' because its stack leaves the app'
    : h.replacedBy.length > 0
      ? ` because ${h.replacedBy.join(', ')} changed`
      : '';
  return `${h.stack} ${h.logicalId} (${h.type}${h.path ? `, ${h.path}` : ''}) ${what}${cause}`;
}
