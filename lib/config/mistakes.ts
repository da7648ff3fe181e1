import { ConfigError } from './errors';
import { resolveConfig } from './load';
import { PresetName } from './presets';
import { planCluster } from '../plan/build';

/**
 * The common configuration mistakes and the exact error each gives. The README's table is
 * rendered from this list by running every case, and a test checks that each really fails, so
 * the catalogue cannot drift from the code.
 */
export interface Mistake {
  readonly mistake: string;
  readonly preset: PresetName;
  /** The override a user would write, as YAML, shown in the README. */
  readonly yaml: string;
  readonly overlay: Record<string, unknown>;
}

export const MISTAKES: readonly Mistake[] = [
  {
    mistake: 'A non-UltraServer instance type in an UltraServer pool',
    preset: 'ultraserver',
    yaml: 'sites: {ohio: {pools: {train: {instanceType: trn2.48xlarge}}}}',
    overlay: { sites: { ohio: { pools: { train: { instanceType: 'trn2.48xlarge' } } } } },
  },
  {
    mistake: 'A count that is not whole UltraServers',
    preset: 'ultraserver',
    yaml: 'sites: {ohio: {pools: {train: {ultraServers: null, nodes: 6}}}}',
    overlay: { sites: { ohio: { pools: { train: { ultraServers: null, nodes: 6 } } } } },
  },
  {
    mistake: 'FSx capacity off its steps',
    preset: 'rainier-mini',
    yaml: 'storage: {storageCapacityGiB: 5000}',
    overlay: { storage: { storageCapacityGiB: 5000 } },
  },
  {
    mistake: 'A malformed reservation ID',
    preset: 'ultraserver',
    yaml: 'sites: {ohio: {pools: {train: {reservationIds: [cr-12345]}}}}',
    overlay: { sites: { ohio: { pools: { train: { reservationIds: ['cr-12345'] } } } } },
  },
  {
    mistake: "An AZ that does not match the site's Region",
    preset: 'single-node',
    yaml: 'sites: {ohio: {availabilityZone: us-west-2a}}',
    overlay: { sites: { ohio: { availabilityZone: 'us-west-2a' } } },
  },
  {
    mistake: 'An unknown (misspelt) field',
    preset: 'rainier-mini',
    yaml: 'sites: {ohio: {pools: {dev: {node: 4}}}}',
    overlay: { sites: { ohio: { pools: { dev: { node: 4 } } } } },
  },
  {
    mistake: 'An unknown instance type',
    preset: 'single-node',
    yaml: 'sites: {ohio: {pools: {dev: {instanceType: trn3.48xlarge}}}}',
    overlay: { sites: { ohio: { pools: { dev: { instanceType: 'trn3.48xlarge' } } } } },
  },
  {
    mistake: 'More nodes than the reservation holds',
    preset: 'single-node',
    yaml: 'sites: {ohio: {pools: {dev: {nodes: 4, reservedNodes: 2}}}}',
    overlay: { sites: { ohio: { pools: { dev: { nodes: 4, reservedNodes: 2 } } } } },
  },
  {
    mistake: 'An instance Capacity Block of a size AWS does not sell',
    preset: 'single-node',
    yaml: 'sites: {ohio: {pools: {dev: {kind: capacity-block, nodes: 3}}}}',
    overlay: { sites: { ohio: { pools: { dev: { kind: 'capacity-block', nodes: 3 } } } } },
  },
];

/** The error a mistake produces, or undefined if (wrongly) it produces none. */
export function errorOf(m: Mistake): string | undefined {
  try {
    planCluster(resolveConfig(m.preset, m.overlay));
    return undefined;
  } catch (e) {
    if (e instanceof ConfigError) {
      return e.message;
    }
    throw e;
  }
}

/** The README table of mistakes and the exact errors they give. */
export function renderMistakeTable(): string {
  const lines = ['| Mistake | Override (on preset) | Error |', '| --- | --- | --- |'];
  for (const m of MISTAKES) {
    const error = (errorOf(m) ?? 'NO ERROR').split('\n').slice(1).map((l) => l.replace(/^\s+- /, '')).join('<br>');
    lines.push(`| ${m.mistake} | \`${m.yaml}\` (\`${m.preset}\`) | \`${error.replace(/\|/g, '\\|').replace(/`/g, "'")}\` |`);
  }
  return lines.join('\n');
}



