import { Stack, StackProps } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { NodeStorageAccess } from '../constructs/contracts';
import { NetworkAccess } from '../constructs/network';
import { SiteStorage } from '../constructs/storage';
import { SitePlan } from '../plan/types';

export interface StorageStackProps extends StackProps {
  readonly site: SitePlan;
  readonly network: NetworkAccess;
  readonly logRetentionDays: number;
  /** `<cluster>-<site>`, the FSx log group's name under /aws/fsx/. */
  readonly logGroupSuffix: string;
}

/**
 * A site's stateful storage, alone in a termination-protected stack: the FSx for Lustre file
 * system, the datasets and checkpoints buckets, the access-log bucket and their keys. Nothing in
 * here depends on the compute size except the file system's capacity and tier, which are
 * properties, so resizing the cluster never renames or replaces a stateful resource.
 */
export class StorageStack extends Stack {
  public readonly storage: SiteStorage;
  /** What the site's compute stacks hand to their nodes. */
  public readonly nodeAccess: NodeStorageAccess;

  constructor(scope: Construct, id: string, props: StorageStackProps) {
    super(scope, id, props);
    // Server access logs are delivered under a bucket policy (not the legacy log-delivery ACL), so
    // the log bucket can keep ACLs disabled. Set before any child exists, for this stack only.
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);
    this.storage = new SiteStorage(this, 'Storage', {
      plan: props.site.storage,
      network: props.network,
      logRetentionDays: props.logRetentionDays as logs.RetentionDays,
      logGroupSuffix: props.logGroupSuffix,
      perimeter: props.site.perimeter,
    });
    this.nodeAccess = this.storage.nodeAccess;
  }
}
