import { PresetName } from '../lib/config/presets';
import { cloudFormationValidateViolations, nagViolations } from './support/nag';
import { synthCluster } from './support/synth';

// rainier-scale is checked by the benchmark and the scale tests; synthesising it here would dominate the suite.
const PRESETS: PresetName[] = ['rainier-mini', 'ultraserver', 'single-node', 'trn1-small'];

// One synthesis per preset serves both packs (synthesis runs every validation plugin at once).
const apps = new Map<PresetName, ReturnType<typeof synthCluster>['app']>();
function synthesised(preset: PresetName) {
  if (!apps.has(preset)) {
    apps.set(preset, synthCluster({ preset }).app);
  }
  return apps.get(preset)!;
}

describe('cdk-nag AwsSolutions', () => {
  test.each(PRESETS)('%s has no unacknowledged finding', (preset) => {
    expect(nagViolations(synthesised(preset))).toEqual([]);
  });
});

// The CLI app leaves aws-cdk-lib's built-in CloudFormation validation off for speed (lib/context.ts);
// here it runs on every small preset, and any unacknowledged finding fails the suite.
describe('CloudFormation Validate (built-in)', () => {
  test.each(PRESETS)('%s has no unacknowledged finding', (preset) => {
    const app = synthesised(preset);
    app.synth(); // already done by the test above when it ran: synth() returns the same assembly
    expect(cloudFormationValidateViolations(app)).toEqual([]);
  });
});
