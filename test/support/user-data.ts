import { gunzipSync } from 'zlib';

/**
 * Reads a launch template's user data as synthesised (lib/constructs/node-user-data.ts): the prelude
 * carries the boot script gzip+base64 with its deploy-time values lifted out as @@RAINIER_TOKEN_<n>@@,
 * and the values in order, one CloudFormation token each. Returns the boot script the node runs,
 * each value rendered by `valueOf` (default: its CloudFormation JSON).
 */
export function bootScriptOf(userDataProperty: unknown, valueOf: (token: unknown) => string = (t) => JSON.stringify(t)): string {
  const b64 = (userDataProperty as { 'Fn::Base64': unknown })['Fn::Base64'];
  const parts: unknown[] = typeof b64 === 'string' ? [b64] : (b64 as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
  const prelude = parts.map((p) => (typeof p === 'string' ? p : '')).join('');
  const blob = /<<'RAINIER_BOOT_BLOB'[^\n]*\n([\s\S]*?)\nRAINIER_BOOT_BLOB\n/.exec(prelude);
  if (blob === null) throw new Error(`not a rainier user data prelude:\n${prelude.slice(0, 400)}`);
  const values = parts.filter((p) => typeof p !== 'string').map(valueOf);
  return gunzipSync(Buffer.from(blob[1].replace(/\n/g, ''), 'base64'))
    .toString('utf8')
    .replace(/@@RAINIER_TOKEN_(\d+)@@/g, (_, i: string) => values[Number(i)]);
}

/** The user data prelude with each token's value rendered by `valueOf`: the text EC2 hands the node. */
export function userDataText(userDataProperty: unknown, valueOf: (token: unknown) => string): string {
  const b64 = (userDataProperty as { 'Fn::Base64': unknown })['Fn::Base64'];
  const parts: unknown[] = typeof b64 === 'string' ? [b64] : (b64 as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
  return parts.map((p) => (typeof p === 'string' ? p : valueOf(p))).join('');
}
