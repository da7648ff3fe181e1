import { ConfigError } from '../lib/config/errors';
import { resolveConfig } from '../lib/config/load';
import { planCluster } from '../lib/plan/build';
import { checkRules } from '../lib/plan/rules/run';
import {
  EFA_CAPACITY_STEP_GIB,
  THROUGHPUT_TIERS,
  isFsxEfaClient,
  isValidCapacity,
  isValidMetadataIops,
  nearestCapacities,
  planStorage,
  throughputMBps,
  dataRepositories,
} from '../lib/plan/storage';
import { instanceShape } from '../lib/catalog/instance-types';

const storageOf = (preset: string, overlay: Record<string, unknown> = {}) => {
  const config = resolveConfig(preset, overlay);
  return planStorage(config.storage, Object.values(config.sites)[0]);
};

/** Codes of the findings (errors included) a config produces. */
function codes(preset: string, overlay: Record<string, unknown>): string[] {
  try {
    return checkRules(resolveConfig(preset, overlay)).map((f) => f.code);
  } catch (e) {
    if (e instanceof ConfigError) {
      return e.problems.map((p) => p.code ?? 'schema');
    }
    throw e;
  }
}

function problem(preset: string, overlay: Record<string, unknown>, code: string) {
  try {
    checkRules(resolveConfig(preset, overlay));
  } catch (e) {
    const p = (e as ConfigError).problems.find((x) => x.code === code);
    if (p) return p;
  }
  throw new Error(`no ${code}`);
}

describe('capacity and tier steps', () => {
  test.each([
    [1200, true],
    [2400, true],
    [4800, true],
    [3600, false],
    [1000, false],
    [2500, false],
  ])('capacity %d valid: %s', (gib, valid) => expect(isValidCapacity(gib)).toBe(valid));

  test('nearest valid capacities', () => {
    expect(nearestCapacities(2500)).toEqual({ below: 2400, above: 4800 });
    expect(nearestCapacities(1000)).toEqual({ below: undefined, above: 1200 });
  });

  test.each([
    [1500, true],
    [3000, true],
    [6000, true],
    [12000, true],
    [24000, true],
    [192000, true],
    [9000, false],
    [18000, false],
    [204000, false],
  ])('metadata IOPS %d valid: %s', (iops, valid) => expect(isValidMetadataIops(iops)).toBe(valid));

  test('every EFA step is worth the same 4,800 MB/s', () => {
    for (const tier of THROUGHPUT_TIERS) {
      expect(throughputMBps(EFA_CAPACITY_STEP_GIB[tier], tier)).toBe(4800);
    }
  });

  test('FSx EFA clients exclude the trn2 family', () => {
    expect(isFsxEfaClient(instanceShape('trn1.32xlarge'))).toBe(true);
    expect(isFsxEfaClient(instanceShape('trn2.48xlarge'))).toBe(false);
    expect(isFsxEfaClient(instanceShape('trn2u.48xlarge'))).toBe(false);
    expect(isFsxEfaClient(instanceShape('trn2.3xlarge'))).toBe(false);
  });
});

describe('planStorage', () => {
  test('default preset: 160 chips x 100 MB/s -> 16,800 GiB at 1000 MB/s/TiB, no EFA (trn2 clients)', () => {
    const s = storageOf('rainier-mini');
    expect(s).toMatchObject({
      deploymentType: 'PERSISTENT_2',
      fileSystemTypeVersion: '2.15',
      dataCompressionType: 'LZ4',
      chips: 160,
      targetThroughputMBps: 16000,
      targetCheckpointMBps: 3733.3,
      capacityGiB: 16800,
      throughputMBpsPerTiB: 1000,
      aggregateThroughputMBps: 16800,
      perChipMBps: 105,
      checkpointGB: 1120,
      checkpointWriteSeconds: 66.7,
      efaEnabled: false,
      metadata: { mode: 'AUTOMATIC' },
      meetsTargets: true,
    });
  });

  test.each([
    ['ultraserver', 7200, 1000, 7200, false],
    ['single-node', 4800, 1000, 4800, false],
    ['trn1-small', 9600, 1000, 9600, true],
  ])('%s sizes to %d GiB @%d = %d MB/s (EFA %s)', (preset, capacity, tier, mbps, efa) => {
    const s = storageOf(preset);
    expect([s.capacityGiB, s.throughputMBpsPerTiB, s.aggregateThroughputMBps, s.efaEnabled, s.meetsTargets]).toEqual([capacity, tier, mbps, efa, true]);
  });

  test('small targets pick the lowest tier at the minimum capacity', () => {
    const s = storageOf('single-node', {
      storage: { sizing: { throughputPerChipMBps: 1, checkpoint: { modelParametersBillions: 1, maxWriteSeconds: 3600 } } },
    });
    expect([s.capacityGiB, s.throughputMBpsPerTiB]).toEqual([1200, 125]);
  });

  test('a configured tier keeps the tier and grows the capacity', () => {
    const s = storageOf('rainier-mini', { storage: { throughputMBpsPerTiB: 250 } });
    expect([s.capacityGiB, s.throughputMBpsPerTiB, s.meetsTargets]).toEqual([64800, 250, true]);
  });

  test('a configured capacity takes the lowest tier that meets the targets', () => {
    const s = storageOf('rainier-mini', { storage: { storageCapacityGiB: 40800 } });
    expect([s.capacityGiB, s.throughputMBpsPerTiB, s.meetsTargets]).toEqual([40800, 500, true]);
  });

  test('a configured capacity too small keeps it at the fastest tier and says so', () => {
    const s = storageOf('rainier-mini', { storage: { storageCapacityGiB: 2400 } });
    expect([s.capacityGiB, s.throughputMBpsPerTiB, s.meetsTargets]).toEqual([2400, 1000, false]);
  });

  test('EFA capacities are whole EFA steps of the chosen tier', () => {
    const s = storageOf('trn1-small', { storage: { throughputMBpsPerTiB: 500 } });
    expect(s.efaEnabled).toBe(true);
    expect(s.capacityGiB % EFA_CAPACITY_STEP_GIB[500]).toBe(0);
    expect(s.capacityGiB).toBe(19200);
  });

  test('efa: false overrides auto; metadataIops gives USER_PROVISIONED', () => {
    const s = storageOf('trn1-small', { storage: { efa: false, metadataIops: 6000 } });
    expect(s.efaEnabled).toBe(false);
    expect(s.capacityGiB).toBe(7200);
    expect(s.metadata).toEqual({ mode: 'USER_PROVISIONED', iops: 6000 });
  });

  test('datasets only come in from S3; checkpoints go both ways; warnings and errors are logged', () => {
    const plan = storageOf('rainier-mini');
    expect(plan.dataRepositories.map((r) => [r.bucket, r.fileSystemPath, r.importEvents.join(','), r.exportEvents.join(',')])).toEqual([
      ['datasets', '/datasets', 'NEW,CHANGED,DELETED', ''],
      ['checkpoints', '/checkpoints', 'NEW,CHANGED,DELETED', 'NEW,CHANGED'],
    ]);
    expect(plan.logLevel).toBe('WARN_ERROR');
  });

  test.each([
    [false, 'NEW,CHANGED'],
    [true, 'NEW,CHANGED,DELETED'],
  ])('checkpoint deletions on the file system reach S3 only when exportCheckpointDeletions is %s', (exportDeletions, events) => {
    const repositories = dataRepositories(exportDeletions);
    expect(repositories.find((r) => r.bucket === 'checkpoints')!.exportEvents.join(',')).toBe(events);
    expect(repositories.find((r) => r.bucket === 'datasets')!.exportEvents).toEqual([]);
  });

  test('the plan exposes storage on every site', () => {
    const plan = planCluster(resolveConfig('rainier-mini'));
    expect(plan.sites[0].storage.capacityGiB).toBe(16800);
  });
});

describe('storage rules', () => {
  test('RAIN-E301 fails when the capacity is off its steps, naming the nearest values', () => {
    const p = problem('rainier-mini', { storage: { storageCapacityGiB: 3000 } }, 'RAIN-E301');
    expect(p.path).toBe('storage.storageCapacityGiB');
    expect(p.given).toBe('3000');
    expect(p.allowed).toContain('2400 below, 4800 above');
  });
  test('RAIN-E301 passes on a valid capacity', () => {
    expect(codes('rainier-mini', { storage: { storageCapacityGiB: 19200 } })).not.toContain('RAIN-E301');
  });

  test('RAIN-E302 fails when an EFA capacity is not a multiple of the tier step', () => {
    const p = problem('trn1-small', { storage: { storageCapacityGiB: 9600, throughputMBpsPerTiB: 250 } }, 'RAIN-E302');
    expect(p.allowed).toContain('a multiple of 19200 GiB at 250 MB/s/TiB');
    expect(p.allowed).toContain('19200 above');
  });
  test('RAIN-E302 fails below the first EFA step when no tier is given', () => {
    expect(codes('trn1-small', { storage: { storageCapacityGiB: 2400 } })).toContain('RAIN-E302');
  });
  test('RAIN-E302 passes on whole steps, and without EFA', () => {
    expect(codes('trn1-small', { storage: { storageCapacityGiB: 19200, throughputMBpsPerTiB: 250 } })).not.toContain('RAIN-E302');
    expect(codes('rainier-mini', { storage: { storageCapacityGiB: 2400 } })).not.toContain('RAIN-E302');
  });

  test('RAIN-E303 fails on a tier PERSISTENT_2 does not offer', () => {
    const p = problem('rainier-mini', { storage: { throughputMBpsPerTiB: 200 } }, 'RAIN-E303');
    expect(p.allowed).toContain('125, 250, 500, 1000');
  });
  test('RAIN-E303 passes on 500', () => {
    expect(codes('rainier-mini', { storage: { throughputMBpsPerTiB: 500 } })).not.toContain('RAIN-E303');
  });

  test('RAIN-E304 fails off the metadata IOPS steps, naming the nearest values', () => {
    const p = problem('rainier-mini', { storage: { metadataIops: 20000 } }, 'RAIN-E304');
    expect(p.allowed).toContain('12000 below, 24000 above');
    expect(codes('rainier-mini', { storage: { metadataIops: 204000 } })).toContain('RAIN-E304');
  });
  test('RAIN-E304 passes on 24000 and when absent', () => {
    expect(codes('rainier-mini', { storage: { metadataIops: 24000 } })).not.toContain('RAIN-E304');
    expect(codes('rainier-mini', {})).not.toContain('RAIN-E304');
  });

  test('RAIN-W301 warns when a configured size misses the targets', () => {
    const findings = checkRules(resolveConfig('rainier-mini', { storage: { storageCapacityGiB: 2400 } }));
    const w = findings.find((f) => f.code === 'RAIN-W301');
    expect(w?.path).toBe('storage.storageCapacityGiB');
    expect(w?.allowed).toContain('16000');
  });
  test('RAIN-W301 is silent when the plan sizes it, or the configured size suffices', () => {
    expect(codes('rainier-mini', {})).not.toContain('RAIN-W301');
    expect(codes('rainier-mini', { storage: { storageCapacityGiB: 19200 } })).not.toContain('RAIN-W301');
  });

  test('RAIN-W302 warns when EFA is forced on a site with no FSx EFA clients', () => {
    const findings = checkRules(resolveConfig('rainier-mini', { storage: { efa: true } }));
    expect(findings.find((f) => f.code === 'RAIN-W302')?.given).toContain('trn2u.48xlarge');
  });
  test('RAIN-W302 is silent on a trn1 site, and with auto', () => {
    expect(codes('trn1-small', { storage: { efa: true } })).not.toContain('RAIN-W302');
    expect(codes('rainier-mini', {})).not.toContain('RAIN-W302');
  });

  test('schema rejects a malformed maintenance window and out-of-range backups', () => {
    expect(() => resolveConfig('rainier-mini', { storage: { weeklyMaintenanceStartTime: '8:25:00' } })).toThrow(/weeklyMaintenanceStartTime/);
    expect(() => resolveConfig('rainier-mini', { storage: { automaticBackupRetentionDays: 91 } })).toThrow(/automaticBackupRetentionDays/);
  });
});
