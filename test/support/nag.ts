import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';

export interface NagViolation {
  readonly rule: string;
  readonly path: string;
  readonly description: string;
}

/**
 * Synthesises the app (running its validation plugins, cdk-nag among them) and returns every
 * unacknowledged finding. cdk-nag 3 reports through CDK's policy-validation report: synthesis
 * throws "Validation failed" and the report lists the violations.
 */
export function nagViolations(app: App): NagViolation[] {
  try {
    app.synth();
    return [];
  } catch (e) {
    const message = (e as Error).message;
    const match = /found in: (\S+validation-report\.json)/.exec(message);
    if (match === null) {
      throw e;
    }
    const report = JSON.parse(fs.readFileSync(match[1], 'utf8')) as {
      pluginReports: { violations: { ruleName: string; description: string; violatingConstructs: { constructPath: string }[] }[] }[];
    };
    return report.pluginReports.flatMap((p) =>
      p.violations.flatMap((v) => v.violatingConstructs.map((c) => ({ rule: v.ruleName, path: c.constructPath, description: v.description }))),
    );
  }
}

/**
 * Unacknowledged findings of aws-cdk-lib's built-in CloudFormation validation in an app that has
 * been synthesised with it on (`new App()` has it on; the CLI app turns it off, see lib/context.ts).
 * Its errors are downgraded to warnings, so synthesis never fails on them: the report is read instead.
 */
export function cloudFormationValidateViolations(app: App): NagViolation[] {
  const file = path.join(app.outdir, 'validation-report.json');
  if (!fs.existsSync(file)) {
    return [];
  }
  const report = JSON.parse(fs.readFileSync(file, 'utf8')) as {
    pluginReports: { pluginName: string; violations: { ruleName: string; description: string; violatingConstructs: { constructPath: string }[] }[] }[];
  };
  return report.pluginReports
    .filter((p) => p.pluginName === 'CloudFormation Validate')
    .flatMap((p) => p.violations.flatMap((v) => v.violatingConstructs.map((c) => ({ rule: v.ruleName, path: c.constructPath, description: v.description }))));
}
