import { IResolvable, Token, Tokenization } from 'aws-cdk-lib';
import { gzipSync } from 'fflate';
import { ConfigError } from '../config/errors';

/**
 * The launch template's user data: a small bash prelude that carries the whole boot script
 * (lib/constructs/node-bootstrap.ts `renderBootstrap`) gzip-compressed and base64-encoded, writes it
 * to {@link BOOT_SCRIPT_FILE} and runs it with `exec`.
 *
 * Why: "User data is limited to 16 KB, in raw form, before it is base64-encoded"
 * (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-add-user-data.html; the EC2 API's
 * RequestLaunchTemplateData.UserData: "User data is limited to 16 KB",
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_RequestLaunchTemplateData.html), and the boot script alone is
 * over 20 KB for every preset. CreateLaunchTemplate would refuse it and no node could launch.
 *
 * Deploy-time values (file-system DNS and mount names, the EKS endpoint and CA, parameters) are CDK
 * tokens that only CloudFormation resolves, so they cannot be compressed at synthesis. Each distinct
 * token is lifted out of the script, replaced in the compressed body by a sentinel
 * `@@RAINIER_TOKEN_<n>@@`, and carried in the prelude in a quoted here-document, which CloudFormation
 * fills in (Fn::Base64 of Fn::Join, as before). At boot the prelude puts each value back, literally
 * (a quoted `${script//"pattern"/"value"}`: no glob, and no bash 5.2 `patsub_replacement` `&`
 * expansion in a quoted replacement), so the script that runs is byte for byte the script
 * `renderBootstrap` produced, with its tokens resolved.
 *
 * Deterministic: the same script gives the same bytes. The gzip body comes from fflate (a pure
 * JavaScript deflate pinned in the lock), at level 9, with mtime 0, no file name and OS byte 3, not
 * from Node's zlib, whose output depends on the zlib build Node bundles (Chromium's fork; its hash
 * "will differ from canonical zlib output", nodejs/node deps/zlib/contrib/optimizations/insert_string.h)
 * and would change every launch template, and roll every node, with a Node upgrade.
 *
 * Failure in the prelude itself (a corrupt or truncated blob: base64 or gzip's CRC/length check
 * fails; a value left unfilled; a full disk) exits non-zero BEFORE the boot script's EXIT trap and
 * lifecycle helper exist, so it cannot ABANDON at once: the node never completes its launch lifecycle
 * action and the hook's default result, ABANDON (lib/plan/health.ts), applies at its heartbeat
 * timeout. The node never goes into service either way.
 */

/** Where the prelude writes the real boot script before running it (readable on the node). */
export const BOOT_SCRIPT_FILE = '/var/lib/rainier/boot.sh';

/** EC2's limit on raw (decoded) user data, in bytes: 16 KB (see above). */
export const USER_DATA_LIMIT_BYTES = 16 * 1024;

/**
 * ASSUMPTIONS (labelled; a caller can give others): the longest value CloudFormation substitutes for
 * one token of the boot script, in bytes, for the size check at synthesis. The tokens are IDs and
 * names (file system ID, Lustre mount name, the EKS cluster name: "can't be longer than 100
 * characters", https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateCluster.html),
 * `AWS::URLSuffix`, the EKS endpoint URL and the service CIDR: 128 bytes each. The EKS cluster's
 * certificate authority (`certificateAuthority.data`, a base64-encoded certificate) has no documented
 * maximum length: 3 KB is assumed. A value longer than its budget could take a template that passes
 * this check over EC2's limit.
 */
export const TOKEN_VALUE_BUDGET_BYTES = 128;
export const LARGE_TOKEN_VALUE_BUDGET_BYTES = 3072;

const SENTINEL = (i: number) => `@@RAINIER_TOKEN_${i}@@`;
const BLOB_MARKER = 'RAINIER_BOOT_BLOB';
const VALUE_MARKER = 'RAINIER_TOKEN_VALUE';
/** base64 line length, as `base64` wraps by default: readable in the console, ~1.3 % larger. */
const LINE = 76;
/** Where a token's value goes in the prelude, until the tokens are put in. */
const VALUE_SLOT = '\u0000value\u0000';

/** The packed user data and what it is made of. */
export interface PackedUserData {
  /** The user data (the prelude), with the tokens' values still tokens. */
  readonly userData: string;
  /** Bytes of the prelude without its token values (what synthesis knows). */
  readonly literalBytes: number;
  /** Distinct tokens, in the order of their sentinels. */
  readonly tokens: number;
  /** The raw size EC2 sees when every token's value takes its whole budget. */
  readonly boundBytes: number;
  /** The boot script before compression (tokens replaced by sentinels), and its size. */
  readonly scriptBytes: number;
  readonly blobBytes: number;
}

export interface PackOptions {
  /** The pool's configuration path, named in the error when its user data could be over the limit, e.g. `sites.ohio.pools.train`. */
  readonly pool: string;
  /** Deploy-time values (tokenized strings) that may be longer than TOKEN_VALUE_BUDGET_BYTES, and their budget. */
  readonly largeValues?: readonly { readonly value: string; readonly budgetBytes: number }[];
  /** @default USER_DATA_LIMIT_BYTES */
  readonly limitBytes?: number;
}

/** Replaces every token of `script` by a sentinel, returning the tokens in order. */
function liftTokens(script: string): { body: string; tokens: IResolvable[] } {
  const tokens: IResolvable[] = [];
  const index = new Map<IResolvable, number>();
  const body: string = Tokenization.reverseString(script)
    .mapTokens({
      mapToken: (t: IResolvable) => {
        if (!index.has(t)) {
          index.set(t, tokens.length);
          tokens.push(t);
        }
        return SENTINEL(index.get(t)!);
      },
    })
    .join({ join: (left: any, right: any) => `${left}${right}` });
  return { body: body ?? '', tokens };
}

/** The gzip body of `text`: level 9, mtime 0, no name; the same input always gives the same bytes. */
export function gzipDeterministic(text: string): Buffer {
  return Buffer.from(gzipSync(Buffer.from(text, 'utf8'), { level: 9, mtime: 0 }));
}

/**
 * Packs a boot script into the user data prelude. Throws a ConfigError (the command line prints it
 * without a stack trace, before any template is written), naming the pool and the size, when the
 * user data could be over EC2's limit with the tokens' values at their budgets. No configuration
 * reaches it today (the largest tested, test/fixtures/user-data/longest-names.yaml, stays under it
 * with the margin test/node-user-data.test.ts keeps); a boot section that grows could.
 */
export function packBootScript(script: string, opts: PackOptions): PackedUserData {
  if (script.includes('@@RAINIER_TOKEN_')) {
    throw new Error(`the boot script of pool ${opts.pool} already contains the sentinel "@@RAINIER_TOKEN_", which the user data prelude reserves`);
  }
  const { body, tokens } = liftTokens(script);
  if (Token.isUnresolved(body)) throw new Error(`the boot script of pool ${opts.pool} still holds a token after lifting them out`);
  const blob = gzipDeterministic(body).toString('base64');
  const lines = blob.match(new RegExp(`.{1,${LINE}}`, 'g')) ?? [];
  const prelude = [
    '#!/bin/bash',
    '# rainier-cdk: EC2 takes at most 16 KB of raw user data, so the boot script travels below gzip-compressed',
    '# and base64-encoded, its deploy-time values lifted out as @@RAINIER_TOKEN_<n>@@ and filled in here.',
    `# The script that runs is written to ${BOOT_SCRIPT_FILE} first (read it there), then run with exec.`,
    '# A failure here (e.g. a corrupt blob) exits non-zero before the script\'s EXIT trap exists: the node',
    '# never completes its launch lifecycle action, and the hook\'s default result, ABANDON, applies at its timeout.',
    'set -euo pipefail',
    `boot="\${RAINIER_ROOT:-}${BOOT_SCRIPT_FILE}"`,
    'install -d -m 0755 "${boot%/*}"',
    `base64 -d <<'${BLOB_MARKER}' | gzip -dc > "$boot.new"`,
    ...lines,
    BLOB_MARKER,
  ];
  if (tokens.length > 0) {
    prelude.push('value=()');
    tokens.forEach((_, i) => prelude.push(`value[${i}]=$(cat <<'${VALUE_MARKER}'`, VALUE_SLOT, VALUE_MARKER, ')'));
    prelude.push(
      'script=',
      'IFS= read -r -d \'\' script < "$boot.new" || true',
      // Quoted pattern and replacement: literal, whatever the value holds (no glob, no `&`).
      'for i in "${!value[@]}"; do script=${script//"@@RAINIER_TOKEN_${i}@@"/"${value[i]}"}; done',
      'case $script in *@@RAINIER_TOKEN_*) echo "rainier-bootstrap: a deploy-time value was not filled in" >&2; exit 1 ;; esac',
      'printf \'%s\' "$script" > "$boot.new"',
    );
  }
  prelude.push('chmod 0700 "$boot.new"', 'mv -f "$boot.new" "$boot"', 'exec bash "$boot"');
  // The value lines hold a slot until here, so that `literalBytes` counts the prelude without values.
  const parts = `${prelude.join('\n')}\n`.split(VALUE_SLOT);
  const literalBytes = Buffer.byteLength(parts.join(''), 'utf8');
  const userData = parts.slice(1).reduce((acc, part, i) => `${acc}${Token.asString(tokens[i])}${part}`, parts[0]);
  const budgets = new Map<IResolvable, number>();
  for (const large of opts.largeValues ?? []) {
    for (const t of Tokenization.reverseString(large.value).tokens) budgets.set(t, large.budgetBytes);
  }
  const valueBytes = tokens.reduce((sum, t) => sum + (budgets.get(t) ?? TOKEN_VALUE_BUDGET_BYTES), 0);
  const limit = opts.limitBytes ?? USER_DATA_LIMIT_BYTES;
  const boundBytes = literalBytes + valueBytes;
  if (boundBytes > limit) {
    throw ConfigError.single(
      opts.pool,
      `node user data of up to ${boundBytes} bytes (${literalBytes} bytes of prelude and compressed boot script + up to ${valueBytes} bytes of ${tokens.length} deploy-time value(s))`,
      `at most ${limit} bytes of raw user data, EC2's limit (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-add-user-data.html): this pool's boot script sections must shrink`,
    );
  }
  return { userData, literalBytes, tokens: tokens.length, boundBytes, scriptBytes: Buffer.byteLength(body, 'utf8'), blobBytes: blob.length };
}
