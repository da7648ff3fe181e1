import { EKS_KUBERNETES_VERSIONS, EKS_MAX_NODES_PER_CLUSTER, KUBERNETES_VERSION } from '../lib/catalog/kubernetes';
import { ConfigError } from '../lib/config/errors';
import { MAX_ULTRASERVERS_PER_POOL } from '../lib/config/schema/site';
import { PresetName } from '../lib/config/presets';
import { resolveConfig } from '../lib/config/load';
import { planCluster } from '../lib/plan/build';
import { RESERVED_ADDRESSES_PER_SUBNET } from '../lib/plan/network';
import { principalProblem } from '../lib/plan/rules/orchestrator';

/** Rules of the scheduler layer (lib/plan/rules/orchestrator.ts). */

function findingsFor(preset: PresetName, overlay: Record<string, unknown>): { code: string; path: string; given: string; allowed: string }[] {
  try {
    return planCluster(resolveConfig(preset, overlay)).findings.map((f) => ({ code: f.code, path: f.path, given: f.given, allowed: f.allowed }));
  } catch (e) {
    if (e instanceof ConfigError) {
      return e.problems.map((p) => ({ code: p.code ?? 'schema', path: p.path, given: p.given, allowed: p.allowed }));
    }
    throw e;
  }
}

const codesFor = (preset: PresetName, overlay: Record<string, unknown>) => findingsFor(preset, overlay).map((f) => f.code);
const eks = (fields: Record<string, unknown> = {}) => ({ orchestrator: { engine: 'eks', ...fields } });
const access = (...entries: [string, string][]) => eks({ access: entries.map(([principal, policy]) => ({ principal, policy })) });
const TRAIN = (ultraServers: number) => ({ kind: 'ultraserver-capacity-block', instanceType: 'trn2u.48xlarge', ultraServers });

// Each rule: a configuration that breaks it and the nearest one that does not.
const CASES: [code: string, preset: PresetName, breaks: Record<string, unknown>, passes: Record<string, unknown>][] = [
  // 1,251 UltraServers = 5,004 nodes in one cluster, against Kubernetes' 5,000; 1,250 = 5,000.
  ['RAIN-W801', 'ultraserver', { ...eks(), sites: { ohio: { pools: { train: TRAIN(1251) } } } }, { ...eks(), sites: { ohio: { pools: { train: TRAIN(1250) } } } }],
  ['RAIN-E802', 'ultraserver', access(['arn:aws:iam::111122223333:root', 'admin']), access(['arn:aws:iam::111122223333:role/TrainingAdmins', 'admin'])],
  ['RAIN-E802', 'ultraserver', access(['*', 'admin']), access(['TrainingAdmins', 'admin'])],
  ['RAIN-E802', 'ultraserver', access(['arn:aws:iam::111122223333:role/*', 'admin']), access(['arn:aws:iam::111122223333:role/ml/TrainingAdmins', 'admin'])],
  ['RAIN-E802', 'ultraserver', access(['arn:aws:iam::111122223333:user/alice', 'view']), access(['Auditors', 'view'])],
  ['RAIN-E802', 'ultraserver', access(['arn:aws-cn:iam::111122223333:role/TrainingAdmins', 'admin']), access(['arn:aws:iam::111122223333:role/TrainingAdmins', 'admin'])],
  ['RAIN-E802', 'ultraserver', access(['Admins', 'admin'], ['Admins', 'view']), access(['Admins', 'admin'], ['Auditors', 'view'])],
  ['RAIN-E803', 'ultraserver', eks({ kubernetesVersion: '1.21' }), eks({ kubernetesVersion: KUBERNETES_VERSION })],
  ['RAIN-E803', 'ultraserver', eks({ kubernetesVersion: '1.34' }), eks()],
  ['RAIN-E804', 'ultraserver', eks({ controlPlaneZone: 'us-east-2a' }), eks({ controlPlaneZone: 'us-east-2b' })],
  ['RAIN-E804', 'ultraserver', eks({ controlPlaneZone: 'us-west-2b' }), eks({ controlPlaneZone: 'us-east-2c' })],
  ['RAIN-E804', 'ultraserver', eks({ controlPlaneZone: 'xx-north-9b' }), eks()],
  // A /23 holds the storage /24 and the node /24 exactly: no room left at its end; a /22 has it.
  ['RAIN-E805', 'ultraserver', { ...eks(), sites: { ohio: { cidr: '10.0.0.0/23' } } }, { ...eks(), sites: { ohio: { cidr: '10.0.0.0/22' } } }],
  // ultraserver: a /24 node subnet, 251 addresses, 4 nodes and 11 endpoints: 236 left, 59 per node.
  ['RAIN-W807', 'ultraserver', eks({ podAddressesPerNode: 60 }), eks({ podAddressesPerNode: 59 })],
  ['RAIN-W806', 'ultraserver', access(['Researchers', 'edit']), access(['Researchers', 'edit'], ['TrainingAdmins', 'admin'])],
];

describe.each(CASES)('%s', (code, preset, breaks, passes) => {
  test(`is raised by ${JSON.stringify(breaks)}`, () => {
    expect(codesFor(preset, breaks)).toContain(code);
  });
  test(`is not raised by ${JSON.stringify(passes)}`, () => {
    expect(codesFor(preset, passes)).not.toContain(code);
  });
});

describe('bad orchestrator input: one error naming the field, the value and what is allowed', () => {
  test.each([
    [{ orchestrator: 'pcs' }, 'orchestrator', '"pcs"', 'expected "none", or "eks", or an object with the fields engine and kubernetesVersion and controlPlaneZone and podAddressesPerNode and access'],
    [{ orchestrator: 'EKS' }, 'orchestrator', '"EKS"', 'expected "none", or "eks"'],
    [{ orchestrator: { engine: 'pcs' } }, 'orchestrator.engine', '"pcs"', 'expected one of eks'],
    [eks({ kubernetes: '1.34' }), 'orchestrator.kubernetes', 'an unknown field "kubernetes"', 'known fields here: engine, kubernetesVersion, controlPlaneZone, podAddressesPerNode, access'],
    [eks({ kubernetesVersion: 1.34 }), 'orchestrator.kubernetesVersion', '1.34', 'expected a string'],
    [eks({ kubernetesVersion: 'v1.34' }), 'orchestrator.kubernetesVersion', '"v1.34"', 'a Kubernetes minor version such as "1.33"'],
    [eks({ controlPlaneZone: 'us-east-2' }), 'orchestrator.controlPlaneZone', '"us-east-2"', 'an Availability Zone name such as "us-east-2b"'],
    [eks({ access: { principal: 'Admins', policy: 'admin' } }), 'orchestrator.access', '{"principal":"Admins","policy":"admin"}', 'expected an array'],
    [access(['Admins', 'owner']), 'orchestrator.access.0.policy', '"owner"', 'expected one of admin, edit, view'],
    [access(['', 'admin']), 'orchestrator.access.0.principal', '""', ''],
    [eks({ access: [] }), 'orchestrator.access', '[]', 'at least one entry, or no access field at all (each orchestrator stack then takes the ClusterAdminRoleArn parameter naming the admin role)'],
  ])('%j', (overlay, path, given, allowed) => {
    const [p] = findingsFor('rainier-mini', overlay);
    expect(p).toMatchObject({ code: 'schema', path, given });
    expect(p.allowed).toContain(allowed);
  });
});

describe('orchestrator rules', () => {
  test('no rule fires with orchestrator: none, whatever the fabric holds', () => {
    const codes = codesFor('ultraserver', { sites: { ohio: { cidr: '10.0.0.0/23', pools: { train: TRAIN(1251) } } } });
    expect(codes.filter((c) => /^RAIN-[EW]8/.test(c))).toEqual([]);
  });

  test('a root principal names the field, the value and what is allowed', () => {
    expect(findingsFor('ultraserver', access(['TrainingAdmins', 'admin'], ['arn:aws:iam::111122223333:root', 'view']))).toContainEqual({
      code: 'RAIN-E802',
      path: 'orchestrator.access.1.principal',
      given: '"arn:aws:iam::111122223333:root", the account root, which would grant everyone the account allows',
      allowed: expect.stringContaining('an IAM role name of this account'),
    });
  });

  test.each([
    ['a name twice', ['Admins', 'Admins'], ''],
    ['a name and an ARN of that name', ['Admins', 'arn:aws:iam::111122223333:role/Admins'], ' as "Admins", the same role if this is account 111122223333 (a name means this account\'s role)'],
    ['two names differing only by case', ['Admins', 'admins'], ' as "Admins" (IAM role names are unique in an account whatever their path, and not distinguished by case)'],
    ['two ARNs of one account differing only by path', ['arn:aws:iam::111122223333:role/ml/Admins', 'arn:aws:iam::111122223333:role/Admins'], ' as "arn:aws:iam::111122223333:role/ml/Admins" (IAM role names'],
  ])('one role spelt twice (%s) is one access entry twice: RAIN-E802 names both spellings', (_, [a, b], how) => {
    expect(findingsFor('ultraserver', access([a, 'admin'], [b, 'view']))).toContainEqual({
      code: 'RAIN-E802',
      path: 'orchestrator.access.1.principal',
      given: expect.stringContaining(`"${b}", already named by orchestrator.access.0${how}`),
      allowed: expect.stringContaining('each role once'),
    });
  });

  test('a VPC too small for its own subnets suggests a block that also holds the control-plane subnets, and that block plans clean', () => {
    const [f] = findingsFor('ultraserver', { ...eks(), sites: { ohio: { cidr: '10.0.0.0/24' } } });
    expect(f).toEqual({
      code: 'RAIN-E207',
      path: 'sites.ohio.cidr',
      given: '"10.0.0.0/24" (256 addresses) for subnets needing 512',
      allowed: 'a block of /22 or larger (with orchestrator eks, its two /27 control-plane subnets after them)',
    });
    expect(findingsFor('ultraserver', { ...eks(), sites: { ohio: { cidr: '10.0.0.0/22' } } }).filter((x) => x.code.startsWith('RAIN-E'))).toEqual([]);
    // Without eks a /23 is enough, as before.
    expect(findingsFor('ultraserver', { sites: { ohio: { cidr: '10.0.0.0/24' } } })[0].allowed).toBe('a block of /23 or larger');
  });

  test('a VPC whose own subnets leave no room for the control-plane subnets says how much is left and what is needed', () => {
    expect(findingsFor('ultraserver', { ...eks(), sites: { ohio: { cidr: '10.0.0.0/23' } } })).toContainEqual({
      code: 'RAIN-E805',
      path: 'sites.ohio.cidr',
      given: '"10.0.0.0/23" (512 addresses): its own subnets take the first 512 (as aws-cdk-lib aligns them), leaving 0, fewer than the 64 of the EKS control-plane subnets 10.0.1.192/27 and 10.0.1.224/27 of fabric-ohio at its end',
      allowed: 'a block of /22 or larger, or fewer nodes in the fabric',
    });
  });

  test('roles of the same name in two accounts, both given as ARNs, are two principals', () => {
    expect(codesFor('ultraserver', access(['arn:aws:iam::111122223333:role/Admins', 'admin'], ['arn:aws:iam::444455556666:role/Admins', 'view']))).not.toContain('RAIN-E802');
  });

  test.each([
    ['TrainingAdmins', undefined],
    ['arn:aws:iam::111122223333:role/TrainingAdmins', undefined],
    ['arn:aws-us-gov:iam::111122223333:role/a/b/TrainingAdmins', undefined],
    ['111122223333', 'the account root'],
    ['arn:aws:iam::111122223333:root', 'the account root'],
    ['arn:aws:iam::111122223333:role/Admin?', 'a wildcard'],
    ['arn:aws:sts::111122223333:assumed-role/Admins/alice', 'an STS session'],
    ['arn:aws:iam::1111:role/Admins', 'not an IAM role ARN'],
    ['Training Admins', 'not an IAM role name'],
    ['a'.repeat(65), 'not an IAM role name'],
  ])('principal %s: %s', (principal, problem) => {
    const found = principalProblem(principal);
    if (problem === undefined) {
      expect(found).toBeUndefined();
    } else {
      expect(found).toContain(problem);
    }
  });

  test('a version EKS offers but the manifests are not written for says so, and names the one allowed', () => {
    const [f] = findingsFor('ultraserver', eks({ kubernetesVersion: '1.34' })).filter((x) => x.code === 'RAIN-E803');
    expect(f).toMatchObject({ path: 'orchestrator.kubernetesVersion', given: '"1.34", which EKS offers but the job manifests are not written for' });
    expect(f.allowed).toContain(`"${KUBERNETES_VERSION}"`);
    expect(EKS_KUBERNETES_VERSIONS).toContain(KUBERNETES_VERSION);
  });

  test('a control-plane zone in the fabric\'s own zone names the fabric and suggests another zone', () => {
    const [f] = findingsFor('ultraserver', eks({ controlPlaneZone: 'us-east-2a' })).filter((x) => x.code === 'RAIN-E804');
    expect(f).toEqual({
      code: 'RAIN-E804',
      path: 'orchestrator.controlPlaneZone',
      given: '"us-east-2a", the zone of fabric-ohio itself',
      allowed: 'another zone of us-east-2 than us-east-2a, such as "us-east-2b", or no controlPlaneZone (each fabric then takes one of its own)',
    });
  });

  test('the control-plane subnets finding names the VPC and the subnets it would overlap', () => {
    const [f] = findingsFor('ultraserver', { ...eks(), sites: { ohio: { cidr: '10.0.0.0/23' } } }).filter((x) => x.code === 'RAIN-E805');
    expect(f).toMatchObject({ path: 'sites.ohio.cidr', given: expect.stringContaining('10.0.1.192/27 and 10.0.1.224/27') });
  });

  test('rainier-scale with eks cannot double: its /16 VPCs hold at most a /18 node subnet before the control-plane subnets', () => {
    const doubled = { sites: Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`building-${String(i + 1).padStart(2, '0')}`, { pools: { train: { ultraServers: 520 } } }])) };
    const e805 = findingsFor('rainier-scale', doubled).filter((f) => f.code === 'RAIN-E805');
    expect(e805.map((f) => f.path)).toEqual(['sites.building-01.cidr', 'sites.building-02.cidr', 'sites.building-03.cidr']);
    expect(e805[0].allowed).toContain('no VPC is larger than a /16');
    expect(findingsFor('rainier-scale', { ...doubled, orchestrator: 'none' }).map((f) => f.code)).not.toContain('RAIN-E805');
  });

  test('rainier-scale: pod addresses do not fit its node subnets, acknowledged as not modelled', () => {
    const f = planCluster(resolveConfig('rainier-scale')).findings.filter((x) => x.code === 'RAIN-W807');
    expect(f.map((x) => x.given)).toEqual(['a', 'b', 'c'].map((z) => `3 for fabric-campus-${z}: 10,400 nodes need 31,200 pod addresses, its /18 node subnet has 5,968 left`));
    expect(f[0].allowed).toContain('no room for even one per node there');
    expect(f.every((x) => x.acknowledgedBecause?.includes('not a deployable pod network'))).toBe(true);
  });

  test("EKS's own ceiling needs no rule: with eks a fabric's node subnet is at most a /18 (RAIN-E805 refuses more), far fewer nodes than EKS's ceiling", () => {
    // A fabric is one VPC of at most a /16 (the site schema); the largest pool the schema allows fills
    // a /17 node subnet, which leaves no room for the control-plane subnets at the VPC's end.
    const [f] = findingsFor('ultraserver', { ...eks(), sites: { ohio: { cidr: '10.0.0.0/16', pools: { train: TRAIN(MAX_ULTRASERVERS_PER_POOL) } } } });
    expect(f).toMatchObject({ code: 'RAIN-E805', path: 'sites.ohio.cidr' });
    expect(f.allowed).toContain('with orchestrator eks its node subnet is at most a /18');
    expect(2 ** (32 - 18) - RESERVED_ADDRESSES_PER_SUBNET).toBeLessThan(EKS_MAX_NODES_PER_CLUSTER);
  });
});
