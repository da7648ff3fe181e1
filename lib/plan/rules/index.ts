import { azInRegion } from './az-in-region';
import { capacityBlockAccountLimit } from './capacity-block-account-limit';
import { capacityBlockSize } from './capacity-block-size';
import { capacityReservationSize } from './capacity-reservation-size';
import { capacityInstanceType } from './capacity-instance-type';
import { efaEveryCard, efaInterfacesWithinDevices } from './efa-interfaces';
import { efaFabricSplit } from './efa-fabric-split';
import { fabricMemberCidr } from './fabric-member-cidr';
import { fabricSecurityGroupRules } from './fabric-security-group-rules';
import { imageCoversRegions } from './image-covers-regions';
import { imageNotPinned } from './image-not-pinned';
import { launchHookShorterThanBoot } from './launch-hook-shorter-than-boot';
import { multiNodeWithoutEfa } from './multi-node-without-efa';
import { noAlarmSubscriber } from './no-alarm-subscriber';
import { noPlacementGroupOnCapacityBlock } from './no-placement-group-on-capacity-block';
import { odcrInPlacementGroup } from './odcr-in-placement-group';
import { accessPrincipalWellFormed, controlPlaneSubnetsFit, controlPlaneZoneValid, eksClusterAboveKubernetesScale, kubernetesVersionSupported, noClusterAdmin } from './orchestrator';
import { reservationCoversNodes } from './reservation-covers-nodes';
import { Rule } from './rule';
import { storageCapacitySteps } from './storage-capacity-steps';
import { storageEfaCapacity } from './storage-efa-capacity';
import { storageEfaWithoutClients } from './storage-efa-without-clients';
import { storageMetadataIops } from './storage-metadata-iops';
import { storageMissesTarget } from './storage-misses-target';
import { storageThroughputTier } from './storage-throughput-tier';
import { subnetsFit } from './subnets-fit';
import { ultraServerInstanceType } from './ultraserver-instance-type';
import { ultraServerWholeUnits } from './ultraserver-whole-units';
import { ultraServerBlockEach } from './ultraserver-block-each';

export * from './rule';

/** Every rule, in code order. Codes are stable: never renumber, only add. */
export const RULES: readonly Rule[] = [
  ultraServerInstanceType,
  ultraServerWholeUnits,
  capacityInstanceType,
  reservationCoversNodes,
  capacityBlockSize,
  capacityReservationSize,
  capacityBlockAccountLimit,
  ultraServerBlockEach,
  azInRegion,
  noPlacementGroupOnCapacityBlock,
  odcrInPlacementGroup,
  efaInterfacesWithinDevices,
  efaEveryCard,
  multiNodeWithoutEfa,
  subnetsFit,
  efaFabricSplit,
  fabricSecurityGroupRules,
  fabricMemberCidr,
  storageCapacitySteps,
  storageEfaCapacity,
  storageThroughputTier,
  storageMetadataIops,
  storageMissesTarget,
  storageEfaWithoutClients,
  noAlarmSubscriber,
  imageNotPinned,
  imageCoversRegions,
  launchHookShorterThanBoot,
  eksClusterAboveKubernetesScale,
  accessPrincipalWellFormed,
  kubernetesVersionSupported,
  controlPlaneZoneValid,
  controlPlaneSubnetsFit,
  noClusterAdmin,
];
