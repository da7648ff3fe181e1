import * as fs from 'fs';
import * as path from 'path';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { CFN_LIMITS } from '../plan/cloudformation-limits';

/** CloudFormation's per-stack quotas this report measures against (lib/plan/cloudformation-limits.ts). */
export const CFN_RESOURCE_LIMIT = CFN_LIMITS.resourcesPerStack;
export const CFN_TEMPLATE_BYTES_LIMIT = CFN_LIMITS.templateBytes;

/** What one synthesised stack weighs against CloudFormation's quotas. */
export interface StackStats {
  /** Stack name (also the construct ID in this app). */
  readonly id: string;
  readonly resources: number;
  /** Size of the template file CloudFormation receives, bytes. */
  readonly templateBytes: number;
}

/** One synthesised stack: its template and a logical-ID -> construct-path map for readable diffs. */
export interface SynthesisedStack extends StackStats {
  readonly region: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a CloudFormation template, as the diff library takes it
  readonly template: Record<string, any>;
  readonly logicalIdPaths: Readonly<Record<string, string>>;
}

/** Reads every stack of a cloud assembly (a `cdk.out` directory or the result of `app.synth()`). */
export function readAssembly(assembly: string | cxapi.CloudAssembly): SynthesisedStack[] {
  const asm = typeof assembly === 'string' ? new cxapi.CloudAssembly(assembly) : assembly;
  return asm.stacksRecursively
    .map((stack) => {
      const logicalIdPaths: Record<string, string> = {};
      for (const entry of stack.findMetadataByType('aws:cdk:logicalId')) {
        logicalIdPaths[String(entry.data)] = entry.path;
      }
      return {
        id: stack.stackName,
        region: stack.environment.region,
        resources: Object.keys(stack.template.Resources ?? {}).length,
        templateBytes: fs.statSync(path.join(stack.assembly.directory, stack.templateFile)).size,
        template: stack.template,
        logicalIdPaths,
      };
    })
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Resource counts and template sizes only. */
export function stackStats(assembly: string | cxapi.CloudAssembly): StackStats[] {
  return readAssembly(assembly).map(({ id, resources, templateBytes }) => ({ id, resources, templateBytes }));
}
