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
