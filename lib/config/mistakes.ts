import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ConfigError } from './errors';
import { loadConfig, resolveConfig } from './load';
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
  /** A whole file instead of an overlay (encodings, empty files, duplicate keys): its bytes and extension. */
  readonly file?: { readonly content: string | Buffer; readonly ext: 'yaml' | 'json' };
  /** The field the error must name, when it is not a leaf of `overlay` (file-level mistakes). */
  readonly field?: string;
}

/** The moment the catalogue checks end dates against (`-c now=`): fixed, so the table is deterministic. */
export const CATALOGUE_NOW = '2026-11-30T00:00:00Z';

const ODCR = { kind: 'on-demand-capacity-reservation', instanceType: 'trn2.48xlarge', nodes: 1 };
const CR = 'cr-0123456789abcdef0';

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
  {
    mistake: "A pool named like one of the site's stacks",
    preset: 'single-node',
    yaml: 'sites: {ohio: {pools: {storage: {kind: on-demand-capacity-reservation, ...}}}}',
    overlay: { sites: { ohio: { pools: { storage: ODCR } } } },
  },
  {
    mistake: 'Pool names that differ only by a hyphen',
    preset: 'single-node',
    yaml: 'sites: {ohio: {pools: {dev-1x: {...}, dev1x: {...}}}}',
    overlay: { sites: { ohio: { pools: { 'dev-1x': ODCR, dev1x: ODCR } } } },
  },
  {
    mistake: 'A CIDR octet above 255',
    preset: 'single-node',
    yaml: 'sites: {ohio: {cidr: 10.0.0.300/16}}',
    overlay: { sites: { ohio: { cidr: '10.0.0.300/16' } } },
  },
  {
    mistake: 'A CIDR with host bits set',
    preset: 'single-node',
    yaml: 'sites: {ohio: {cidr: 10.0.1.0/16}}',
    overlay: { sites: { ohio: { cidr: '10.0.1.0/16' } } },
  },
  {
    mistake: 'A file system larger than the FSx API can express',
    preset: 'rainier-mini',
    yaml: 'storage: {storageCapacityGiB: 2400000000000}',
    overlay: { storage: { storageCapacityGiB: 2_400_000_000_000 } },
  },
  {
    mistake: 'An unknown Region',
    preset: 'single-node',
    yaml: 'sites: {ohio: {region: us-east-9, availabilityZone: us-east-9a}}',
    overlay: { sites: { ohio: { region: 'us-east-9', availabilityZone: 'us-east-9a' } } },
  },
  {
    mistake: 'A Region not known to offer the instance type',
    preset: 'single-node',
    yaml: 'sites: {ohio: {region: eu-west-1, availabilityZone: eu-west-1a}}',
    overlay: { sites: { ohio: { region: 'eu-west-1', availabilityZone: 'eu-west-1a' } } },
  },
  {
    mistake: 'A reservation ID used twice',
    preset: 'ultraserver',
    yaml: `sites: {ohio: {pools: {train: {ultraServers: 2, reservationIds: [${CR}, ${CR}]}}}}`,
    overlay: { sites: { ohio: { pools: { train: { ultraServers: 2, reservationIds: [CR, CR] } } } } },
  },
  {
    mistake: `An end date in the past (checked against -c now=, here ${CATALOGUE_NOW})`,
    preset: 'single-node',
    yaml: 'sites: {ohio: {pools: {dev: {endDate: "2020-01-01T00:00:00Z"}}}}',
    overlay: { sites: { ohio: { pools: { dev: { endDate: '2020-01-01T00:00:00Z' } } } } },
  },
  {
    mistake: 'A prototype-polluting key',
    preset: 'single-node',
    yaml: '{"sites": {"ohio": {"__proto__": {"cidr": "0.0.0.0/0"}}}} (JSON)',
    overlay: JSON.parse('{"sites": {"ohio": {"__proto__": {"cidr": "0.0.0.0/0"}}}}') as Record<string, unknown>,
  },
  {
    mistake: 'null for a field the cluster needs',
    preset: 'single-node',
    yaml: 'sites: {ohio: {region: null}}',
    overlay: { sites: { ohio: { region: null } } },
  },
  {
    mistake: 'An enum value outside the enum',
    preset: 'single-node',
    yaml: 'sites: {ohio: {egress: maybe}}',
    overlay: { sites: { ohio: { egress: 'maybe' } } },
  },
  {
    mistake: 'An acknowledgement of a rule that never existed',
    preset: 'single-node',
    yaml: 'acknowledgements: [{rule: RAIN-W999, path: sites, reason: ...}]',
    overlay: { acknowledgements: [{ rule: 'RAIN-W999', path: 'sites', reason: 'because the test says so, at length' }] },
  },
  {
    mistake: 'An acknowledgement at a path the configuration does not have (a misspelt site or pool)',
    preset: 'ultraserver',
    yaml: 'acknowledgements: [{rule: RAIN-W202, path: sites.ohio.pools.trian, reason: ...}]',
    overlay: { acknowledgements: [{ rule: 'RAIN-W202', path: 'sites.ohio.pools.trian', reason: 'because the test says so, at length' }] },
  },
  {
    mistake: 'A count beyond 2^53 (rounded when the file is read)',
    preset: 'single-node',
    yaml: 'sites: {ohio: {pools: {dev: {nodes: 9007199254740993}}}}',
    overlay: { sites: { ohio: { pools: { dev: { nodes: 9007199254740993 } } } } },
    file: { content: 'preset: single-node\nsites: {ohio: {pools: {dev: {nodes: 9007199254740993}}}}\n', ext: 'yaml' },
    field: 'sites.ohio.pools.dev.nodes',
  },
  {
    mistake: 'More pools in a site than the limit (64)',
    preset: 'single-node',
    yaml: 'sites: {ohio: {pools: {p0: {...}, ..., p63: {...}}}} (65 pools with dev)',
    overlay: { sites: { ohio: { pools: Object.fromEntries(Array.from({ length: 64 }, (_, i) => [`p${i}`, ODCR])) } } },
  },
  {
    mistake: 'More sites than the limit (100)',
    preset: 'single-node',
    yaml: 'sites: {s0: {...}, ..., s100: {...}} (102 sites with ohio)',
    overlay: {
      sites: Object.fromEntries(
        Array.from({ length: 101 }, (_, i) => [`s${i}`, { region: 'us-east-2', availabilityZone: 'us-east-2b', cidr: `10.${1 + Math.floor(i / 128)}.${(2 * i) % 256}.0/23`, pools: { dev: ODCR } }]),
      ),
    },
    field: 'sites',
  },
  {
    mistake: 'An empty file',
    preset: 'single-node',
    yaml: '(a file of zero bytes)',
    overlay: {},
    file: { content: '', ext: 'yaml' },
    field: 'config',
  },
  {
    mistake: 'A file that is not UTF-8',
    preset: 'single-node',
    yaml: '(Latin-1 bytes: "name: caf" then the byte 0xE9)',
    overlay: {},
    file: { content: Buffer.from([0x6e, 0x61, 0x6d, 0x65, 0x3a, 0x20, 0x63, 0x61, 0x66, 0xe9, 0x0a]), ext: 'yaml' },
    field: 'config',
  },
  {
    mistake: 'A duplicate key in a JSON file',
    preset: 'single-node',
    yaml: '{"preset": "single-node", "preset": "ultraserver"} (JSON)',
    overlay: {},
    file: { content: '{"preset": "single-node", "preset": "ultraserver"}', ext: 'json' },
    field: 'preset',
  },
  {
    mistake: "A pool named like the site's checkpoint replica stack",
    preset: 'single-node',
    yaml: '{storage: {checkpointReplicaRegion: us-west-2}, sites: {ohio: {pools: {storage-replica: {kind: on-demand-capacity-reservation, instanceType: trn2.48xlarge, nodes: 1}}}}}',
    overlay: {
      storage: { checkpointReplicaRegion: 'us-west-2' },
      sites: { ohio: { pools: { 'storage-replica': { kind: 'on-demand-capacity-reservation', instanceType: 'trn2.48xlarge', nodes: 1 } } } },
    },
  },
  {
    mistake: 'Not-a-number from YAML (.nan, .inf)',
    preset: 'single-node',
    yaml: 'energy: {pue: .nan}',
    overlay: { energy: { pue: Number.NaN } },
  },
  {
    mistake: 'An account ID without quotes (a number, its leading zero dropped)',
    preset: 'single-node',
    yaml: 'perimeter: {imageRegistryAccounts: [012345678901]}',
    overlay: { perimeter: { imageRegistryAccounts: [12345678901] } },
  },
  {
    mistake: 'A misspelt field of the pinned image',
    preset: 'single-node',
    yaml: 'compute: {image: {amiId: {us-east-2: ami-0123456789abcdef0}}}',
    overlay: { compute: { image: { amiId: { 'us-east-2': 'ami-0123456789abcdef0' } } } },
  },
  {
    mistake: 'An IMDS hop limit other than 1 or 2',
    preset: 'single-node',
    yaml: 'compute: {imdsHopLimit: 3}',
    overlay: { compute: { imdsHopLimit: 3 } },
  },
  {
    mistake: 'A pinned image by SSM parameter without its versions',
    preset: 'single-node',
    yaml: 'compute: {image: {ssmParameter: /aws/service/neuron/dlami/base/ubuntu-24.04/latest/image_id}}',
    overlay: { compute: { image: { ssmParameter: '/aws/service/neuron/dlami/base/ubuntu-24.04/latest/image_id' } } },
  },
  {
    mistake: 'A checkpoint replica Region that does not exist',
    preset: 'single-node',
    yaml: 'storage: {checkpointReplicaRegion: us-west-9}',
    overlay: { storage: { checkpointReplicaRegion: 'us-west-9' } },
  },
  {
    mistake: "A checkpoint replica Region in another partition than the sites'",
    preset: 'single-node',
    yaml: 'storage: {checkpointReplicaRegion: cn-north-1}',
    overlay: { storage: { checkpointReplicaRegion: 'cn-north-1' } },
  },
  {
    mistake: 'A key administrator ARN in a partition that does not exist',
    preset: 'single-node',
    yaml: 'perimeter: {keyAdministrators: ["arn:aws-x:iam::111122223333:role/KeyAdmins"]}',
    overlay: { perimeter: { keyAdministrators: ['arn:aws-x:iam::111122223333:role/KeyAdmins'] } },
  },
  {
    mistake: 'One ARN where a list of ARNs is expected',
    preset: 'single-node',
    yaml: 'perimeter: {breakGlass: "arn:aws:iam::111122223333:role/BreakGlass"}',
    overlay: { perimeter: { breakGlass: 'arn:aws:iam::111122223333:role/BreakGlass' } },
  },
  {
    mistake: 'A scheduler the app does not offer',
    preset: 'rainier-mini',
    yaml: 'orchestrator: pcs',
    overlay: { orchestrator: 'pcs' },
  },
  {
    mistake: 'The whole account as an EKS access principal',
    preset: 'rainier-mini',
    yaml: 'orchestrator: {engine: eks, access: [{principal: "arn:aws:iam::111122223333:root", policy: admin}]}',
    overlay: { orchestrator: { engine: 'eks', access: [{ principal: 'arn:aws:iam::111122223333:root', policy: 'admin' }] } },
    field: 'orchestrator.access.0.principal',
  },
  {
    mistake: 'A Kubernetes version the job manifests are not written for',
    preset: 'rainier-mini',
    yaml: 'orchestrator: {engine: eks, kubernetesVersion: "1.34"}',
    overlay: { orchestrator: { engine: 'eks', kubernetesVersion: '1.34' } },
  },
  {
    mistake: "The EKS control-plane zone set to the fabric's own zone",
    preset: 'rainier-mini',
    yaml: 'orchestrator: {engine: eks, controlPlaneZone: us-east-2a}',
    overlay: { orchestrator: { engine: 'eks', controlPlaneZone: 'us-east-2a' } },
  },
];

/** The error a mistake produces, or undefined if (wrongly) it produces none. */
export function errorOf(m: Mistake): string | undefined {
  try {
    if (m.file !== undefined) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rainier-mistake-'));
      try {
        const file = path.join(dir, `cluster.${m.file.ext}`);
        fs.writeFileSync(file, m.file.content);
        // The message names the file: show it by its base name so the table does not depend on the temp directory.
        planCluster(loadConfig({ configPath: file, now: CATALOGUE_NOW }));
      } catch (e) {
        if (e instanceof ConfigError) {
          throw new ConfigError(e.problems.map((p) => ({ ...p, given: p.given.split(dir + path.sep).join('') })));
        }
        throw e;
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
      return undefined;
    }
    planCluster(resolveConfig(m.preset, m.overlay, { now: CATALOGUE_NOW }));
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



