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
export const DATA_RESOURCE_TYPES: readonly string[] = [
  'AWS::FSx::FileSystem',
  'AWS::FSx::DataRepositoryAssociation',
  'AWS::S3::Bucket',
  'AWS::KMS::Key',
  'AWS::Logs::LogGroup',
];

/**
 * Resource types that hold capacity. Replacing an On-Demand Capacity Reservation cancels the old one
 * and asks EC2 for a new one, which it may not have: "Capacity Reservations are subject to
 * availability" and a request fails with InsufficientInstanceCapacity when EC2 lacks it
 * (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/capacity-reservations-create.html), and
 * Trainium capacity is scarce (REFERENCE.md §2). So a reservation is as stateful as a file system.
 */
export const CAPACITY_RESOURCE_TYPES: readonly string[] = ['AWS::EC2::CapacityReservation'];

/** Every resource type the diff treats as stateful. */
export const STATEFUL_RESOURCE_TYPES: readonly string[] = [...DATA_RESOURCE_TYPES, ...CAPACITY_RESOURCE_TYPES];

/** Impacts that lose the existing physical resource (or take it out of CloudFormation's hands). */
export const HAZARDOUS_IMPACTS: readonly ResourceImpact[] = [
  ResourceImpact.WILL_REPLACE,
  ResourceImpact.MAY_REPLACE,
  ResourceImpact.WILL_DESTROY,
  ResourceImpact.WILL_ORPHAN,
];

/**
 * What a hazard does to a deployment:
 * - `loses-data`: a file system, bucket, key or log group is replaced, deleted or orphaned;
 * - `loses-capacity`: a Capacity Reservation is replaced or deleted (capacity that may not come back);
 * - `would-fail`: CloudFormation (or the service) would refuse the update, e.g. an export in use, FSx shrink.
 */
export type HazardKind = 'loses-data' | 'loses-capacity' | 'would-fail';

/** A stateful resource that the change would replace or delete, or a change the deployment would fail on. */
export interface StatefulHazard {
  readonly kind: HazardKind;
  readonly stack: string;
  /** Logical ID of the resource, or of the output for an export. */
  readonly logicalId: string;
  /** Resource type, or `Export` for a stack export. */
  readonly type: string;
  readonly impact: ResourceImpact;
  /** Construct path, when the template carries it. */
  readonly path?: string;
  /** Properties whose change forces (or may force) the replacement. */
  readonly replacedBy: readonly string[];
  /** The whole stack leaves the app (it is not deleted by `cdk deploy`, but no longer managed). */
  readonly stackRemoved: boolean;
  /** Exports of other stacks whose new value reaches this resource through `Fn::ImportValue`. */
  readonly via?: readonly string[];
  /** For `would-fail`: why, in one sentence. */
  readonly detail?: string;
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

interface Side {
  readonly id: string;
  readonly before?: SynthesisedStack;
  readonly after?: SynthesisedStack;
}

/**
 * Diffs every stack of two synthesised apps, matched by stack name. A stack that moves to another
 * Region counts as removed from the old one and added in the new one.
 *
 * Beyond the per-stack diff of `cdk diff`, it follows changes across stacks: an exported value that
 * changes (its resource replaced, or the output changed or removed) while a deployed stack imports it
 * makes CloudFormation refuse the update ("would fail"), and the importing stack's resources that
 * would take the new value are re-diffed with it, so a replacement that propagates through an
 * import (a file system in a replaced subnet) is flagged too.
 */
export function diffStacks(before: readonly SynthesisedStack[], after: readonly SynthesisedStack[]): StackDiff[] {
  const b = new Map(before.map((s) => [s.id, s]));
  const a = new Map(after.map((s) => [s.id, s]));
  const ids = [...new Set([...b.keys(), ...a.keys()])].sort();
  const sides: Side[] = ids.flatMap((id): Side[] => {
    const old = b.get(id);
    const now = a.get(id);
    if (old !== undefined && now !== undefined && old.region !== now.region) {
      return [
        { id: `${id} (${old.region})`, before: old },
        { id: `${id} (${now.region})`, after: now },
      ];
    }
    return [{ id, before: old, after: now }];
  });
  const diffs = sides.map((s) => diffOne(s.id, s.before, s.after));
  const extra = crossStackHazards(sides, diffs);
  const taken = bucketNameCollisions(sides);
  const held = accessEntryCollisions(sides, diffs);
  const cached = pullThroughCacheCollisions(sides);
  const named = regionalNameCollisions(sides);
  return diffs.map((d, i) => {
    const more = [...extra[i], ...taken[i], ...held[i], ...cached[i], ...named[i]];
    return more.length === 0 ? d : { ...d, hazards: mergeHazards(d.hazards, more) };
  });
}

/**
 * EKS keeps one access entry per IAM principal and cluster (the API names an entry by cluster and
 * principal ARN: `/clusters/<name>/access-entries/<principalArn>`,
 * https://docs.aws.amazon.com/eks/latest/APIReference/API_DeleteAccessEntry.html; "an IAM principal
 * can be in only one access entry", https://docs.aws.amazon.com/eks/latest/userguide/creating-access-entries.html),
 * and `PrincipalArn` and `ClusterName` of AWS::EKS::AccessEntry are "Update requires: Replacement".
 * CloudFormation creates a new or replacement resource before it deletes the old one, in the cleanup
 * phase (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-updating-stacks-update-behaviors.html).
 * So an access entry the update creates for a principal that an entry of the deployed template
 * still holds on the same cluster (another logical ID, or the one being replaced) fails. This app keys
 * each entry by its principal (lib/constructs/eks-cluster.ts), so a reordered `orchestrator.access`
 * keeps every entry; the case remains for a role moved between the `ClusterAdminRoleArn` parameter's
 * entry and the list, and for templates whose entries are keyed otherwise.
 */
function accessEntryCollisions(sides: readonly Side[], diffs: readonly StackDiff[]): StatefulHazard[][] {
  type Resource = { Type?: string; Properties?: { ClusterName?: unknown; PrincipalArn?: unknown } };
  const entries = (stack: SynthesisedStack | undefined) =>
    Object.entries((stack?.template.Resources ?? {}) as Record<string, Resource>)
      .filter(([, r]) => r.Type === 'AWS::EKS::AccessEntry' && r.Properties?.PrincipalArn !== undefined)
      .map(([logicalId, r]) => ({ logicalId, key: JSON.stringify([r.Properties!.ClusterName, r.Properties!.PrincipalArn]), principal: r.Properties!.PrincipalArn, cluster: r.Properties!.ClusterName }));
  const replacing = [ResourceImpact.WILL_REPLACE, ResourceImpact.MAY_REPLACE];
  return sides.map((side, i) => {
    if (side.before === undefined || side.after === undefined) {
      return [];
    }
    const held = new Map(entries(side.before).map((e) => [e.key, e.logicalId]));
    const changes = diffs[i].diff.resources.changes;
    return entries(side.after).flatMap(({ logicalId, key, principal, cluster }): StatefulHazard[] => {
      const change = changes[logicalId];
      const created = change !== undefined && (change.isAddition || replacing.includes(change.changeImpact));
      // An entry on a new cluster (its cluster replaced, or another cluster named) holds nothing yet.
      const target = (cluster as { Ref?: unknown } | undefined)?.Ref;
      const newCluster = 'ClusterName' in (change?.propertyUpdates ?? {}) || (typeof target === 'string' && changes[target] !== undefined && replacing.includes(changes[target].changeImpact));
      if (!created || newCluster || !held.has(key)) {
        return [];
      }
      const holder = held.get(key)!;
      return [
        {
          kind: 'would-fail',
          stack: side.id,
          logicalId,
          type: 'AWS::EKS::AccessEntry',
          impact: change.changeImpact,
          path: side.after?.logicalIdPaths[logicalId],
          replacedBy: Object.keys(change.propertyUpdates).filter((p) => p === 'PrincipalArn' || p === 'ClusterName'),
          stackRemoved: false,
          detail:
            `it would create an access entry for ${readableName(principal)} while ${holder === logicalId ? 'the entry it replaces' : holder} still holds that principal on the cluster ` +
            '(EKS keeps one entry per principal and cluster; CloudFormation deletes the old entry only after creating the new one). ' +
            'Remove the principal in one deployment and add it back in the next (for example when moving a role between the ClusterAdminRoleArn parameter and orchestrator.access)',
        },
      ];
    });
  });
}

/**
 * S3 bucket names are global across Regions and accounts, and a retained bucket keeps its name
 * after its stack lets go of it ("a bucket name ... can't be used by another AWS account in the same
 * partition until the bucket is deleted",
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html). So a named bucket
 * that the new app creates anywhere but where the old app already had it (another stack, Region or
 * logical ID) fails to create while the old one exists: "would fail".
 */
function bucketNameCollisions(sides: readonly Side[]): StatefulHazard[][] {
  type Resource = { Type?: string; Properties?: { BucketName?: unknown } };
  return heldNameCollisions(sides, (stack) =>
    Object.entries((stack.template.Resources ?? {}) as Record<string, Resource>)
      .filter(([, r]) => r.Type === 'AWS::S3::Bucket' && r.Properties?.BucketName !== undefined)
      .map(([logicalId, r]) => ({
        logicalId,
        type: 'AWS::S3::Bucket',
        key: JSON.stringify(r.Properties!.BucketName),
        detail: (holder) =>
          `bucket name ${readableName(r.Properties!.BucketName)} is still held by ${holder.logicalId} of ${holder.side}, retained when it leaves (S3 bucket names are global); empty and delete that bucket first, or keep the replica where it is`,
      })),
  );
}

/**
 * Names unique in an account and Region: a log group's name, and an EKS cluster's. A stack that
 * leaves the app stays deployed (cdk deploy deletes no stack) and a retained log group outlives its
 * stack, so a resource of that type and name that the new app creates anywhere but where the old app
 * had it (another stack or logical ID) fails to create while the old one exists ("already exists").
 * Examples: a site joining another's fabric (its node log groups move to the fabric's network stack),
 * a shared fabric whose first member changes (its EKS cluster and control-plane log group move to
 * another orchestrator stack). Only names the template spells out are compared (literals and the
 * account, Region and partition pseudo parameters), not names that depend on the stack.
 */
export const REGIONAL_NAME_PROPERTIES: Readonly<Record<string, string>> = {
  'AWS::Logs::LogGroup': 'LogGroupName',
  'AWS::EKS::Cluster': 'Name',
};

function regionalNameCollisions(sides: readonly Side[]): StatefulHazard[][] {
  type Resource = { Type?: string; Properties?: Record<string, unknown> };
  return heldNameCollisions(sides, (stack) =>
    Object.entries((stack.template.Resources ?? {}) as Record<string, Resource>).flatMap(([logicalId, r]) => {
      const property = r.Type === undefined ? undefined : REGIONAL_NAME_PROPERTIES[r.Type];
      const value = property === undefined ? undefined : r.Properties?.[property];
      if (value === undefined || !accountWide(value)) {
        return [];
      }
      const what = r.Type === 'AWS::EKS::Cluster' ? 'EKS cluster' : 'log group';
      return [
        {
          logicalId,
          type: r.Type!,
          key: `${stack.region}|${r.Type}|${JSON.stringify(value)}`,
          detail: (holder: NameHolder, side: Side) =>
            `${what} name ${readableName(value)} is still held by ${holder.logicalId} of ${holder.side}${holder.side === side.id ? '' : ', which stays deployed (cdk deploy deletes no stack)'}; names are unique in an account and Region: delete that ${what} (and, if its stack left the app, the stack) first`,
        },
      ];
    }),
  );
}

/** Whether a name resolves the same in every stack of one account and Region: literals and the account, Region and partition pseudo parameters only. */
function accountWide(v: unknown): boolean {
  if (typeof v === 'string') {
    return true;
  }
  if (Array.isArray(v)) {
    return v.every(accountWide);
  }
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (typeof o.Ref === 'string') {
      return ['AWS::AccountId', 'AWS::Region', 'AWS::Partition', 'AWS::URLSuffix'].includes(o.Ref);
    }
    if (Array.isArray(o['Fn::Join']) && Object.keys(o).length === 1) {
      return accountWide((o['Fn::Join'] as unknown[])[1]);
    }
  }
  return false;
}

/**
 * An ECR pull-through cache rule belongs to the Region's private registry and its repository prefix
 * is unique there: creating a second rule with a prefix in use fails
 * (PullThroughCacheRuleAlreadyExistsException, "A pull through cache rule with these settings already
 * exists for the private registry", https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreatePullThroughCacheRule.html).
 * With `orchestrator: eks` the first cluster of each Region holds the rule (lib/plan/eks.ts
 * pullThroughCacheHolders); when that changes (its site removed, a site joining another's fabric),
 * the new holder creates the rule while the old stack, still deployed, holds it: "would fail".
 */
function pullThroughCacheCollisions(sides: readonly Side[]): StatefulHazard[][] {
  type Resource = { Type?: string; Properties?: { EcrRepositoryPrefix?: unknown } };
  return heldNameCollisions(sides, (stack) =>
    Object.entries((stack.template.Resources ?? {}) as Record<string, Resource>)
      .filter(([, r]) => r.Type === 'AWS::ECR::PullThroughCacheRule')
      .map(([logicalId, r]) => ({
        logicalId,
        type: 'AWS::ECR::PullThroughCacheRule',
        key: `${stack.region}|${JSON.stringify(r.Properties?.EcrRepositoryPrefix)}`,
        detail: (holder) =>
          `the Region's pull-through cache rule for prefix ${readableName(r.Properties?.EcrRepositoryPrefix)} is still held by ${holder.logicalId} of ${holder.side} (one rule per prefix in a registry); delete that rule or its stack first`,
      })),
  );
}

/** Where a deployed resource holds a name: its stack and logical ID. */
interface NameHolder {
  readonly side: string;
  readonly logicalId: string;
}

/** A resource under a name that is unique in some scope (`key` says which: the name, qualified by Region where that is the scope). */
interface HeldName {
  readonly logicalId: string;
  readonly type: string;
  readonly key: string;
  /** What the hazard says, given the deployed resource that holds the name. */
  readonly detail: (holder: NameHolder, side: Side) => string;
}

/**
 * The shared shape of the name checks above: every name a resource of the deployed app holds
 * (before), then each resource of the new app (after) that would create one of those names anywhere
 * but where it already is (another stack or logical ID): "would fail", since the holder stays.
 */
function heldNameCollisions(sides: readonly Side[], names: (stack: SynthesisedStack) => HeldName[]): StatefulHazard[][] {
  const of = (stack: SynthesisedStack | undefined) => (stack === undefined ? [] : names(stack));
  const held = new Map<string, NameHolder>();
  for (const side of sides) {
    for (const n of of(side.before)) {
      held.set(n.key, { side: side.id, logicalId: n.logicalId });
    }
  }
  return sides.map((side) =>
    of(side.after).flatMap((n): StatefulHazard[] => {
      const holder = held.get(n.key);
      if (holder === undefined || (holder.side === side.id && holder.logicalId === n.logicalId)) {
        return [];
      }
      return [
        {
          kind: 'would-fail',
          stack: side.id,
          logicalId: n.logicalId,
          type: n.type,
          impact: ResourceImpact.WILL_CREATE,
          path: side.after?.logicalIdPaths[n.logicalId],
          replacedBy: [],
          stackRemoved: false,
          detail: n.detail(holder, side),
        },
      ];
    }),
  );
}

/** A bucket name as a person reads it: literals, with `<AWS::AccountId>` for a pseudo parameter. */
function readableName(v: unknown): string {
  if (typeof v === 'string') {
    return v;
  }
  if (Array.isArray(v)) {
    return v.map(readableName).join('');
  }
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (Array.isArray(o['Fn::Join'])) {
      const [sep, parts] = o['Fn::Join'] as [string, unknown[]];
      return parts.map(readableName).join(sep);
    }
    if (typeof o.Ref === 'string') {
      return `<${o.Ref}>`;
    }
  }
  return JSON.stringify(v);
}

function diffOne(id: string, before: SynthesisedStack | undefined, after: SynthesisedStack | undefined): StackDiff {
  const diff = diffTemplate(before?.template ?? {}, after?.template ?? {});
  const status = before === undefined ? 'added' : after === undefined ? 'removed' : diff.isEmpty ? 'unchanged' : 'changed';
  const paths = { ...before?.logicalIdPaths, ...after?.logicalIdPaths };
  return { stack: id, status, diff, text: diff.isEmpty ? '' : formatDiff(diff, paths), hazards: hazardsOf(id, diff, paths, status === 'removed') };
}

function mergeHazards(own: readonly StatefulHazard[], extra: readonly StatefulHazard[]): StatefulHazard[] {
  const key = (h: StatefulHazard) => `${h.kind}|${h.logicalId}`;
  const seen = new Set(own.map(key));
  return [...own, ...extra.filter((h) => !seen.has(key(h)))];
}

const REMOVED = 'be removed';

/** Marker appended to an import whose export changes, so the diff library sees a new value. */
const CHANGED_IMPORT = ' (new value)';

/**
 * Exports that change, importers that block them, and what the new values replace downstream.
 * CloudFormation: "You can't modify or remove an output value that is referenced by another stack"
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-stack-exports.html).
 * The importers are the stacks deployed now (the before side): CDK deploys an exporter before its
 * importers, so they still hold the old import when the export changes.
 */
function crossStackHazards(sides: readonly Side[], diffs: readonly StackDiff[]): StatefulHazard[][] {
  const out: StatefulHazard[][] = sides.map(() => []);
  const importers = new Map<string, string[]>();
  sides.forEach((s) => {
    for (const name of importsOf(s.before?.template)) {
      importers.set(name, [...(importers.get(name) ?? []), s.id]);
    }
  });
  // Exports whose value changes, found stack by stack; a re-diff with the new imports can reveal more.
  const changed = new Map<string, string>();
  let currentDiffs = [...diffs];
  for (let round = 0; round <= sides.length; round++) {
    let grew = false;
    sides.forEach((s, i) => {
      for (const [name, cause] of changedExports(s, currentDiffs[i])) {
        if (changed.has(name)) {
          continue;
        }
        changed.set(name, cause);
        grew = true;
        const users = (importers.get(name) ?? []).filter((u) => u !== s.id);
        // Only the exports this change alters directly: later rounds follow a hypothetical (the export released).
        if (users.length > 0 && round === 0) {
          const outputId = Object.entries((s.before?.template.Outputs ?? {}) as Record<string, { Export?: { Name?: unknown } }>).find(
            ([, o]) => o.Export?.Name === name,
          )?.[0];
          out[i].push({
            kind: 'would-fail',
            stack: s.id,
            logicalId: outputId ?? name,
            type: 'Export',
            impact: ResourceImpact.WILL_UPDATE,
            replacedBy: [],
            stackRemoved: false,
            detail: `export ${name} would ${cause} while ${users.join(', ')} ${users.length === 1 ? 'imports' : 'import'} it; CloudFormation refuses to change or remove an export in use`,
          });
        }
      }
    });
    if (!grew) {
      break;
    }
    // Re-diff every importer with the changed imports marked, to see what the new values replace.
    currentDiffs = sides.map((s, i) => {
      if (s.before === undefined || s.after === undefined) {
        return currentDiffs[i];
      }
      // A removed export that the new template still imports cannot be deployed at all; only new values propagate.
      const names = importsOf(s.after.template).filter((n) => changed.has(n) && changed.get(n) !== REMOVED);
      if (names.length === 0) {
        return currentDiffs[i];
      }
      const marked = markImports(s.after.template, new Set(names)) as Record<string, unknown>;
      const diff = diffTemplate(s.before.template, marked);
      const paths = { ...s.before.logicalIdPaths, ...s.after.logicalIdPaths };
      for (const h of hazardsOf(s.id, diff, paths, false)) {
        const via = names.filter((n) => JSON.stringify((s.after!.template.Resources ?? {})[h.logicalId] ?? {}).includes(JSON.stringify(n)));
        out[i].push({ ...h, via: via.length > 0 ? via : names });
      }
      return { ...currentDiffs[i], diff };
    });
  }
  return out.map((hs) => {
    const key = (h: StatefulHazard) => `${h.kind}|${h.logicalId}`;
    const seen = new Set<string>();
    return hs.filter((h) => (seen.has(key(h)) ? false : (seen.add(key(h)), true)));
  });
}

/** Names of every export a template imports (`Fn::ImportValue` of a literal name). */
function importsOf(template: Record<string, unknown> | undefined): string[] {
  const names = new Set<string>();
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) {
      v.forEach(walk);
    } else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === 'Fn::ImportValue' && typeof x === 'string') {
          names.add(x);
        } else {
          walk(x);
        }
      }
    }
  };
  walk(template?.Resources);
  walk(template?.Outputs);
  return [...names].sort();
}

function markImports(v: unknown, names: ReadonlySet<string>): unknown {
  if (Array.isArray(v)) {
    return v.map((x) => markImports(x, names));
  }
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(
      Object.entries(v).map(([k, x]) => [k, k === 'Fn::ImportValue' && typeof x === 'string' && names.has(x) ? `${x}${CHANGED_IMPORT}` : markImports(x, names)]),
    );
  }
  return v;
}

/** Logical IDs a value refers to through `Ref` or `Fn::GetAtt`. */
function referencedIds(v: unknown, into: Set<string> = new Set()): Set<string> {
  if (Array.isArray(v)) {
    v.forEach((x) => referencedIds(x, into));
  } else if (v !== null && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if (k === 'Ref' && typeof x === 'string') {
        into.add(x);
      } else if (k === 'Fn::GetAtt') {
        const target = Array.isArray(x) ? x[0] : typeof x === 'string' ? x.split('.')[0] : undefined;
        if (typeof target === 'string') {
          into.add(target);
        }
      } else {
        referencedIds(x, into);
      }
    }
  }
  return into;
}

/** Exports of a deployed stack whose value the change would alter or remove, with the cause. */
function changedExports(side: Side, d: StackDiff): [string, string][] {
  if (side.before === undefined || side.after === undefined) {
    // A stack that leaves the app stays deployed (cdk deploy does not delete it); a new one exports nothing yet.
    return [];
  }
  type Output = { Value?: unknown; Export?: { Name?: unknown } };
  const oldOutputs = (side.before.template.Outputs ?? {}) as Record<string, Output>;
  const newOutputs = Object.values((side.after.template.Outputs ?? {}) as Record<string, Output>);
  const out: [string, string][] = [];
  for (const o of Object.values(oldOutputs)) {
    const name = o.Export?.Name;
    if (typeof name !== 'string') {
      continue;
    }
    const now = newOutputs.find((n) => n.Export?.Name === name);
    if (now === undefined) {
      out.push([name, REMOVED]);
      continue;
    }
    if (JSON.stringify(now.Value) !== JSON.stringify(o.Value)) {
      out.push([name, 'change its value']);
      continue;
    }
    const replaced = [...referencedIds(o.Value)].filter((id) => {
      const c = d.diff.resources.changes[id];
      return c !== undefined && HAZARDOUS_IMPACTS.includes(c.changeImpact);
    });
    if (replaced.length > 0) {
      out.push([name, `change its value (${replaced.join(', ')} ${d.diff.resources.changes[replaced[0]].changeImpact === ResourceImpact.MAY_REPLACE ? 'may be' : 'is'} replaced)`]);
    }
  }
  return out;
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

/**
 * An FSx for Lustre file system can only grow: "You can only increase the storage capacity"
 * (https://docs.aws.amazon.com/fsx/latest/LustreGuide/managing-storage-capacity.html), so a smaller
 * `StorageCapacity` makes the update fail.
 */
function fsxShrink(change: ResourceDifference): { from: number; to: number } | undefined {
  if (change.oldResourceType !== 'AWS::FSx::FileSystem' || change.newResourceType !== 'AWS::FSx::FileSystem') {
    return undefined;
  }
  const from = change.oldProperties?.StorageCapacity;
  const to = change.newProperties?.StorageCapacity;
  return typeof from === 'number' && typeof to === 'number' && to < from ? { from, to } : undefined;
}

function hazardsOf(stack: string, diff: TemplateDiff, paths: Record<string, string>, stackRemoved: boolean): StatefulHazard[] {
  const out: StatefulHazard[] = [];
  for (const logicalId of Object.keys(diff.resources.changes).sort()) {
    const change: ResourceDifference = diff.resources.changes[logicalId];
    const type = change.oldResourceType ?? change.newResourceType ?? '';
    if (!STATEFUL_RESOURCE_TYPES.includes(type)) {
      continue;
    }
    const kind: HazardKind = CAPACITY_RESOURCE_TYPES.includes(type) ? 'loses-capacity' : 'loses-data';
    const shrink = fsxShrink(change);
    if (shrink !== undefined) {
      out.push({
        kind: 'would-fail', stack, logicalId, type, impact: change.changeImpact, path: paths[logicalId], replacedBy: ['StorageCapacity'], stackRemoved,
        detail: `StorageCapacity would shrink from ${shrink.from} to ${shrink.to} GiB; FSx for Lustre can only grow, so the update fails`,
      });
    }
    const creationOnly = creationOnlyChanges(change);
    if (!HAZARDOUS_IMPACTS.includes(change.changeImpact)) {
      if (creationOnly.length > 0) {
        out.push({ kind, stack, logicalId, type, impact: ResourceImpact.MAY_REPLACE, path: paths[logicalId], replacedBy: creationOnly, stackRemoved });
      }
      continue;
    }
    const replacedBy = Object.entries(change.propertyUpdates)
      .filter(([, p]) => p.changeImpact === ResourceImpact.WILL_REPLACE || p.changeImpact === ResourceImpact.MAY_REPLACE)
      .map(([name]) => name)
      .concat(creationOnly)
      .sort();
    out.push({ kind, stack, logicalId, type, impact: change.changeImpact, path: paths[logicalId], replacedBy, stackRemoved });
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
  const where = `${h.stack} ${h.logicalId} (${h.type}${h.path ? `, ${h.path}` : ''})`;
  if (h.kind === 'would-fail') {
    return `${where} WOULD FAIL: ${h.detail ?? 'the update is refused'}`;
  }
  if (h.stackRemoved) {
    // cdk deploy does not delete a stack that leaves the app: nothing is deleted now; the resource
    // stays, billed and unmanaged, and goes (or, if retained, is orphaned) only when the stack is destroyed.
    const fate = h.impact === ResourceImpact.WILL_ORPHAN ? 'retained' : 'deleted';
    const capacity = h.kind === 'loses-capacity' ? ': still reserved and billed; destroying that stack releases it, and a new reservation is subject to availability' : '';
    return `${where} LEAVES THE APP with its stack (still deployed, no longer managed; ${fate} when that stack is destroyed)${capacity}`;
  }
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
  const via = h.via !== undefined && h.via.length > 0 ? ` (through the import of ${h.via.join(', ')}, once that export may change)` : '';
  const loses = h.kind === 'loses-capacity' ? ': reserved capacity released, a new reservation is subject to availability' : '';
  return `${where} ${what}${cause}${via}${loses}`;
}
