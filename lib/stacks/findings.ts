import { Annotations, Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { Finding, RuleLevel } from '../plan/rules/rule';
import { ClusterPlan, StackPlan } from '../plan/types';
import { formatFinding } from '../review/findings';

/**
 * Renders the plan's RAIN findings as CDK annotations, so the CDK CLI shows them like any other
 * construct warning and `cdk synth --strict` fails on an unacknowledged warning
 * (https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.Annotations.html):
 * - an unacknowledged warning is a warning, with the rule code as its ID;
 * - an acknowledged warning (with its written reason) and an info are infos.
 * Each lands on the stack the finding's field belongs to: the pool's first compute stack, else the
 * site's first stack, else the cluster's first stack. Errors never reach a plan.
 */
export function annotateFindings(scope: Construct, plan: ClusterPlan): void {
  for (const finding of plan.findings) {
    const stack = stackOf(scope, plan, finding);
    if (stack === undefined) {
      continue;
    }
    const text = formatFinding(finding);
    if (finding.level === RuleLevel.WARNING && finding.acknowledgedBecause === undefined) {
      // The CLI's own hint names Annotations.acknowledgeWarning (code); this app's way is the configuration.
      const how = `; to accept it, add {rule: ${finding.code}, path: ${finding.path}, reason: "..."} to the configuration's acknowledgements.`;
      Annotations.of(stack).addWarningV2(finding.code, text + how);
    } else {
      Annotations.of(stack).addInfo(text);
    }
  }
}

/** The stack a finding's field (`sites.<site>.pools.<pool>...`, `sites.<site>...`, anything else) belongs to. */
function stackOf(scope: Construct, plan: ClusterPlan, finding: Finding): Stack | undefined {
  const [root, site, child, pool] = finding.path.split('.');
  const inSite = root === 'sites' ? plan.stacks.filter((s) => s.site === site) : [];
  const inPool = child === 'pools' ? inSite.filter((s) => s.pool === pool) : [];
  const chosen: StackPlan | undefined = inPool[0] ?? inSite[0] ?? plan.stacks[0];
  const found = chosen === undefined ? undefined : scope.node.tryFindChild(chosen.id);
  return found !== undefined && Stack.isStack(found) ? found : undefined;
}
