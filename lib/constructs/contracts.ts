import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';

/**
 * Contracts between the slices of a site. Each slice (network, storage, compute, monitoring) is
 * rendered by its own construct and stack; these interfaces are what one hands to another.
 */

/** A named part of a node's boot script, contributed by the slice it concerns. */
export interface BootstrapSection {
  /** Short name, used as a comment header in the script, e.g. `lustre-mount`. */
  readonly name: string;
  /** Shell commands (bash), run as root at first boot, in order. */
  readonly commands: readonly string[];
}

/** The shared Lustre file system as nodes see it. */
export interface LustreMount {
  readonly fileSystemId: string;
  readonly dnsName: string;
  readonly mountName: string;
  /** Where nodes mount it, e.g. `/fsx`. */
  readonly mountPoint: string;
  readonly efaEnabled: boolean;
}

/** What the storage slice gives the nodes of its site. */
export interface NodeStorageAccess {
  /** Datasets: nodes read only (writes belong to the ingestion principals of the perimeter). */
  readonly datasets: s3.IBucket;
  /** Checkpoints: each pool writes under its own prefix (lib/plan/perimeter.ts). */
  readonly checkpoints: s3.IBucket;
  /** Keys those buckets are encrypted with (nodes need kms:Decrypt / GenerateDataKey). */
  readonly keys: readonly kms.IKey[];
  readonly lustre: LustreMount;
  /** Security group nodes need to reach the file system (Lustre ports), if not the cluster group itself. */
  readonly clientSecurityGroup?: ec2.ISecurityGroup;
  /** Boot-script sections that mount the file system. */
  readonly bootstrap: readonly BootstrapSection[];
}
