import { Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** Plugin name of the Control Tower proactive controls (`@cdklabs/cdk-validator-cfnguard`). */
export const CONTROL_TOWER_PLUGIN = 'cdk-validator-cfnguard';

/**
 * The acknowledgement ID of a Control Tower proactive control, by its cfn-guard rule name
 * (e.g. `autoscaling_multiple_az_check` for CT.AUTOSCALING.PR.1). CDK matches these against the
 * plugin's report by `<plugin>::<rule>`; cdk-nag's own packs are acknowledged by their bare IDs
 * (`AwsSolutions-IAM5[...]`, `NIST.800.53.R5-...`).
 */
export function controlTowerRule(rule: string): string {
  return `${CONTROL_TOWER_PLUGIN}::${rule}`;
}

export interface AcknowledgeOptions {
  /**
   * Record where the acknowledgement was made (a stack trace in the construct metadata, shown by the
   * validation report). Off only for constructs repeated thousands of times (node groups at
   * rainier-scale), where capturing a trace per call costs seconds of synthesis.
   * @default true
   */
  readonly recordStackTrace?: boolean;
}

/**
 * The one place findings of the compliance packs are acknowledged. Each acknowledgement names a
 * single rule (with its finding where the rule has several) on a single construct, with a reason.
 * test/compliance.test.ts checks that none sits on an App or a Stack and that every reason says why.
 */
export function acknowledge(scope: IConstruct, id: string, reason: string, options: AcknowledgeOptions = {}): void {
  if (options.recordStackTrace ?? true) {
    Validations.of(scope).acknowledge({ id, reason });
    return;
  }
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    Validations.of(scope).acknowledge({ id, reason });
  } finally {
    Error.stackTraceLimit = limit;
  }
}
