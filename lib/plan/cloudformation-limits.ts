/**
 * CloudFormation's per-stack quotas (REFERENCE.md §8: CFN-LIMITS-CURRENT; CDK fails synthesis above
 * the resource limit). The sharding, the review report, the scale test and the benchmark all check
 * against these, so they are written once.
 */
export const CFN_LIMITS = {
  resourcesPerStack: 500,
  /** Template body uploaded through S3: "1 MB", read as 1,000,000 bytes to stay on the safe side. */
  templateBytes: 1_000_000,
  outputsPerStack: 200,
  parametersPerStack: 200,
  mappingsPerStack: 200,
} as const;
