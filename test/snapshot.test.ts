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
