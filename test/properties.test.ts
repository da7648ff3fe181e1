import * as fc from 'fast-check';
import { ConfigError, ConfigProblem } from '../lib/config/errors';
import { parseConfig } from '../lib/config/load';
import { CapacityKind, ClusterConfigInput, LOG_RETENTION_DAYS, NEURON_DLAMI_PREFIXES, OrchestratorEngine } from '../lib/config/schema';
import { planCluster } from '../lib/plan/build';
import { subnetLayoutEnd } from '../lib/plan/network';
import { RuleLevel } from '../lib/plan/rules/rule';
import { createCluster } from '../lib/stacks/cluster';
import { InstanceTypeName } from '../lib/catalog/instance-types';
import { regionsOffering } from '../lib/catalog/regions';
import { testApp } from './support/synth';

/**
 * Property-based tests over the configuration space. A fixed seed keeps runs reproducible; on a
 * failure fast-check prints the seed, the path and the shrunk counterexample.
 */
const SEED = 20_250_801;
const params = (numRuns: number): fc.Parameters<unknown> => ({ seed: SEED, numRuns, endOnFailure: true });

/** Regions the offline table (lib/catalog/regions.ts) lists for at least one type; pools keep to their Region's types. */
const REGIONS = ['us-east-1', 'us-east-2', 'us-west-2', 'ap-southeast-4'] as const;

/** A pool of each kind with an instance type and size its kind allows. */
const pool = fc.oneof(
  fc.record({
    kind: fc.constant(CapacityKind.ULTRASERVER_CAPACITY_BLOCK),
    instanceType: fc.constant('trn2u.48xlarge'),
    ultraServers: fc.integer({ min: 1, max: 4 }),
  }),
  fc.record({
    kind: fc.constant(CapacityKind.CAPACITY_BLOCK),
    instanceType: fc.constantFrom('trn2.48xlarge', 'trn1.32xlarge'),
    // A Capacity Block holds 1, 2, 4, 8, 16, 32 or 64 instances (RAIN-E105).
    nodes: fc.constantFrom(1, 2, 4, 8),
  }),
  fc.record({
    kind: fc.constant(CapacityKind.ON_DEMAND_CAPACITY_RESERVATION),
    instanceType: fc.constantFrom('trn2.48xlarge', 'trn1.32xlarge', 'trn1n.32xlarge', 'trn2.3xlarge'),
    nodes: fc.integer({ min: 1, max: 8 }),
  }),
);

const site = (index: number) =>
  fc.record({
    region: fc.constantFrom(...REGIONS),
    zone: fc.constantFrom('a', 'b', 'c'),
    prefix: fc.constantFrom(16, 17, 18),
    pools: fc.uniqueArray(fc.tuple(fc.constantFrom('train', 'dev', 'eval', 'big'), pool), {
      minLength: 1,
      maxLength: 3,
      selector: ([name]) => name,
    }),
  }).map(({ region, zone, prefix, pools }) => ({ region, zone, prefix, pools: pools.filter(([, p]) => regionsOffering(p.instanceType as InstanceTypeName).includes(region)) }))
    .filter(({ pools }) => pools.length > 0)
    .map(({ region, zone, prefix, pools }) => ({
    region,
    availabilityZone: `${region}${zone}`,
    cidr: `10.${index * 4}.0.0/${prefix}`,
    pools: Object.fromEntries(pools),
  }));

/** Valid configurations: one or two sites, every pool kind, optional settings on their valid steps. */
const validConfig: fc.Arbitrary<ClusterConfigInput> = fc
  .record(
    {
      sites: fc.integer({ min: 1, max: 2 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => site(i)))),
      orchestrator: fc.oneof(
        fc.constantFrom(OrchestratorEngine.NONE, OrchestratorEngine.EKS),
        fc.record(
          {
            engine: fc.constant(OrchestratorEngine.EKS),
            podAddressesPerNode: fc.integer({ min: 1, max: 8 }),
            access: fc.uniqueArray(
              fc.record({
                principal: fc.constantFrom('TrainingAdmins', 'Auditors', 'arn:aws:iam::111122223333:role/ml/Researchers'),
                policy: fc.constantFrom('admin' as const, 'edit' as const, 'view' as const),
              }),
              { minLength: 1, maxLength: 3, selector: (a) => a.principal },
            ),
          },
          { requiredKeys: ['engine'] },
        ),
      ),
      compute: fc.record(
        { dlami: fc.constantFrom(...NEURON_DLAMI_PREFIXES), rootVolumeGiB: fc.integer({ min: 512, max: 2048 }) },
        { requiredKeys: [] },
      ),
      storage: fc.record(
        {
          throughputMBpsPerTiB: fc.constantFrom(125, 250, 500, 1000),
          automaticBackupRetentionDays: fc.integer({ min: 0, max: 90 }),
          checkpointNoncurrentVersionExpiryDays: fc.integer({ min: 1, max: 365 }),
        },
        { requiredKeys: [] },
      ),
      monitoring: fc.record(
        {
          logRetentionDays: fc.constantFrom(...LOG_RETENTION_DAYS),
          alarms: fc.record(
            {
              reservedCapacityIdlePercent: fc.integer({ min: 0, max: 100 }),
              neuronCoreUtilizationLowPercent: fc.integer({ min: 0, max: 100 }),
              fsxFreeCapacityLowPercent: fc.integer({ min: 0, max: 100 }),
              evaluationPeriods: fc.integer({ min: 1, max: 288 }),
            },
            { requiredKeys: [] },
          ),
        },
        { requiredKeys: [] },
      ),
    },
    { requiredKeys: ['sites'] },
  )
  .map(({ sites, ...rest }) => ({
    name: 'prop',
    sites: Object.fromEntries(sites.map((s, i) => [`site${i + 1}`, s])),
    ...rest,
  }));

/** [first address, one past the last] of an IPv4 CIDR. */
function range(cidr: string): [number, number] {
  const [ip, mask] = cidr.split('/');
  const start = ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);
  return [start, start + 2 ** (32 - Number(mask))];
}

describe('valid configurations', () => {
  test('always plan, with no rule broken', () => {
    fc.assert(
      fc.property(validConfig, (input) => {
        const plan = planCluster(parseConfig(input));
        expect(plan.findings.filter((f) => f.level === RuleLevel.ERROR)).toEqual([]);
        expect(plan.totals.nodes).toBeGreaterThan(0);
        // EKS control-plane /27s: inside the fabric's VPC, after every subnet the VPC already has.
        for (const c of plan.orchestrator?.clusters ?? []) {
          const net = plan.sites.find((s) => s.name === c.site)!.network;
          const vpc = range(net.cidr);
          const used = [vpc[0], vpc[0] + subnetLayoutEnd(net)];
          for (const sub of c.controlPlaneSubnets.map((x) => range(x.cidr))) {
            expect(sub[0] >= vpc[0] && sub[1] <= vpc[1] && sub[0] >= used[1]).toBe(true);
          }
        }
      }),
      params(200),
    );
  });

  test('synthesise without exception (a sample)', () => {
    fc.assert(
      fc.property(validConfig, (input) => {
        const app = testApp();
        createCluster(app, planCluster(parseConfig(input)));
        const assembly = app.synth();
        expect(assembly.stacks.length).toBeGreaterThan(0);
        // The subnets aws-cdk-lib allocates, the EKS control-plane ones included, never overlap.
        for (const stack of assembly.stacks.filter((st) => st.stackName.endsWith('-network'))) {
          const subnets = Object.values(stack.template.Resources as Record<string, { Type: string; Properties: { CidrBlock: string } }>)
            .filter((r) => r.Type === 'AWS::EC2::Subnet')
            .map((r) => range(r.Properties.CidrBlock))
            .sort((a, b) => a[0] - b[0]);
          subnets.slice(1).forEach((sub, i) => expect(sub[0]).toBeGreaterThanOrEqual(subnets[i][1]));
        }
      }),
      params(5),
    );
  });
});

// ---- mutations -------------------------------------------------------------------------------

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = readonly (string | number)[];

/** Every leaf (scalar) of a JSON value, with its path. */
function leaves(value: Json, at: Path = []): Path[] {
  if (value !== null && typeof value === 'object') {
    const entries: [string | number, Json][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
    return entries.flatMap(([k, v]) => leaves(v, [...at, k]));
  }
  return [at];
}

/** Every object node (where an unknown key can be added), with its path. */
function objects(value: Json, at: Path = []): Path[] {
  if (value === null || typeof value !== 'object') {
    return [];
  }
  const entries: [string | number, Json][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  return [...(Array.isArray(value) ? [] : [at]), ...entries.flatMap(([k, v]) => objects(v, [...at, k]))];
}

function setAt(root: Json, path: Path, value: Json): Json {
  if (path.length === 0) {
    return value;
  }
  const copy: any = Array.isArray(root) ? [...root] : { ...(root as object) };
  copy[path[0]] = setAt(copy[path[0]], path.slice(1), value);
  return copy;
}

function getAt(root: Json, path: Path): Json {
  return path.reduce<any>((v, k) => v?.[k], root);
}

/** A value of another type than `old`, a number far out of range, or a random string. */
function replacement(old: Json): fc.Arbitrary<Json> {
  const others: fc.Arbitrary<Json>[] = [
    fc.constantFrom(-1, 0, 0.5, 1e9, -1e9, Number.MAX_SAFE_INTEGER),
    fc.string({ maxLength: 12 }),
    fc.constantFrom<Json>(null, true, false, [], {}, ['x'], { unknown: 1 }),
  ];
  if (typeof old === 'number') {
    others.push(fc.integer({ min: -1000, max: 100_000 }));
  }
  return fc.oneof(...others).filter((v) => JSON.stringify(v) !== JSON.stringify(old));
}

type Mutation = { readonly kind: 'replace' | 'unknown-key'; readonly path: Path; readonly config: Json };

const mutation: fc.Arbitrary<Mutation> = validConfig.chain((input) => {
  const config = input as unknown as Json;
  const replaceLeaf = fc
    .constantFrom(...leaves(config))
    .chain((path) => replacement(getAt(config, path)).map((v) => ({ kind: 'replace' as const, path, config: setAt(config, path, v) })));
  const addKey = fc
    .tuple(fc.constantFrom(...objects(config)), fc.stringMatching(/^[a-z][a-zA-Z]{2,10}$/), fc.jsonValue({ maxDepth: 1 }))
    .map(([path, key, v]) => {
      const target = getAt(config, path) as Record<string, Json>;
      return { kind: 'unknown-key' as const, path: [...path, key], config: key in target ? config : setAt(config, [...path, key], v as Json) };
    });
  return fc.oneof(replaceLeaf, addKey);
});

/**
 * Whether a problem names the mutated field: the field itself, one of its ancestors (a record key
 * or pool that became invalid as a whole), a descendant, or a sibling. A named rule (a problem with
 * a code) checks fields against each other, so it may name another field of the same site or
 * section: RAIN-E207 (subnets fit) names the site's `cidr` when a pool grows past what its subnets
 * hold.
 */
function related(problem: ConfigProblem, mutated: Path): boolean {
  const m = mutated.map(String);
  const p = problem.path === '' ? [] : problem.path.split('.');
  const isPrefix = (a: string[], b: string[]) => a.length <= b.length && a.every((x, i) => b[i] === x);
  if (isPrefix(p, m) || isPrefix(m, p) || isPrefix(m.slice(0, -1), p)) {
    return true;
  }
  const scope = m[0] === 'sites' ? m.slice(0, 2) : m.slice(0, 1);
  return problem.code !== undefined && isPrefix(scope, p);
}

describe('mutated configurations', () => {
  test('either still plan or fail with a ConfigError naming the mutated field, never another exception', () => {
    fc.assert(
      fc.property(mutation, ({ path, config }) => {
        try {
          planCluster(parseConfig(config));
        } catch (e) {
          if (!(e instanceof ConfigError)) {
            throw new Error(`mutating ${path.join('.')} threw ${(e as Error).name}: ${(e as Error).message}`);
          }
          const unrelated = e.problems.filter((p) => !related(p, path));
          expect({ mutated: path.join('.'), unrelated }).toEqual({ mutated: path.join('.'), unrelated: [] });
        }
      }),
      params(300),
    );
  });
});
