/**
 * How many node groups (Auto Scaling groups) one compute stack holds.
 *
 * CloudFormation allows 500 resources and a 1 MB template per stack (CFN_LIMITS). A node group
 * renders as one Auto Scaling group; 250 per stack leaves the first shard room for the pool's
 * capacity, placement group and launch template and keeps every template far below 1 MB.
 * Shards fill in order of UltraServer index, so growing a pool only appends shards: no node group
 * ever moves between stacks.
 */
export const NODE_GROUPS_PER_SHARD = 250;

export function shardOf(nodeGroupIndex: number): number {
  return Math.floor(nodeGroupIndex / NODE_GROUPS_PER_SHARD);
}

/** A node group's place inside its shard. */
export function indexInShard(nodeGroupIndex: number): number {
  return nodeGroupIndex % NODE_GROUPS_PER_SHARD;
}
