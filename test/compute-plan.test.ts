import { INSTANCE_SHAPES, InstanceTypeName } from '../lib/catalog/instance-types';
import { resolveConfig } from '../lib/config/load';
import { NEURON_DLAMI_PREFIXES } from '../lib/config/schema/compute';
import { INSTANCE_STORE_MODEL, renderBootstrap, scratchVolumeSection } from '../lib/constructs/node-bootstrap';
import { flattenCfnReference } from '../lib/constructs/node-role';
import {
  RESERVATION_IDS_PER_PARAMETER,
  dlamiImageParameter,
  nodeGroupTags,
  planScratchVolume,
  reservationParameter,
  reservationParameters,
  rootDeviceName,
} from '../lib/plan/compute';
import { planCluster } from '../lib/plan/build';

describe('DLAMI', () => {
  test.each(NEURON_DLAMI_PREFIXES.map((p) => [p]))('%s reads <prefix>/latest/image_id under the Neuron root', (prefix) => {
    expect(dlamiImageParameter(prefix)).toBe(`/aws/service/neuron/dlami/${prefix}/latest/image_id`);
  });

  test.each([
    ['base/ubuntu-24.04', '/dev/sda1'],
    ['multi-framework/ubuntu-24.04', '/dev/sda1'],
    ['base/amazon-linux-2023', '/dev/xvda'],
    ['jax-0.10/amazon-linux-2023', '/dev/xvda'],
  ] as const)('%s boots from %s', (prefix, device) => {
    expect(rootDeviceName(prefix)).toBe(device);
  });
});

describe('scratch volume', () => {
  test.each([
    ['trn2.48xlarge', 4, true],
    ['trn2u.48xlarge', 4, true],
    ['trn1.32xlarge', 4, true],
    ['trn2.3xlarge', 1, false],
  ] as [InstanceTypeName, number, boolean][])('%s: %i drive(s), RAID-0 %s', (type, drives, raid0) => {
    expect(planScratchVolume(INSTANCE_SHAPES[type])).toEqual({ drives, raid0, filesystem: 'xfs', label: 'scratch', mountPoint: '/scratch' });
  });

  test('none without instance store', () => {
    expect(planScratchVolume({ ...INSTANCE_SHAPES['trn2.3xlarge'], nvmeDrives: 0 })).toBeUndefined();
  });

  test('several drives: mdadm RAID-0 over exactly that many instance-store drives, then XFS', () => {
    const { commands } = scratchVolumeSection(planScratchVolume(INSTANCE_SHAPES['trn2.48xlarge'])!);
    const script = commands.join('\n');
    expect(script).toContain(`/${INSTANCE_STORE_MODEL}/`);
    expect(script).toContain('-ne 4 ]');
    expect(script).toContain('mdadm --create /dev/md/scratch --name=scratch --level=0 --raid-devices=4');
    expect(script).toContain('mkfs.xfs -f -L scratch /dev/md/scratch');
  });

  test('one drive: no mdadm, the drive itself is formatted', () => {
    const script = scratchVolumeSection(planScratchVolume(INSTANCE_SHAPES['trn2.3xlarge'])!).commands.join('\n');
    expect(script).not.toContain('mdadm');
    expect(script).toContain('mkfs.xfs -f -L scratch "${DRIVES[0]}"');
  });

  test('idempotent: skips a mounted volume, reuses an array or file system, adds the fstab line once', () => {
    const script = scratchVolumeSection(planScratchVolume(INSTANCE_SHAPES['trn2.48xlarge'])!).commands.join('\n');
    expect(script).toMatch(/^if mountpoint -q \/scratch; then/);
    expect(script).toContain('if [ ! -e /dev/md/scratch ]; then');
    expect(script).toContain('blkid /dev/md/scratch >/dev/null 2>&1 ||');
    expect(script).toContain("grep -q '^LABEL=scratch ' /etc/fstab ||");
    expect(script).toContain('nofail');
  });
});

describe('renderBootstrap', () => {
  test('a bash script that stops at the first error, sections in the order given', () => {
    const script = renderBootstrap([
      { name: 'first', commands: ['echo one'] },
      { name: 'second', commands: ['echo two', 'echo three'] },
    ]);
    expect(script.startsWith('#!/bin/bash\nset -euo pipefail\n')).toBe(true);
    expect(script.indexOf('# --- first ---')).toBeLessThan(script.indexOf('# --- second ---'));
    expect(script).toContain('echo two\necho three\n');
  });

  test('no sections: just the header', () => {
    expect(renderBootstrap([])).toBe('#!/bin/bash\nset -euo pipefail\n');
  });
});

describe('reservation parameters in the plan', () => {
  const pool = (preset: string, overlay: Record<string, unknown> = {}) => planCluster(resolveConfig(preset, overlay)).sites[0].pools[0];

  test('UltraServer blocks without IDs: a list parameter with one ID per UltraServer', () => {
    expect(reservationParameter(pool('ultraserver'))).toMatchObject({
      name: 'ReservationIds',
      type: 'String',
      allowedPattern: '^cr-[0-9a-f]{17}$',
      count: 1,
    });
  });

  test('a block list accepts exactly one ID per UltraServer of its stack: one too many would shift every UltraServer onto its neighbour\'s block', () => {
    const three = reservationParameters(pool('ultraserver', { sites: { ohio: { pools: { train: { ultraServers: 3 } } } } }), 0)[0];
    const accepts = (value: string) => new RegExp(three.allowedPattern).test(value);
    const id = (n: number) => `cr-${String(n).padStart(17, '0')}`;
    expect(three).toMatchObject({ type: 'String', count: 3 });
    expect(accepts([id(1), id(2), id(3)].join(','))).toBe(true);
    expect(accepts([id(0), id(1), id(2), id(3)].join(','))).toBe(false);
    expect(accepts([id(1), id(2)].join(','))).toBe(false);
    expect(accepts([id(1), id(2), id(3)].join(', '))).toBe(false);
    expect(three.constraintDescription).toContain('exactly 3');
    const big = pool('ultraserver', { sites: { ohio: { pools: { train: { ultraServers: 200 } } } } });
    const [first, second] = reservationParameters(big, 0);
    expect(new RegExp(first.allowedPattern).test(Array.from({ length: RESERVATION_IDS_PER_PARAMETER }, (_, i) => id(i)).join(','))).toBe(true);
    expect(new RegExp(second.allowedPattern).test(Array.from({ length: 5 }, (_, i) => id(i)).join(','))).toBe(true);
    expect(new RegExp(second.allowedPattern).test(Array.from({ length: 6 }, (_, i) => id(i)).join(','))).toBe(false);
  });

  test(`a parameter value holds 4,096 bytes: ${RESERVATION_IDS_PER_PARAMETER} IDs of 21 bytes with their commas`, () => {
    expect(RESERVATION_IDS_PER_PARAMETER * 21 - 1).toBeLessThanOrEqual(4096);
    expect((RESERVATION_IDS_PER_PARAMETER + 1) * 21 - 1).toBeGreaterThan(4096);
    const big = pool('ultraserver', { sites: { ohio: { pools: { train: { ultraServers: 200 } } } } });
    expect(reservationParameters(big, 0).map((p) => [p.name, p.count])).toEqual([
      ['ReservationIds', RESERVATION_IDS_PER_PARAMETER],
      ['ReservationIdsPart2', 200 - RESERVATION_IDS_PER_PARAMETER],
    ]);
  });

  test('every UltraServer group is bound to exactly one block, and no two groups to the same one', () => {
    const big = pool('ultraserver', { sites: { ohio: { pools: { train: { ultraServers: 200 } } } } });
    const keys = big.nodeGroups.map((g) => JSON.stringify([g.shard, g.block]));
    expect(big.nodeGroups.every((g) => g.block?.kind === 'parameter')).toBe(true);
    expect(new Set(keys).size).toBe(big.nodeGroups.length);
  });

  test('growing a pool across shard and parameter boundaries never rebinds an existing UltraServer, and each shard lists exactly its own', () => {
    const sized = (n: number) => pool('ultraserver', { sites: { ohio: { pools: { train: { ultraServers: n, reservedUltraServers: n } } } } });
    const sizes = [1, 194, 195, 196, 249, 250, 251, 445, 446, 520];
    const plans = sizes.map(sized);
    for (const [k, p] of plans.entries()) {
      // Unique within each compute stack (shard), and the shard's lists count exactly its groups.
      const keys = p.nodeGroups.map((g) => JSON.stringify([g.shard, g.block]));
      expect(new Set(keys).size).toBe(p.nodeGroups.length);
      for (const shard of new Set(p.nodeGroups.map((g) => g.shard))) {
        const total = reservationParameters(p, shard).reduce((sum, r) => sum + (r.count ?? 0), 0);
        expect([sizes[k], shard, total]).toEqual([sizes[k], shard, p.nodeGroups.filter((g) => g.shard === shard).length]);
      }
      // Every smaller size binds its UltraServers exactly as this one does (a resize moves no boundary).
      for (const smaller of plans.slice(0, k)) {
        expect(p.nodeGroups.slice(0, smaller.nodeGroups.length).map((g) => [g.shard, g.block])).toEqual(smaller.nodeGroups.map((g) => [g.shard, g.block]));
      }
    }
  });

  test('listed IDs with spare reserved UltraServers: UltraServer i still takes the i-th ID, the spare blocks are bound to no group', () => {
    const ids = ['cr-00000000000000001', 'cr-00000000000000002', 'cr-00000000000000003'];
    const p = planCluster(resolveConfig('rainier-mini', { sites: { ohio: { pools: { train: { reservationIds: ids, reservedUltraServers: 3 } } } } })).sites[0].pools[0];
    expect(p.nodeGroups.map((g) => g.block)).toEqual(ids.slice(0, 2).map((reservationId) => ({ kind: 'listed', reservationId })));
  });

  test('listed IDs: UltraServer i is bound to the i-th ID', () => {
    const ids = ['cr-00000000000000001', 'cr-00000000000000002'];
    const p = planCluster(resolveConfig('rainier-mini', { sites: { ohio: { pools: { train: { reservationIds: ids } } } } })).sites[0].pools[0];
    expect(p.nodeGroups.map((g) => g.block)).toEqual(ids.map((reservationId) => ({ kind: 'listed', reservationId })));
  });

  test('UltraServer blocks with IDs in the config: no parameter', () => {
    expect(reservationParameter(pool('ultraserver', { sites: { ohio: { pools: { train: { reservationIds: ['cr-00000000000000001'] } } } } }))).toBeUndefined();
  });

  test('On-Demand Capacity Reservations: no parameter (the stack creates the reservation)', () => {
    expect(reservationParameter(pool('single-node'))).toBeUndefined();
  });
});

describe('node group tags', () => {
  test('UltraServer groups name their UltraServer; pool groups do not', () => {
    const plan = planCluster(resolveConfig('rainier-mini'));
    const site = plan.sites[0];
    const [train, dev] = site.pools;
    expect(nodeGroupTags(site, train, train.nodeGroups[1])).toEqual({
      'rainier:site': 'ohio',
      'rainier:pool': 'train',
      'rainier:node-group': 'ohio-train-u0001',
      'rainier:ultraserver': 'ohio-train-u0001',
      'rainier:ultraserver-index': '1',
      Name: 'ohio-train-u0001',
    });
    expect(nodeGroupTags(site, dev, dev.nodeGroups[0])['rainier:ultraserver']).toBeUndefined();
  });
});

describe('flattenCfnReference (cdk-nag finding names)', () => {
  test.each([
    ['arn:aws:s3:::b/*', 'arn:aws:s3:::b/*'],
    [{ 'Fn::Join': ['', [{ 'Fn::ImportValue': 'stack:Export' }, '/*']] }, 'stack:Export/*'],
    [{ 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Bucket', 'Arn'] }, '/*']] }, '<Bucket.Arn>/*'],
    [{ Ref: 'AWS::Partition' }, '<AWS::Partition>'],
  ])('%j -> %s', (value, flat) => {
    expect(flattenCfnReference(value)).toBe(flat);
  });
});
