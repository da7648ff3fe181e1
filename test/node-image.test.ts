import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Match } from 'aws-cdk-lib/assertions';
import { ConfigError } from '../lib/config/errors';
import { resolveConfig } from '../lib/config/load';
import { planCluster } from '../lib/plan/build';
import { planNodeImage } from '../lib/plan/compute';
import { diffTopology, renderTopologyDiff } from '../lib/review/topology-diff';
import { synthCluster } from './support/synth';

const AMI = 'ami-0123456789abcdef0';
const PARAMETER = '/aws/service/neuron/dlami/base/ubuntu-24.04/latest/image_id';

describe('pinned images', () => {
  test('unset: a required NodeImageId deploy-time parameter, pinned by the deployer, no RAIN-W702', () => {
    const plan = planCluster(resolveConfig('single-node'));
    const image = planNodeImage(plan.config.compute, 'us-east-2');
    expect(image).toMatchObject({ kind: 'deploy-parameter', pinned: true, parameter: { name: 'NodeImageId', type: 'AWS::EC2::Image::Id', latestParameter: PARAMETER } });
    expect(plan.findings.some((f) => f.code === 'RAIN-W702')).toBe(false);
  });

  test('the NodeImageId description gives the exact command that reads the current DLAMI in its Region', () => {
    const image = planNodeImage(resolveConfig('single-node', { compute: { dlami: 'base/amazon-linux-2023' } }).compute, 'us-west-2');
    expect(image.kind === 'deploy-parameter' && image.parameter.description).toContain(
      'aws ssm get-parameter --region us-west-2 --name /aws/service/neuron/dlami/base/amazon-linux-2023/latest/image_id --query Parameter.Value --output text',
    );
  });

  test('latest: the DLAMI family latest parameter, opted into, reported by RAIN-W702', () => {
    const plan = planCluster(resolveConfig('single-node', { compute: { image: 'latest' } }));
    expect(planNodeImage(plan.config.compute, 'us-east-2')).toEqual({ kind: 'latest-parameter', parameter: PARAMETER, pinned: false });
    expect(plan.findings.find((f) => f.code === 'RAIN-W702')).toMatchObject({ path: 'compute.image', level: 'warning', given: expect.stringMatching(/^latest \(nodes boot /) });
  });

  test('latest can be acknowledged, with a reason', () => {
    const reason = 'A throw-away test cluster that should follow each DLAMI release.';
    const plan = planCluster(resolveConfig('single-node', { compute: { image: 'latest' }, acknowledgements: [{ rule: 'RAIN-W702', path: 'compute', reason }] }));
    expect(plan.findings.find((f) => f.code === 'RAIN-W702')!.acknowledgedBecause).toBe(reason);
  });

  test('fails on an image string other than latest, naming the field', () => {
    expect(() => resolveConfig('single-node', { compute: { image: 'newest' } })).toThrow(/compute\.image/);
  });

  test.each([
    [{ amiIds: { 'us-east-2': AMI } }, { kind: 'ami', amiId: AMI, pinned: true }],
    [{ ssmParameter: PARAMETER, versions: { 'us-east-2': 42 } }, { kind: 'parameter-version', parameter: PARAMETER, version: 42, pinned: true }],
  ])('pinned %j: no RAIN-W702', (image, expected) => {
    const plan = planCluster(resolveConfig('single-node', { compute: { image } }));
    expect(planNodeImage(plan.config.compute, 'us-east-2')).toEqual(expected);
    expect(plan.findings.some((f) => f.code === 'RAIN-W702')).toBe(false);
  });

  test('fails when a Region of the sites has no image (RAIN-E703), naming the field and the Regions', () => {
    try {
      planCluster(resolveConfig('single-node', { compute: { image: { amiIds: { 'us-west-2': AMI } } } }));
    } catch (e) {
      expect((e as ConfigError).problems[0]).toMatchObject({ code: 'RAIN-E703', path: 'compute.image.amiIds', given: 'no entry for us-east-2 (entries: us-west-2)' });
      return;
    }
    throw new Error('expected a ConfigError');
  });

  test.each([
    [{ amiIds: { 'us-east-2': 'ami-xyz' } }, 'an AMI ID such as "ami-0123456789abcdef0"'],
    [{ ssmParameter: 'no-slash', versions: { 'us-east-2': 1 } }, 'an SSM parameter name starting with "/"'],
    [{ ssmParameter: PARAMETER, versions: { 'us-east-2': 0 } }, 'compute.image.versions.us-east-2: got 0; expected at least 1'],
  ])('fails on a malformed image %j', (image, message) => {
    expect(() => resolveConfig('single-node', { compute: { image } })).toThrow(new RegExp(message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  });

  describe('the launch template boots exactly the pinned image', () => {
    const write = (body: object) => {
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rainier-image-')), 'config.json');
      fs.writeFileSync(file, JSON.stringify({ preset: 'single-node', ...body }));
      return file;
    };
    test.each([
      [{ amiIds: { 'us-east-2': AMI } }, AMI],
      [{ ssmParameter: PARAMETER, versions: { 'us-east-2': 42 } }, `resolve:ssm:${PARAMETER}:42`],
    ])('%j', (image, imageId) => {
      const s = synthCluster({ configPath: write({ compute: { image } }) });
      const id = s.stackIds().find((x) => x.endsWith('-dev'))!;
      s.template(id).hasResourceProperties('AWS::EC2::LaunchTemplate', { LaunchTemplateData: Match.objectLike({ ImageId: imageId }) });
      expect(s.template(id).toJSON().Parameters?.NodeImageId).toBeUndefined();
    });

    test('latest: the SSM parameter type with the family path as its default, and no NodeImageId', () => {
      const s = synthCluster({ configPath: write({ compute: { image: 'latest' } }) });
      const t = s.template(s.stackIds().find((x) => x.endsWith('-dev'))!);
      const parameters = t.findParameters('*', { Default: PARAMETER });
      const [name] = Object.keys(parameters);
      expect(parameters[name].Type).toBe('AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>');
      t.hasResourceProperties('AWS::EC2::LaunchTemplate', { LaunchTemplateData: Match.objectLike({ ImageId: { Ref: name } }) });
      expect(t.toJSON().Parameters.NodeImageId).toBeUndefined();
    });
  });

  test('a change of image is a named change in the topology diff', () => {
    const before = planCluster(resolveConfig('single-node', { compute: { image: 'latest' } }));
    const after = planCluster(resolveConfig('single-node', { compute: { image: { amiIds: { 'us-east-2': AMI } } } }));
    const d = diffTopology(before, after, 'before', 'after');
    expect(d.images).toEqual([{ region: 'us-east-2', before: `${PARAMETER} (unpinned: resolved at each deployment)`, after: AMI }]);
    expect(d.summary).toContain('node image changes in us-east-2');
    expect(renderTopologyDiff(d)).toContain(`  ~ us-east-2: ${PARAMETER} (unpinned: resolved at each deployment) → ${AMI}`);
    const again = diffTopology(after, after, 'a', 'b');
    expect(again.images).toEqual([]);
  });

  test('the topology diff sees config-pinned images only: a NodeImageId value is invisible to it', () => {
    const parameter = planCluster(resolveConfig('single-node'));
    expect(diffTopology(parameter, parameter, 'a', 'b').images).toEqual([]);
    const pinned = planCluster(resolveConfig('single-node', { compute: { image: { amiIds: { 'us-east-2': AMI } } } }));
    expect(diffTopology(parameter, pinned, 'a', 'b').images).toEqual([
      { region: 'us-east-2', before: 'deploy-time parameter NodeImageId (pinned by the deployer; not visible here)', after: AMI },
    ]);
  });
});
