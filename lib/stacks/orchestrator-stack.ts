import { Stack, StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { EksCluster } from '../constructs/eks-cluster';
import { KeyAdministration } from '../constructs/key-policy';
import { EksClusterPlan } from '../plan/orchestrator';

export interface OrchestratorStackProps extends StackProps {
  readonly plan: EksClusterPlan;
  readonly kubernetesVersion: string;
  /** From the fabric's network stack. */
  readonly subnets: readonly ec2.ISubnet[];
  readonly securityGroup: ec2.ISecurityGroup;
  readonly logsKey: kms.IKey;
  readonly logRetentionDays: number;
  readonly keyAdministration?: KeyAdministration;
}

/**
 * The scheduler of one EFA fabric (`orchestrator: eks`): its EKS cluster, access entries, add-ons
 * and (for the first cluster of a Region) the ECR pull-through cache rule. Deployed after the
 * fabric's network and storage and before its compute stacks, whose nodes join it.
 */
export class OrchestratorStack extends Stack {
  public readonly cluster: EksCluster;

  constructor(scope: Construct, id: string, props: OrchestratorStackProps) {
    super(scope, id, props);
    this.cluster = new EksCluster(this, 'Cluster', {
      plan: props.plan,
      kubernetesVersion: props.kubernetesVersion,
      subnets: props.subnets,
      securityGroup: props.securityGroup,
      logsKey: props.logsKey,
      logRetentionDays: props.logRetentionDays as logs.RetentionDays,
      keyAdministration: props.keyAdministration,
    });
  }
}
