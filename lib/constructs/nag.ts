import { Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * The one place findings of the compliance packs are acknowledged. Each acknowledgement names a
 * single rule (with its finding where the rule has several) on a single construct, with a reason.
 */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}
