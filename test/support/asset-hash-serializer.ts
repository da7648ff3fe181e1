/**
 * Snapshot serializer that replaces asset hashes (64 hex digits) so snapshots show architecture,
 * not bundling noise.
 */
const ASSET_HASH = /[0-9a-f]{64}/g;

module.exports = {
  test: (value: unknown) => typeof value === 'string' && /[0-9a-f]{64}/.test(value),
  print: (value: unknown) => JSON.stringify((value as string).replace(ASSET_HASH, '[ASSET HASH]')),
};
