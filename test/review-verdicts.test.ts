import * as path from 'path';
import { ResourceImpact } from '@aws-cdk/cloudformation-diff';
import { ConfigSource } from '../lib/config/load';
import { SynthesisedStack } from '../lib/review/assembly';
import { Synthesis, synthesise } from '../lib/review/synth';
import { STATEFUL_RESOURCE_TYPES, diffStacks } from '../lib/review/template-diff';
import { EXIT_IRREVERSIBLE, EXIT_LOSES_DATA_OR_CAPACITY, EXIT_SAFE, EXIT_WOULD_FAIL, runDiff } from '../scripts/diff';
import { cdkJsonContext } from '../scripts/review-cli';

/**
 * The diff's verdict and exit status against what CloudFormation would do, on real before/after
 * pairs synthesised in-process (docs/review.md lists the codes).
 */
const fixture = (name: string) => path.join(__dirname, 'fixtures', 'review', name);

const cache = new Map<string, Synthesis>();
const synth = (source: ConfigSource): Synthesis => {
  const key = JSON.stringify(source);
  if (!cache.has(key)) {
    cache.set(key, synthesise(source, { context: cdkJsonContext() }));
  }
  return cache.get(key)!;
};
const hazardLines = (text: string, heading: RegExp) => {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => heading.test(l));
  if (start < 0) {
    return [];
  }
  const out: string[] = [];
  for (const l of lines.slice(start + 1)) {
    if (!l.startsWith('  - ')) {
      break;
    }
    out.push(l);
  }
  return out;
};
const refused = (text: string) => hazardLines(text, /^!!! CLOUDFORMATION WOULD REFUSE/);
const lost = (text: string) => hazardLines(text, /^!!! STATEFUL RESOURCES WOULD BE REPLACED/);

describe('verdicts on real pairs', () => {
  test('a site CIDR change: exports in use change (would fail) and the file system would be replaced through the import: exit 5', () => {
    const { text, status } = runDiff(['single-node', fixture('single-node-cidr.yaml')], synth);
    expect(status).toBe(EXIT_WOULD_FAIL | EXIT_LOSES_DATA_OR_CAPACITY);
    expect(refused(text)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/rainier-ohio-network \w+ \(Export\) WOULD FAIL: export rainier-ohio-network:\w*NetworkVpc\w+ would change its value \(NetworkVpc\w+ is replaced\) while rainier-ohio-storage imports it/),
        expect.stringMatching(/ClusterSecurityGroup.* while rainier-ohio-dev, rainier-ohio-storage import it/),
      ]),
    );
    expect(lost(text)).toEqual(
      expect.arrayContaining([expect.stringMatching(/rainier-ohio-storage \w+ \(AWS::FSx::FileSystem, .*\) WILL BE REPLACED .* because SubnetIds changed \(through the import of rainier-ohio-network:/)]),
    );
    expect(text).toMatch(/^Verdict: UNSAFE: WOULD FAIL: \d+ changes .*; LOSES DATA OR CAPACITY: \d+ .* \(exit 5\)\.$/m);
  });

  test('an AZ change replaces the Capacity Reservation (capacity released) and fails on the subnet exports: exit 5', () => {
    const { text, status } = runDiff(['single-node', fixture('single-node-az.yaml')], synth);
    expect(status).toBe(EXIT_WOULD_FAIL | EXIT_LOSES_DATA_OR_CAPACITY);
    expect(lost(text)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/rainier-ohio-dev \w+ \(AWS::EC2::CapacityReservation, .*\) WILL BE REPLACED .* because AvailabilityZone changed: reserved capacity released/),
      ]),
    );
    expect(refused(text)).toEqual(expect.arrayContaining([expect.stringMatching(/export rainier-ohio-network:\w*StorageSubnet\w+ would change its value/)]));
  });

  test('a compute shrink that shrinks the file system: the storage update would fail: exit 4', () => {
    const { text, status } = runDiff([fixture('ultraserver-x2.yaml'), 'ultraserver'], synth);
    expect(status).toBe(EXIT_WOULD_FAIL);
    expect(refused(text)).toEqual([expect.stringMatching(/rainier-ohio-storage \w+ \(AWS::FSx::FileSystem, .*\) WOULD FAIL: StorageCapacity would shrink from 14400 to 7200 GiB/)]);
    expect(text).toContain('!!! THE DEPLOYMENT WOULD FAIL (1) !!!');
    expect(text).toMatch(/^Verdict: UNSAFE: WOULD FAIL: 1 change CloudFormation or the service would refuse \(exit 4\)\.$/m);
  });

  test('a pinned file system lowered by hand (FSx down) would fail: exit 4', () => {
    const { text, status } = runDiff([fixture('ultraserver-fsx-9600.yaml'), fixture('ultraserver-fsx-7200.yaml')], synth);
    expect(status).toBe(EXIT_WOULD_FAIL);
    expect(refused(text)).toEqual([expect.stringMatching(/StorageCapacity would shrink from 9600 to 7200 GiB; FSx for Lustre can only grow/)]);
    expect(lost(text)).toEqual([]);
  });

  test('dropping a pool takes its reservation and node key with its stack, and the file system sized from it would shrink: exit 5', () => {
    const { text, status } = runDiff(['rainier-mini', fixture('rainier-mini-drop-dev.yaml')], synth);
    expect(status).toBe(EXIT_LOSES_DATA_OR_CAPACITY | EXIT_WOULD_FAIL);
    expect(lost(text)).toEqual([
      expect.stringMatching(/^ {2}- rainier-ohio-dev \w+ \(AWS::EC2::CapacityReservation, .*\) WILL BE DELETED because its stack leaves the app: reserved capacity released/),
      expect.stringMatching(/^ {2}- rainier-ohio-dev \w+ \(AWS::KMS::Key, .*\) WILL BE REMOVED from the stack .* because its stack leaves the app$/),
    ]);
    expect(refused(text)).toEqual([expect.stringMatching(/StorageCapacity would shrink from 16800 to 14400 GiB/)]);
  });

  test('renaming a pool is a drop plus an add: the old reservation goes: exit 1', () => {
    const { text, status } = runDiff(['single-node', fixture('single-node-rename.yaml')], synth);
    expect(status).toBe(EXIT_LOSES_DATA_OR_CAPACITY);
    expect(text).toMatch(/^Stack rainier-ohio-dev \(removed\)$/m);
    expect(text).toMatch(/^Stack rainier-ohio-devx \(added\)$/m);
    expect(lost(text)).toEqual(expect.arrayContaining([expect.stringMatching(/rainier-ohio-dev \w+ \(AWS::EC2::CapacityReservation/)]));
  });

  test('a scale-up that grows the file system only because compute grew is named as irreversible: exit 8', () => {
    const { text, status } = runDiff(['ultraserver', fixture('ultraserver-x2.yaml')], synth);
    expect(status).toBe(EXIT_IRREVERSIBLE);
    expect(text).toContain('FSx ohio would grow from 7200 to 14400 GiB because the plan sizes it (storage.storageCapacityGiB is not pinned), and can never shrink back. Pin storage.storageCapacityGiB: 7200 to keep it, or 14400 to grow it on purpose.');
  });

  test('the same scale-up with the file system pinned is safe: exit 0', () => {
    const { text, status } = runDiff(['ultraserver', fixture('ultraserver-x2-pinned.yaml')], synth);
    expect(status).toBe(EXIT_SAFE);
    expect(text.trimEnd().split('\n').pop()).toBe('Verdict: safe: no stateful resource is replaced or deleted, and nothing would fail (exit 0).');
  });
});

describe('cross-stack propagation on hand-made templates', () => {
  const stack = (id: string, template: Record<string, unknown>): SynthesisedStack => ({
    id,
    region: 'us-east-2',
    resources: Object.keys((template.Resources as object | undefined) ?? {}).length,
    templateBytes: 0,
    template,
    logicalIdPaths: {},
  });
  const network = (cidr: string) =>
    stack('net', {
      Resources: { Subnet: { Type: 'AWS::EC2::Subnet', Properties: { CidrBlock: cidr, VpcId: 'vpc-1' } } },
      Outputs: { SubnetOut: { Value: { Ref: 'Subnet' }, Export: { Name: 'net:Subnet' } } },
    });
  const storage = stack('store', {
    Resources: {
      Fs: { Type: 'AWS::FSx::FileSystem', Properties: { FileSystemType: 'LUSTRE', StorageCapacity: 2400, SubnetIds: [{ 'Fn::ImportValue': 'net:Subnet' }] } },
    },
  });

  test('a replaced resource behind an export in use: would fail, and the importer\'s file system is replaced through it', () => {
    const diffs = diffStacks([network('10.0.0.0/24'), storage], [network('10.0.1.0/24'), storage]);
    const net = diffs.find((d) => d.stack === 'net')!;
    const store = diffs.find((d) => d.stack === 'store')!;
    expect(store.status).toBe('unchanged'); // cdk diff alone sees nothing here
    expect(net.hazards).toEqual([
      expect.objectContaining({ kind: 'would-fail', logicalId: 'SubnetOut', type: 'Export', detail: expect.stringMatching(/^export net:Subnet would change its value \(Subnet is replaced\) while store imports it/) }),
    ]);
    expect(store.hazards).toEqual([
      expect.objectContaining({ kind: 'loses-data', logicalId: 'Fs', impact: ResourceImpact.WILL_REPLACE, replacedBy: ['SubnetIds'], via: ['net:Subnet'] }),
    ]);
  });

  test('an export removed while imported would fail; the same export with no importer is no hazard', () => {
    const bare = stack('net', { Resources: { Subnet: { Type: 'AWS::EC2::Subnet', Properties: { CidrBlock: '10.0.0.0/24', VpcId: 'vpc-1' } } } });
    const used = diffStacks([network('10.0.0.0/24'), storage], [bare, storage]).flatMap((d) => d.hazards);
    expect(used).toEqual([expect.objectContaining({ kind: 'would-fail', detail: expect.stringContaining('would be removed while store imports it') })]);
    expect(diffStacks([network('10.0.0.0/24')], [network('10.0.1.0/24')]).flatMap((d) => d.hazards)).toEqual([]);
  });

  test('a Capacity Reservation is stateful: replacing it loses capacity', () => {
    expect(STATEFUL_RESOURCE_TYPES).toContain('AWS::EC2::CapacityReservation');
    const cr = (az: string) => stack('c', { Resources: { Cr: { Type: 'AWS::EC2::CapacityReservation', Properties: { AvailabilityZone: az, InstanceCount: 1, InstanceType: 'trn2.48xlarge', InstancePlatform: 'Linux/UNIX' } } } });
    expect(diffStacks([cr('us-east-2a')], [cr('us-east-2b')])[0].hazards).toEqual([
      expect.objectContaining({ kind: 'loses-capacity', impact: ResourceImpact.WILL_REPLACE, replacedBy: ['AvailabilityZone'] }),
    ]);
  });
});
