import { bootScriptOf } from './support/user-data';
import { synthCluster } from './support/synth';

/**
 * One snapshot per stack of the default preset. A pull request that changes the architecture
 * changes these files, so reviewers see the CloudFormation diff next to the code diff.
 * Asset hashes are normalised by test/support/asset-hash-serializer.ts.
 */
describe('default preset snapshots', () => {
  const built = synthCluster();
  test.each(built.stackIds())('%s', (id) => {
    expect(built.template(id).toJSON()).toMatchSnapshot();
  });

  // orchestrator: none is the default: nothing of the scheduler layer may leak into its templates
  // (a snapshot update would hide it among thousands of lines).
  test('renders no part of the scheduler: no EKS or pull-through cache resource, no eks-auth endpoint, no node join', () => {
    expect(built.stackIds().filter((id) => id.endsWith('-orchestrator'))).toEqual([]);
    const text = built.stackIds().map((id) => JSON.stringify(built.template(id).toJSON())).join('\n');
    expect(text).not.toMatch(/AWS::EKS::|AWS::ECR::PullThroughCacheRule|\.eks-auth"|eks-auth:|ecr-public/);
    for (const id of built.stackIds()) {
      for (const lt of Object.values(built.template(id).findResources('AWS::EC2::LaunchTemplate')) as any[]) {
        expect(bootScriptOf(lt.Properties.LaunchTemplateData.UserData)).not.toMatch(/nodeadm|RAINIER_STEP=node-join/);
      }
    }
  });
});

/**
 * The scheduler layer's preset (rainier-mini with `orchestrator: eks`): the orchestrator stack and
 * what the EKS cluster adds to the network and compute stacks show in a pull request's diff too.
 */
describe('rainier-mini-eks preset snapshots', () => {
  const built = synthCluster({ preset: 'rainier-mini-eks' });
  test.each(built.stackIds())('%s', (id) => {
    expect(built.template(id).toJSON()).toMatchSnapshot();
  });
});
