import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ClusterApp, buildClusterApp } from '../../lib/app';
import { ConfigSource } from '../../lib/config/load';

/** The feature flags and context of cdk.json, so tests build the app exactly as `cdk synth` does. */
export const CDK_JSON_CONTEXT: Record<string, unknown> = JSON.parse(
  fs.readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8'),
).context;

export interface Synthesised extends ClusterApp {
  readonly app: App;
  /** Template of the stack with this ID (stack names are `<cluster>-<site>-<role>`). */
  template(stackId: string): Template;
  stackIds(): string[];
}

/**
 * Builds the cluster app for a config source, exactly as `bin/rainier.ts` does.
 * cdk-nag runs at `app.synth()` (test/compliance.test.ts calls it); templates are read with
 * `Template.fromStack`, which does not need the full synthesis.
 */
export function synthCluster(source: ConfigSource = {}, options: { cloudFormationValidation?: boolean } = {}): Synthesised {
  // As bin/rainier.ts: aws-cdk-lib's built-in CloudFormation validation is off unless asked for
  // (lib/context.ts); test/compliance.test.ts turns it on.
  const app = new App({ context: CDK_JSON_CONTEXT, builtinCloudFormationValidation: options.cloudFormationValidation ?? false });
  const built = buildClusterApp(app, source);
  const stacks = () => app.node.children.filter((c): c is Stack => Stack.isStack(c));
  return {
    ...built,
    app,
    template: (id: string) => {
      const stack = stacks().find((s) => s.node.id === id);
      if (stack === undefined) {
        throw new Error(`no stack ${id}; stacks: ${stacks().map((s) => s.node.id).join(', ')}`);
      }
      return Template.fromStack(stack);
    },
    stackIds: () => stacks().map((s) => s.node.id),
  };
}
