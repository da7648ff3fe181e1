import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { synthCluster } from './support/synth';

/** A config file: the ultraserver preset with a placement group forced onto its block (RAIN-W202). */
function forcedPlacementGroup(acknowledgement = ''): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rainier-findings-'));
  const file = path.join(dir, 'cluster.yaml');
  fs.writeFileSync(file, `preset: ultraserver\nsites:\n  ohio:\n    pools:\n      train:\n        placementGroup: true\n${acknowledgement}`);
  return file;
}

const REASON = 'Testing placement-group behaviour on a block, knowingly.';

function stacksOf(configPath: string | undefined) {
  const built = synthCluster(configPath === undefined ? {} : { configPath });
  return built.app.node.children.filter((c): c is Stack => Stack.isStack(c));
}

describe('RAIN findings are CDK annotations (so `cdk synth --strict` fails on an open warning)', () => {
  test('an unacknowledged warning is a warning on the pool stack, with the rule code as its ID', () => {
    const stacks = stacksOf(forcedPlacementGroup());
    const train = stacks.find((s) => s.node.id === 'rainier-ohio-train')!;
    Annotations.fromStack(train).hasWarning('*', Match.stringLikeRegexp('^Warning \\[RAIN-W202\\] sites\\.ohio\\.pools\\.train\\.placementGroup: got true.*\\[ack: RAIN-W202\\]$'));
    const elsewhere = stacks.filter((s) => s !== train).flatMap((s) => Annotations.fromStack(s).findWarning('*', Match.anyValue()));
    expect(elsewhere).toEqual([]);
  });

  test('an acknowledged warning is an info carrying its reason, and no warning', () => {
    const ack = `acknowledgements:\n  - rule: RAIN-W202\n    path: sites.ohio\n    reason: ${REASON}\n`;
    const stacks = stacksOf(forcedPlacementGroup(ack));
    const train = stacks.find((s) => s.node.id === 'rainier-ohio-train')!;
    Annotations.fromStack(train).hasInfo('*', Match.stringLikeRegexp(`^Acknowledged warning \\[RAIN-W202\\].*\\(reason: ${REASON}\\)$`));
    expect(stacks.flatMap((s) => Annotations.fromStack(s).findWarning('*', Match.anyValue()))).toEqual([]);
  });

  test('the default preset has no warning annotation in any stack', () => {
    const stacks = stacksOf(undefined);
    expect(stacks.length).toBeGreaterThan(0);
    expect(stacks.flatMap((s) => Annotations.fromStack(s).findWarning('*', Match.anyValue()))).toEqual([]);
  });
});
