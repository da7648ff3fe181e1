import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { resolveConfig } from '../lib/config/load';
import { renderBootstrap } from '../lib/constructs/node-bootstrap';
import { NodeTopologyOptions, TOPOLOGY_FILE, nodeTopologyForPool, nodeTopologySection } from '../lib/constructs/node-topology';
import { NODE_TAGS, nodeGroupTags } from '../lib/plan/compute';
import { planCluster } from '../lib/plan/build';

const ULTRA: NodeTopologyOptions = {
  cluster: 'rainier',
  site: 'ohio',
  region: 'us-east-2',
  availabilityZone: 'us-east-2a',
  fabric: 'fabric-ohio',
  pool: 'train',
  instanceType: 'trn2u.48xlarge',
  ultraServer: true,
};

/**
 * Runs the section as bash on a stub: `curl` answers IMDS from a table of tags (or fails), `sleep`
 * returns at once, and the Neuron sysfs directory is a temporary one.
 */
function run(opts: NodeTopologyOptions, tags: Record<string, string> | 'none', sysfs: Record<string, string>) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'topology-'));
  const bin = path.join(dir, 'bin');
  const sys = path.join(dir, 'sys');
  fs.mkdirSync(bin);
  fs.mkdirSync(sys);
  for (const [name, value] of Object.entries(sysfs)) {
    fs.writeFileSync(path.join(sys, name), `${value}\n`);
  }
  const cases =
    tags === 'none'
      ? ''
      : Object.entries(tags)
          .map(([key, value]) => `    */tags/instance/${key}) printf '%s' '${value}'; exit 0 ;;`)
          .join('\n');
  fs.writeFileSync(
    path.join(bin, 'curl'),
    ['#!/bin/bash', 'url="${!#}"', 'case "$url" in', '  */api/token) printf token; exit 0 ;;', cases, '  *) exit 22 ;;', 'esac', ''].join('\n'),
    { mode: 0o755 },
  );
  fs.writeFileSync(path.join(bin, 'sleep'), '#!/bin/bash\nexit 0\n', { mode: 0o755 });
  const file = path.join(dir, 'etc', 'topology.json');
  const result = spawnSync('bash', ['-c', renderBootstrap([nodeTopologySection(opts)])], {
    env: { PATH: `${bin}:${process.env.PATH}`, RAINIER_TOPOLOGY_FILE: file, RAINIER_NEURON_SYSFS: sys },
    encoding: 'utf8',
  });
  return { status: result.status, stderr: result.stderr, json: fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : undefined };
}

const TAGS = {
  [NODE_TAGS.ultraServer]: 'ohio-train-u0001',
  [NODE_TAGS.ultraServerIndex]: '1',
  [NODE_TAGS.capacityBlock]: 'cr-00000000000000002',
};

describe('node topology file', () => {
  test(`an UltraServer node writes ${TOPOLOGY_FILE}: its UltraServer, block and position from its tags and the Neuron driver`, () => {
    const { status, json } = run(ULTRA, TAGS, { node_id_4: '2', server_id_4: 'bog79p1y8tetj5uu' });
    expect(status).toBe(0);
    expect(json).toEqual({
      cluster: 'rainier',
      site: 'ohio',
      region: 'us-east-2',
      availabilityZone: 'us-east-2a',
      fabric: 'fabric-ohio',
      pool: 'train',
      instanceType: 'trn2u.48xlarge',
      ultraServer: 'ohio-train-u0001',
      ultraServerIndex: 1,
      capacityBlock: 'cr-00000000000000002',
      nodesPerUltraServer: 4,
      position: 2,
      neuronServerId: 'bog79p1y8tetj5uu',
    });
  });

  test('fails the boot when the UltraServer tags cannot be read from IMDS', () => {
    const { status, stderr, json } = run(ULTRA, 'none', { node_id_4: '2', server_id_4: 'x' });
    expect(status).not.toBe(0);
    expect(stderr).toMatch(/UltraServer tags .* not readable from IMDS/);
    expect(json).toBeUndefined();
  });

  test.each([['missing', {}], ['out of range', { node_id_4: '4' }], ['not a number', { node_id_4: 'x' }]])(
    'fails the boot when the Neuron driver gives no position 0-3 (%s)',
    (_name, sysfs) => {
      const { status, stderr } = run(ULTRA, TAGS, sysfs);
      expect(status).not.toBe(0);
      expect(stderr).toMatch(/no UltraServer position 0-3/);
    },
  );

  test.each([
    ['missing', {}],
    ['empty', { server_id_4: '' }],
    ["Neuron's unset value", { server_id_4: '0000000000000000' }],
  ])('fails the boot when the Neuron driver gives no UltraServer identity (%s)', (_name, sysfs) => {
    const { status, stderr, json } = run(ULTRA, TAGS, { node_id_4: '2', ...sysfs });
    expect(status).not.toBe(0);
    expect(stderr).toMatch(/no UltraServer identity in \/sys\/class\/neuron_device\/server_id_4/);
    expect(json).toBeUndefined();
  });

  test('fails the boot, rather than write invalid JSON, when the UltraServer index tag is not a number', () => {
    const { status, stderr, json } = run(ULTRA, { ...TAGS, [NODE_TAGS.ultraServerIndex]: '1x' }, { node_id_4: '2', server_id_4: 'bog79p1y8tetj5uu' });
    expect(status).not.toBe(0);
    expect(stderr).toMatch(/rainier:ultraserver-index is not a number \(got 1x\)/);
    expect(json).toBeUndefined();
  });

  test.each([0, 1, 2, 3])('position %i is written as read from node_id_4, with the same UltraServer and block', (position) => {
    const { status, json } = run(ULTRA, TAGS, { node_id_4: String(position), server_id_4: 'bog79p1y8tetj5uu' });
    expect(status).toBe(0);
    expect(json).toMatchObject({ position, ultraServer: 'ohio-train-u0001', ultraServerIndex: 1, capacityBlock: 'cr-00000000000000002' });
  });

  test('a node outside an UltraServer reads no tags and records none', () => {
    const { status, json } = run({ ...ULTRA, pool: 'dev', instanceType: 'trn2.48xlarge', ultraServer: false }, 'none', {});
    expect(status).toBe(0);
    expect(json).toMatchObject({ pool: 'dev', fabric: 'fabric-ohio', ultraServer: null });
  });

  test('the plan decides which pools read UltraServer tags, and the fabric of each', () => {
    const plan = planCluster(resolveConfig('rainier-mini'));
    expect(nodeTopologyForPool(plan, 'ohio', 'train').commands.join('\n')).toContain(NODE_TAGS.capacityBlock);
    expect(nodeTopologyForPool(plan, 'ohio', 'dev').commands.join('\n')).not.toContain(NODE_TAGS.capacityBlock);
    expect(nodeTopologyForPool(plan, 'ohio', 'dev').commands.join('\n')).toContain('"fabric": "fabric-ohio"');
    expect(() => nodeTopologyForPool(plan, 'ohio', 'nope')).toThrow(/no pool nope in site ohio/);
  });
});

describe('node group tags name the UltraServer, its index and its block', () => {
  test('UltraServer groups: every tag a node needs to place itself', () => {
    const plan = planCluster(resolveConfig('rainier-mini'));
    const site = plan.sites[0];
    const [train, dev] = site.pools;
    expect(nodeGroupTags(site, train, train.nodeGroups[1], 'cr-00000000000000002')).toMatchObject({
      [NODE_TAGS.ultraServer]: 'ohio-train-u0001',
      [NODE_TAGS.ultraServerIndex]: '1',
      [NODE_TAGS.capacityBlock]: 'cr-00000000000000002',
    });
    expect(nodeGroupTags(site, dev, dev.nodeGroups[0])).not.toHaveProperty(NODE_TAGS.ultraServerIndex);
  });
});
