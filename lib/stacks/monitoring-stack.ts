import { Stack, StackProps } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { KeyAdministration } from '../constructs/key-policy';
import { MonitoredFileSystem, SiteMonitoring } from '../constructs/monitoring';
import { DashboardPlan, SiteMonitoringPlan } from '../plan/monitoring';

export interface MonitoringStackProps extends StackProps {
  readonly plan: SiteMonitoringPlan;
  readonly logRetentionDays: number;
  /** The cluster overview, for the plan's overview site only. */
  readonly overview?: readonly DashboardPlan[];
  /** The site's FSx file system (from the storage stack). @default none: FSx alarms and widgets left out */
  readonly fileSystem?: MonitoredFileSystem;
  /** Reservation IDs not in the configuration (ODCRs from the compute stacks). @default none */
  readonly reservationIds?: readonly string[];
  /** Who administers and may delete the topic key. @default the account root administers; nobody deletes */
  readonly keyAdministration?: KeyAdministration;
}

/** A site's alarms, alarm topic, capacity events, dashboards and node log groups. */
export class MonitoringStack extends Stack {
  public readonly monitoring: SiteMonitoring;

  constructor(scope: Construct, id: string, props: MonitoringStackProps) {
    super(scope, id, props);
    this.monitoring = new SiteMonitoring(this, 'Monitoring', {
      plan: props.plan,
      logRetentionDays: props.logRetentionDays as logs.RetentionDays,
      overview: props.overview,
      fileSystem: props.fileSystem,
      reservationIds: props.reservationIds,
      keyAdministration: props.keyAdministration,
    });
  }
}
