import { EKS_KUBERNETES_VERSIONS, EKS_MAX_NODES_PER_CLUSTER, KUBERNETES_VERSION } from '../lib/catalog/kubernetes';
import { ConfigError } from '../lib/config/errors';
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
  ['RAIN-E802', 'ultraserver', access(['Admins', 'admin'], ['Admins', 'view']), access(['Admins', 'admin'], ['Auditors', 'view'])],
  ['RAIN-E803', 'ultraserver', eks({ kubernetesVersion: '1.21' }), eks({ kubernetesVersion: KUBERNETES_VERSION })],
  ['RAIN-E803', 'ultraserver', eks({ kubernetesVersion: '1.33' }), eks()],
  ['RAIN-E804', 'ultraserver', eks({ controlPlaneZone: 'us-east-2a' }), eks({ controlPlaneZone: 'us-east-2b' })],
  ['RAIN-E804', 'ultraserver', eks({ controlPlaneZone: 'us-west-2b' }), eks({ controlPlaneZone: 'us-east-2c' })],
  ['RAIN-E804', 'ultraserver', eks({ controlPlaneZone: 'xx-north-9b' }), eks()],
  // A /23 holds the storage /24 and the node /24 exactly: no room left at its end; a /22 has it.
  ['RAIN-E805', 'ultraserver', { ...eks(), sites: { ohio: { cidr: '10.0.0.0/23' } } }, { ...eks(), sites: { ohio: { cidr: '10.0.0.0/22' } } }],
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

  test('a version EKS offers but the manifests are not validated against says so, and names the one allowed', () => {
    const [f] = findingsFor('ultraserver', eks({ kubernetesVersion: '1.33' })).filter((x) => x.code === 'RAIN-E803');
    expect(f).toMatchObject({ path: 'orchestrator.kubernetesVersion', given: '"1.33", which EKS offers but the job manifests are not validated against' });
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

  test("EKS's own ceiling needs no rule: no fabric's VPC can hold that many nodes", () => {
    // A fabric is one VPC of at most a /16 (the site schema), which holds a storage subnet besides
    // the node subnet: the node subnet is at most a /17, one address per node.
    expect(2 ** (32 - 17) - RESERVED_ADDRESSES_PER_SUBNET).toBeLessThan(EKS_MAX_NODES_PER_CLUSTER);
  });
});
