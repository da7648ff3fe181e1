import * as fs from 'fs';
import * as path from 'path';
import { App, AppProps, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ClusterApp, buildClusterApp } from '../../lib/app';
import { APP_CONTEXT } from '../../lib/context';
import { ConfigSource } from '../../lib/config/load';

/** The feature flags and context of cdk.json and the app's own, so tests build the app exactly as `cdk synth` does. */
export const CDK_JSON_CONTEXT: Record<string, unknown> = {
  ...APP_CONTEXT,
  ...JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8')).context,
};

/**
 * An App as the CLI app builds one: cdk.json's feature flags, and aws-cdk-lib's built-in
 * CloudFormation validation off (lib/context.ts). That validation starts a WebAssembly engine on
 * every synthesis, `Template.fromStack` included (about 2 s each); test/compliance.test.ts runs it.
 */
export function testApp(props: AppProps = {}): App {
  return new App({ builtinCloudFormationValidation: false, ...props, context: { ...CDK_JSON_CONTEXT, ...props.context } });
}

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
  const app = testApp({ builtinCloudFormationValidation: options.cloudFormationValidation ?? false });
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
