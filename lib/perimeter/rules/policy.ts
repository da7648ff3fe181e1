import { CfnResource, Stack } from 'aws-cdk-lib';

/** Helpers the perimeter rules share: the resource as its template will hold it, and policy shapes. */

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect?: string;
  readonly Principal?: unknown;
  readonly NotPrincipal?: unknown;
  readonly Action?: string | string[];
  readonly NotAction?: string | string[];
  readonly Resource?: unknown;
  readonly NotResource?: unknown;
  readonly Condition?: Record<string, unknown>;
}

type TemplateEntry = { Type: string; Properties: Record<string, any>; Metadata?: Record<string, any> };
const rendered = new WeakMap<CfnResource, TemplateEntry>();

/** The resource's template entry (Type, Properties, Metadata) with tokens resolved; once per resource. */
export function templateOf(node: CfnResource): TemplateEntry {
  let entry = rendered.get(node);
  if (entry === undefined) {
    entry = render(node);
    rendered.set(node, entry);
  }
  return entry;
}

/** Resource types with identity policies (policyDocumentsOf's `identity` kind). */
export const IDENTITY_POLICY_TYPES: readonly string[] = [
  'AWS::IAM::Role',
  'AWS::IAM::Policy',
  'AWS::IAM::ManagedPolicy',
  'AWS::IAM::RolePolicy',
  'AWS::IAM::UserPolicy',
  'AWS::IAM::GroupPolicy',
  'AWS::IAM::User',
  'AWS::IAM::Group',
];

/** Resource types that carry a policy document (policyDocumentsOf): resource policies and identity policies. */
export const POLICY_TYPES: ReadonlySet<string> = new Set([
  'AWS::KMS::Key',
  'AWS::SNS::TopicPolicy',
  'AWS::SQS::QueuePolicy',
  'AWS::S3::BucketPolicy',
  'AWS::EC2::VPCEndpoint',
  ...IDENTITY_POLICY_TYPES,
]);

function render(node: CfnResource): TemplateEntry {
  const rendered = Stack.of(node).resolve((node as unknown as { _toCloudFormation(): any })._toCloudFormation()) as {
    Resources: Record<string, { Type: string; Properties?: Record<string, any>; Metadata?: Record<string, any> }>;
  };
  const [entry] = Object.values(rendered.Resources);
  return { Type: entry.Type, Properties: entry.Properties ?? {}, Metadata: entry.Metadata };
}

export function statementsOf(document: unknown): PolicyStatement[] {
  const statements = (document as { Statement?: PolicyStatement | PolicyStatement[] } | undefined)?.Statement;
  if (statements === undefined) {
    return [];
  }
  return Array.isArray(statements) ? statements : [statements];
}

export function actionsOf(statement: PolicyStatement): string[] {
  const a = statement.Action;
  return a === undefined ? [] : Array.isArray(a) ? a : [a];
}

/**
 * Whether an Allow statement allows `action`: an `Action` pattern covers it, or a `NotAction` list
 * (which allows everything it does not name) does not cover it.
 */
export function allowsAction(statement: PolicyStatement, action: string): boolean {
  if (statement.Effect !== 'Allow') {
    return false;
  }
  if (statement.NotAction !== undefined) {
    const not = Array.isArray(statement.NotAction) ? statement.NotAction : [statement.NotAction];
    return !not.some((p) => actionCovers(p, action));
  }
  return actionsOf(statement).some((p) => actionCovers(p, action));
}

/** Positive operators whose keys narrow a statement (IAM User Guide, "IAM JSON policy elements: Condition operators"). */
const NARROWING_OPERATORS = new Set(['stringequals', 'stringequalsignorecase', 'stringlike', 'arnequals', 'arnlike', 'bool']);

/**
 * The condition keys (lower case) that really narrow a statement: under a positive operator, with a
 * value that is not a bare wildcard. Keys under `...IfExists` (true when the key is absent),
 * `ForAllValues:` (true for an empty set), a negated operator or `Null`, and `StringLike "*"`-style
 * values, hold for requests that carry nothing of the sort, so they narrow nothing
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html).
 */
export function narrowingKeys(condition: Record<string, unknown> | undefined): string[] {
  const keys: string[] = [];
  for (const [operator, block] of Object.entries(condition ?? {})) {
    const op = operator.toLowerCase();
    if (op.endsWith('ifexists') || op.startsWith('forallvalues:')) {
      continue;
    }
    if (!NARROWING_OPERATORS.has(op.replace(/^foranyvalue:/, '')) || typeof block !== 'object' || block === null) {
      continue;
    }
    for (const [key, value] of Object.entries(block as Record<string, unknown>)) {
      const values = Array.isArray(value) ? value : [value];
      const wildcard = (v: unknown) => typeof v === 'string' && /^[*?]*$/.test(v);
      if (values.length === 0 || values.some(wildcard) || (op === 'bool' && values.some((v) => String(v) === 'false'))) {
        continue;
      }
      keys.push(key.toLowerCase());
    }
  }
  return keys;
}

/** Whether one of `keys` (lower case; a trailing `*` matches a prefix) narrows the statement. */
export function narrowedBy(statement: PolicyStatement, keys: readonly string[]): boolean {
  return narrowingKeys(statement.Condition).some((k) => keys.some((want) => (want.endsWith('*') ? k.startsWith(want.slice(0, -1)) : k === want)));
}

/** Whether a statement's principal is everyone (`"*"`, `{AWS: "*"}`) or given by `NotPrincipal`. */
export function namesEveryone(statement: PolicyStatement): boolean {
  if (statement.NotPrincipal !== undefined || statement.Principal === '*') {
    return true;
  }
  const aws = (statement.Principal as { AWS?: unknown } | undefined)?.AWS;
  return aws === '*' || (Array.isArray(aws) && aws.includes('*'));
}

/** Whether an IAM action pattern (with `*` and `?`) covers `action`, case-insensitively as IAM does. */
export function actionCovers(pattern: string, action: string): boolean {
  const regex = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
  return regex.test(action);
}

/** Service principals a statement names (`Principal: { Service: ... }`). */
export function servicePrincipalsOf(statement: PolicyStatement): string[] {
  const principal = statement.Principal as { Service?: string | string[] } | undefined;
  if (principal === undefined || typeof principal !== 'object' || principal.Service === undefined) {
    return [];
  }
  return Array.isArray(principal.Service) ? principal.Service : [principal.Service];
}

/**
 * Whether a statement's AWS principal is an account root: `arn:...:root`, as a string or as the
 * `Fn::Join` CDK renders for `AccountRootPrincipal`, or a bare account ID.
 */
export function namesAccountRoot(statement: PolicyStatement): boolean {
  const principal = statement.Principal as { AWS?: unknown } | undefined;
  if (principal === undefined || typeof principal !== 'object' || principal.AWS === undefined) {
    return false;
  }
  const principals = Array.isArray(principal.AWS) ? principal.AWS : [principal.AWS];
  return principals.some((p) => {
    if (typeof p === 'string') {
      return /:root$/.test(p) || /^\d{12}$/.test(p);
    }
    const sub = (p as { 'Fn::Sub'?: unknown })['Fn::Sub'];
    if (sub !== undefined) {
      const text = Array.isArray(sub) ? sub[0] : sub;
      return typeof text === 'string' && (/:root$/.test(text) || text === '${AWS::AccountId}');
    }
    const join = (p as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
    if (join !== undefined) {
      const last = join[1][join[1].length - 1];
      return typeof last === 'string' && /:root$/.test(last);
    }
    return JSON.stringify(p) === JSON.stringify({ Ref: 'AWS::AccountId' });
  });
}

/** The policy documents a resource carries, by type: resource policies, trust policies, identity policies. */
export function policyDocumentsOf(type: string, properties: Record<string, any>): { kind: 'resource' | 'trust' | 'identity'; document: unknown }[] {
  switch (type) {
    case 'AWS::KMS::Key':
      return [{ kind: 'resource', document: properties.KeyPolicy }];
    case 'AWS::SNS::TopicPolicy':
    case 'AWS::SQS::QueuePolicy':
    case 'AWS::S3::BucketPolicy':
    case 'AWS::EC2::VPCEndpoint':
      return [{ kind: 'resource', document: properties.PolicyDocument }];
    case 'AWS::IAM::Role':
      return [
        { kind: 'trust', document: properties.AssumeRolePolicyDocument },
        ...((properties.Policies ?? []) as { PolicyDocument: unknown }[]).map((p) => ({ kind: 'identity' as const, document: p.PolicyDocument })),
      ];
    case 'AWS::IAM::User':
    case 'AWS::IAM::Group':
      return ((properties.Policies ?? []) as { PolicyDocument: unknown }[]).map((p) => ({ kind: 'identity' as const, document: p.PolicyDocument }));
    case 'AWS::IAM::Policy':
    case 'AWS::IAM::ManagedPolicy':
    case 'AWS::IAM::RolePolicy':
    case 'AWS::IAM::UserPolicy':
    case 'AWS::IAM::GroupPolicy':
      return [{ kind: 'identity', document: properties.PolicyDocument }];
    default:
      return [];
  }
}
