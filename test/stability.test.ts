import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildClusterApp } from '../lib/app';
import { parseConfig } from '../lib/config/load';
import { PRESETS, PRESET_NAMES, PresetName } from '../lib/config/presets';
import { CapacityKind, ClusterConfigInput } from '../lib/config/schema';
import { planCluster } from '../lib/plan/build';
import { readAssembly, SynthesisedStack } from '../lib/review/assembly';
import { describeSource, writeReportFiles } from '../lib/review/report';
import { diffStacks } from '../lib/review/template-diff';
import { createCluster } from '../lib/stacks/cluster';
import { testApp } from './support/synth';

const outdirs: string[] = [];
afterAll(() => outdirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
function tempdir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rainier-stability-'));
  outdirs.push(dir);
  return dir;
}

describe('synthesis is deterministic', () => {
  /** What `cdk synth` writes for the default preset: templates plus the topology report files. */
  function synthDefault(): Record<string, Buffer> {
    const app = testApp({ outdir: tempdir() });
    const { plan } = buildClusterApp(app, {});
    const assembly = app.synth();
    writeReportFiles(plan, assembly, describeSource({}));
    const files = fs.readdirSync(assembly.directory).filter((f) => f.endsWith('.template.json') || f.startsWith('topology.'));
    return Object.fromEntries(files.sort().map((f) => [f, fs.readFileSync(path.join(assembly.directory, f))]));
  }

  test('two fresh apps write byte-identical templates and topology reports', () => {
    const first = synthDefault();
    const second = synthDefault();
    expect(Object.keys(second)).toEqual(Object.keys(first));
    expect(Object.keys(first).filter((f) => f.startsWith('topology.')).length).toBeGreaterThan(0);
    const differing = Object.keys(first).filter((f) => !first[f].equals(second[f]));
    expect(differing).toEqual([]);
  });
});

// ---- stateful safety under resizing ---------------------------------------------------------------

/** The resources that hold data or decrypt it: never replaced or removed by a resize. */
const PRECIOUS = ['AWS::FSx::FileSystem', 'AWS::S3::Bucket', 'AWS::KMS::Key'];

/** rainier-scale with one of its 16 sites (each site renders the same way; all 16 take minutes). */
function baseConfig(preset: PresetName): ClusterConfigInput {
  const config = PRESETS[preset]();
  if (preset !== 'rainier-scale') {
    return config;
  }
  const [first, site] = Object.entries(config.sites)[0];
  return { ...config, sites: { [first]: site } };
}

type Pool = Record<string, unknown> & { kind: CapacityKind };
/** A Capacity Block holds 1, 2, 4, 8, 16, 32 or 64 instances. */
const CAPACITY_BLOCK_SIZES = [1, 2, 4, 8, 16, 32, 64];

/** Scales every pool's size by `factor` where the result is a valid size for its kind; undefined if none changes. */
function resized(config: ClusterConfigInput, factor: 2 | 0.5): ClusterConfigInput | undefined {
  let changed = false;
  const scale = (pool: Pool): Pool => {
    const key = pool.ultraServers !== undefined ? 'ultraServers' : 'nodes';
    const now = pool[key] as number;
    const next = factor === 2 ? now * 2 : Math.floor(now / 2);
    const valid =
      next >= 1 &&
      (pool.kind !== CapacityKind.CAPACITY_BLOCK || CAPACITY_BLOCK_SIZES.includes(next)) &&
      (key !== 'nodes' || pool.kind !== CapacityKind.ULTRASERVER_CAPACITY_BLOCK || next % 4 === 0);
    if (!valid) {
      return pool;
    }
    changed = true;
    return { ...pool, [key]: next };
  };
  const sites = Object.fromEntries(
    Object.entries(config.sites).map(([name, site]) => [
      name,
      { ...site, pools: Object.fromEntries(Object.entries(site.pools).map(([p, pool]) => [p, scale(pool as Pool)])) },
    ]),
  );
  return changed ? { ...config, sites: sites as ClusterConfigInput['sites'] } : undefined;
}

function synthStacks(config: ClusterConfigInput): SynthesisedStack[] {
  const app = testApp({ outdir: tempdir() });
  createCluster(app, planCluster(parseConfig(config)));
  return readAssembly(app.synth());
}

/** Every FSx file system, bucket or key the change would replace, destroy or orphan, in any stack. */
function preciousHazards(before: SynthesisedStack[], after: SynthesisedStack[]): string[] {
  return diffStacks(before, after).flatMap((d) =>
    d.hazards.filter((h) => PRECIOUS.includes(h.type)).map((h) => `${h.stack} ${h.logicalId} (${h.type}): ${h.impact}${h.stackRemoved ? ', stack removed' : ''}`),
  );
}

describe.each(PRESET_NAMES)('resizing %s', (preset) => {
  const base = baseConfig(preset);
  const before = synthStacks(base);

  test('keeps its stateful resources (the test sees some)', () => {
    const types = before.flatMap((s) => Object.values(s.template.Resources as Record<string, { Type: string }>).map((r) => r.Type));
    for (const type of PRECIOUS) {
      expect(types).toContain(type);
    }
  });

  test.each([
    ['doubling', 2 as const],
    ['halving', 0.5 as const],
  ])('%s the compute replaces or deletes no file system, bucket or key', (_, factor) => {
    const config = resized(base, factor);
    if (config === undefined) {
      // No pool has a valid size at this factor (halving one UltraServer or a single node).
      expect(['ultraserver', 'single-node']).toContain(preset);
      return;
    }
    // The deployer pins the file system at its deployed size (FSx only grows; docs/review.md), so a
    // transient resize of compute leaves storage alone.
    const pinned = { ...config, storage: { ...config.storage, storageCapacityGiB: planCluster(parseConfig(base)).sites[0].storage.capacityGiB } };
    const after = synthStacks(pinned);
    expect(preciousHazards(before, after)).toEqual([]);
    // The storage and network stacks keep every logical ID of those resources.
    const ids = (stacks: SynthesisedStack[]) =>
      stacks
        .filter((s) => /-(storage|network)$/.test(s.id))
        .flatMap((s) =>
          Object.entries(s.template.Resources as Record<string, { Type: string }>)
            .filter(([, r]) => PRECIOUS.includes(r.Type))
            .map(([id]) => `${s.id}/${id}`),
        )
        .sort();
    expect(ids(after)).toEqual(ids(before));
  });
});

describe("changing which reservations a site watches", () => {
  // The watch is decided per Region (lib/plan/monitoring.ts), so naming or un-naming one pool's
  // Capacity Block IDs switches the monitoring stack between importing the On-Demand reservation's
  // ID and not. The export must stay either way: removing an export another stack still imports
  // fails the deployment.
  const exportsOf = (stacks: SynthesisedStack[]) =>
    stacks
      .flatMap((s) => Object.values((s.template.Outputs ?? {}) as Record<string, { Export?: { Name: string } }>))
      .flatMap((o) => (o.Export ? [o.Export.Name] : []))
      .sort();
  const imports = (stacks: SynthesisedStack[]) => JSON.stringify(stacks.find((s) => s.id.endsWith('-monitoring'))!.template).match(/ExportsOutputRefCapacityReservation\w+/g) ?? [];

  test('keeps every export, and only the import changes', () => {
    const regionWide = baseConfig('rainier-mini');
    const ohio = regionWide.sites.ohio;
    const listed = {
      ...regionWide,
      sites: { ohio: { ...ohio, pools: { ...ohio.pools, train: { ...ohio.pools.train, reservationIds: ['cr-0123456789abcdef0', 'cr-0123456789abcdef1'] } } } },
    } as ClusterConfigInput;
    const before = synthStacks(regionWide);
    const after = synthStacks(listed);
    expect(exportsOf(after)).toEqual(exportsOf(before));
    expect(exportsOf(before).some((e) => e.startsWith('rainier-ohio-dev:ExportsOutputRefCapacityReservation'))).toBe(true);
    expect(imports(before)).toEqual([]);
    expect(imports(after).length).toBeGreaterThan(0);
  });
});

