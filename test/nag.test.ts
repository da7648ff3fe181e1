import { PresetName } from '../lib/config/presets';
import { nagViolations } from './support/nag';
import { synthCluster } from './support/synth';

// rainier-scale is checked by the benchmark and the scale tests; synthesising it here would dominate the suite.
const PRESETS: PresetName[] = ['rainier-mini', 'ultraserver', 'single-node', 'trn1-small'];

describe('cdk-nag AwsSolutions', () => {
  test.each(PRESETS)('%s has no unacknowledged finding', (preset) => {
    const { app } = synthCluster({ preset });
    expect(nagViolations(app)).toEqual([]);
  });
});
