import { RegionInfo } from 'aws-cdk-lib/region-info';
import { InstanceTypeName } from './instance-types';

/**
 * Where each instance type is offered, as far as a source shows it. This is an offline table: the
 * authoritative answer is `aws ec2 describe-instance-type-offerings --location-type region` at
 * deploy time, which this app cannot call. A Region missing here is refused with a message saying
 * so; if AWS now offers the type there, add the Region with its source.
 *
 * `verified: false` marks Regions seen only in secondary sources (REFERENCE.md "Uncertain").
 */
export interface RegionOffering {
  readonly region: string;
  readonly verified: boolean;
  readonly source: string;
}

const EC2_CB = 'EC2 User Guide, Capacity Blocks for ML (REFERENCE.md §2, EC2-CB)';
const TOPOLOGY =
  'EC2 User Guide, instance topology prerequisites: describe-instance-type-offerings in us-east-2 returns trn1.2xlarge, trn1.32xlarge, trn1n.32xlarge (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2-instance-topology-prerequisites.html)';
const NEURON_US_EKS = 'Neuron docs, UltraServer on EKS example runs trn2u nodes in ap-southeast-4 (REFERENCE.md §2, NEURON-US-EKS)';
const UNCERTAIN = 'REFERENCE.md "Uncertain": mentioned by non-AWS notes only';

export const INSTANCE_TYPE_REGIONS: Readonly<Record<InstanceTypeName, readonly RegionOffering[]>> = {
  'trn2.48xlarge': [
    { region: 'us-east-2', verified: true, source: EC2_CB },
    { region: 'ap-southeast-4', verified: false, source: 'REFERENCE.md "Uncertain": Trn2 evidenced in us-east-2 and ap-southeast-4' },
    { region: 'ap-south-2', verified: false, source: UNCERTAIN },
    { region: 'sa-east-1', verified: false, source: UNCERTAIN },
  ],
  'trn2u.48xlarge': [
    { region: 'us-east-2', verified: false, source: 'REFERENCE.md "Uncertain": Trn2 UltraServers evidenced in us-east-2 and ap-southeast-4' },
    { region: 'ap-southeast-4', verified: true, source: NEURON_US_EKS },
  ],
  'trn2.3xlarge': [{ region: 'us-east-2', verified: false, source: 'assumed with trn2.48xlarge (EC2 instance types page lists trn2.3xlarge; its Regions were not found)' }],
  'trn1.32xlarge': [
    { region: 'us-east-1', verified: true, source: EC2_CB },
    { region: 'us-east-2', verified: true, source: TOPOLOGY },
    { region: 'ap-southeast-4', verified: true, source: EC2_CB },
    { region: 'us-west-2', verified: false, source: 'Trn1 launch Regions as commonly reported; no AWS page found offline' },
  ],
  'trn1n.32xlarge': [
    { region: 'us-east-2', verified: true, source: TOPOLOGY },
    { region: 'us-east-1', verified: false, source: 'assumed with trn1.32xlarge; no AWS page found offline' },
    { region: 'us-west-2', verified: false, source: 'assumed with trn1.32xlarge; no AWS page found offline' },
  ],
};

/** Every Region aws-cdk-lib knows (its offline region-info facts), e.g. to reject `us-east-9`. */
export function knownRegions(): readonly string[] {
  return RegionInfo.regions.map((r) => r.name);
}

export function regionsOffering(type: InstanceTypeName): readonly string[] {
  return INSTANCE_TYPE_REGIONS[type].map((o) => o.region);
}
