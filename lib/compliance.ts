import * as fs from 'fs';
import { App, IPolicyValidationPlugin, Stack, Stage, Validations } from 'aws-cdk-lib';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { NIST80053R5Checks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { CONTROL_TOWER_PLUGIN } from './constructs/nag';
import { PERIMETER_PACK, RainierPerimeterChecks } from './perimeter/pack';

/**
 * The compliance packs. `cdk synth` runs AwsSolutions (attached by buildClusterApp); `npm run check`
 * and test/compliance.test.ts add the other two, which are not run on every synth:
 * NIST is a second walk of every construct, and cfn-guard a subprocess over every template
 * (together about a third more synthesis time on the small presets).
 */
export enum CompliancePack {
  AWS_SOLUTIONS = 'AwsSolutions',
  NIST_800_53_R5 = 'NIST.800.53.R5',
  /** AWS Control Tower proactive controls, run by cfn-guard. */
  CONTROL_TOWER = 'ControlTower',
  /** This project's data-perimeter rules (lib/perimeter), a cdk-nag pack. */
  PERIMETER = 'RainierPerimeter',
}

export const COMPLIANCE_PACKS: readonly CompliancePack[] = [
  CompliancePack.AWS_SOLUTIONS,
  CompliancePack.NIST_800_53_R5,
  CompliancePack.CONTROL_TOWER,
  CompliancePack.PERIMETER,
];

/** The packs buildClusterApp does not attach. */
export const EXTRA_PACKS: readonly CompliancePack[] = [CompliancePack.NIST_800_53_R5, CompliancePack.CONTROL_TOWER, CompliancePack.PERIMETER];

/**
 * cfn-guard's stdout (JSON for every template and rule) outgrows Node's default 1 MB buffer on
 * large presets.
 */
const CFN_GUARD_MAX_BUFFER_BYTES = 512 * 1024 * 1024;

/** Attaches packs to the app (AwsSolutions is already attached by buildClusterApp). */
export function addCompliancePacks(app: App, packs: readonly CompliancePack[] = EXTRA_PACKS): void {
  const plugins: IPolicyValidationPlugin[] = packs.map((pack) => {
    switch (pack) {
      case CompliancePack.AWS_SOLUTIONS:
        throw new Error('AwsSolutions is attached by buildClusterApp');
      case CompliancePack.NIST_800_53_R5:
        return new NIST80053R5Checks(app);
      case CompliancePack.CONTROL_TOWER:
        return new CfnGuardValidator({ maxBuffer: CFN_GUARD_MAX_BUFFER_BYTES });
      case CompliancePack.PERIMETER:
        return new RainierPerimeterChecks(app);
    }
  });
  Validations.of(app).addPlugins(...plugins);
}

/** The packs by the name their validation plugin reports under. */
const PLUGIN_PACKS: Readonly<Record<string, CompliancePack>> = {
  AwsSolutions: CompliancePack.AWS_SOLUTIONS,
  'NIST.800.53.R5': CompliancePack.NIST_800_53_R5,
  [CONTROL_TOWER_PLUGIN]: CompliancePack.CONTROL_TOWER,
  [PERIMETER_PACK]: CompliancePack.PERIMETER,
};

/**
 * Splits `namespace::rule[finding]` (the namespace is optional; a finding may itself hold `::`,
 * as in `AwsSolutions-IAM5[Resource::*]`).
 */
function splitRuleId(ruleId: string): { namespace?: string; rule: string } {
  const separator = ruleId.indexOf('::');
  const bracket = ruleId.indexOf('[');
  if (separator === -1 || (bracket !== -1 && bracket < separator)) {
    return { rule: ruleId };
  }
  return { namespace: ruleId.slice(0, separator), rule: ruleId.slice(separator + 2) };
}

/**
 * The pack a validation rule ID (a finding's or an acknowledgement's) belongs to; undefined for
 * anything else, e.g. the acknowledgements aws-cdk-lib itself makes for its built-in CloudFormation
 * validation (`CloudFormation-Validate::...`).
 */
export function packOf(ruleId: string): CompliancePack | undefined {
  const { namespace, rule } = splitRuleId(ruleId);
  if (namespace === CONTROL_TOWER_PLUGIN) {
    return CompliancePack.CONTROL_TOWER;
  }
  if (namespace !== undefined && namespace.toLowerCase() !== 'annotation' && !Object.keys(PLUGIN_PACKS).includes(namespace)) {
    return undefined;
  }
  if (rule.startsWith('AwsSolutions-')) {
    return CompliancePack.AWS_SOLUTIONS;
  }
  if (rule.startsWith('NIST.800.53.R5-')) {
    return CompliancePack.NIST_800_53_R5;
  }
  if (rule.startsWith(`${PERIMETER_PACK}-`)) {
    return CompliancePack.PERIMETER;
  }
  return undefined;
}

export interface Finding {
  readonly pack: CompliancePack | string;
  readonly rule: string;
  readonly path: string;
  readonly description: string;
}

export interface Acknowledgement {
  readonly pack: CompliancePack | undefined;
  /** The rule ID as acknowledged (without CDK's `Annotation::` prefix). */
  readonly rule: string;
  /** Construct path of the construct the acknowledgement sits on. */
  readonly path: string;
  readonly reason: string;
  /** What kind of node carries it: a Stack or Stage (App) would make it stack- or app-wide. */
  readonly scope: 'app' | 'stack' | 'construct';
}

interface ValidationReport {
  readonly pluginReports: readonly {
    readonly pluginName: string;
    readonly violations: readonly {
      readonly ruleName: string;
      readonly description: string;
      readonly violatingConstructs: readonly { readonly constructPath: string }[];
    }[];
  }[];
}

/**
 * Synthesises the app, running every attached pack, and returns each unacknowledged finding.
 * The packs report through CDK's policy-validation report: synthesis throws "Validation failed"
 * and names the report file, which is read here.
 */
export function complianceFindings(app: App): Finding[] {
  try {
    app.synth();
    return [];
  } catch (e) {
    const match = /found in: (\S+validation-report\.json)/.exec((e as Error).message);
    if (match === null) {
      throw e;
    }
    const report = JSON.parse(fs.readFileSync(match[1], 'utf8')) as ValidationReport;
    return report.pluginReports.flatMap((p) =>
      p.violations.flatMap((v) =>
        v.violatingConstructs.map((c) => ({
          pack: PLUGIN_PACKS[p.pluginName] ?? p.pluginName,
          rule: v.ruleName,
          path: c.constructPath,
          description: v.description,
        })),
      ),
    );
  }
}

/** Every acknowledgement in the construct tree, read from the metadata `Validations.acknowledge` writes. */
export function acknowledgements(root: IConstruct): Acknowledgement[] {
  const found: Acknowledgement[] = [];
  for (const construct of root.node.findAll()) {
    for (const entry of construct.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY || entry.data === undefined) {
        continue;
      }
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
        const rule = id.replace(/^annotation::/i, '');
        found.push({
          pack: packOf(rule),
          rule,
          path: construct.node.path,
          reason,
          scope: Stage.isStage(construct) ? 'app' : Stack.isStack(construct) ? 'stack' : 'construct',
        });
      }
    }
  }
  return found;
}

/** A rule ID without namespace or finding detail: `AwsSolutions-IAM5[Resource::*]` -> `AwsSolutions-IAM5`. */
export function ruleName(ruleId: string): string {
  const { rule } = splitRuleId(ruleId);
  const bracket = rule.indexOf('[');
  return bracket === -1 ? rule : rule.slice(0, bracket);
}
