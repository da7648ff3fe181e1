import { Aws, CfnCondition, CfnParameter, Fn, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rg from 'aws-cdk-lib/aws-resourcegroups';
import { Construct } from 'constructs';
import { CapacityKind } from '../config/schema/site';
import { ReservationParameterPlan, reservationParameter } from '../plan/compute';
import { PoolPlan, SitePlan } from '../plan/types';

/** How a launch template reaches the pool's reserved capacity. */
export interface CapacityTarget {
  /** `capacity-block` for Capacity Blocks; absent for On-Demand Capacity Reservations. */
  readonly marketType?: 'capacity-block';
  /** Set only together with a target, and only to `capacity-reservations-only` (EC2 API CapacityReservationSpecification). */
  readonly preference?: 'capacity-reservations-only';
  readonly reservationId?: string;
  readonly resourceGroupArn?: string;
}

export interface PoolCapacityProps {
  readonly site: SitePlan;
  readonly pool: PoolPlan;
}

/**
 * A pool's reserved capacity, as the plan decided (DESIGN.md "Capacity, honestly modelled"):
 *
 * - UltraServer Capacity Blocks: bought out of band (CloudFormation cannot buy one), gathered in a
 *   Capacity Reservation resource group configured for UltraServer Capacity Blocks of the pool's
 *   instance type (REFERENCE.md §2, EC2-CBGROUP); nodes target the group.
 * - Instance Capacity Block: bought out of band; nodes target its reservation ID.
 * - On-Demand Capacity Reservation: created here, targeted, inside the pool's cluster placement
 *   group through `PlacementGroupArn` (REFERENCE.md §3, §5).
 *
 * Reservation IDs the config does not name come from a CloudFormation parameter.
 */
export class PoolCapacity extends Construct {
  public readonly target: CapacityTarget;
  /** The pool's cluster placement group, when the plan gives it one. */
  public readonly placementGroup?: ec2.PlacementGroup;
  /** The reservation-ID parameter the deployer fills, when the config names no IDs. */
  public readonly parameter?: CfnParameter;
  public readonly resourceGroup?: rg.CfnGroup;
  public readonly reservation?: ec2.CfnCapacityReservation;

  constructor(scope: Construct, id: string, props: PoolCapacityProps) {
    super(scope, id);
    const { pool, site } = props;
    const stack = Stack.of(this);

    if (pool.placementGroup) {
      this.placementGroup = new ec2.PlacementGroup(this, 'PlacementGroup', { strategy: ec2.PlacementGroupStrategy.CLUSTER });
    }

    const parameterPlan = reservationParameter(pool);
    if (parameterPlan !== undefined) {
      // In the stack's scope so its logical ID is exactly the plan's name, which the README lists.
      this.parameter = renderParameter(stack, parameterPlan);
    }

    const capacity = pool.capacity;
    switch (capacity.kind) {
      case CapacityKind.ULTRASERVER_CAPACITY_BLOCK: {
        this.resourceGroup = new rg.CfnGroup(this, 'ReservationGroup', {
          name: capacity.resourceGroupName,
          description: `UltraServer Capacity Blocks of ${pool.instanceType} for pool ${pool.path}`,
          // EC2-CBGROUP: a Capacity Reservation pool restricted to capacity blocks of one instance type,
          // accepting only Capacity Reservations as members.
          configuration: [
            {
              type: 'AWS::EC2::CapacityReservationPool',
              parameters: [
                { name: 'instance-type', values: [pool.instanceType] },
                { name: 'reservation-type', values: ['capacity-block'] },
              ],
            },
            {
              type: 'AWS::ResourceGroups::Generic',
              parameters: [{ name: 'allowed-resource-types', values: ['AWS::EC2::CapacityReservation'] }],
            },
          ],
          // Members must be given with a Configuration (CFN-SPEC); they are the blocks' ARNs.
          resources:
            capacity.reservationIds !== undefined
              ? capacity.reservationIds.map((rid) => `${reservationArnPrefix(stack)}${rid}`)
              : this.reservationArnsFromParameter(this.parameter!, parameterPlan!.maxValues ?? 1),
        });
        this.target = { marketType: capacity.marketType, resourceGroupArn: this.resourceGroup.attrArn };
        break;
      }
      case CapacityKind.CAPACITY_BLOCK: {
        const reservationId = capacity.reservationId ?? this.parameter!.valueAsString;
        this.target = { marketType: capacity.marketType, reservationId };
        break;
      }
      case CapacityKind.ON_DEMAND_CAPACITY_RESERVATION: {
        this.reservation = new ec2.CfnCapacityReservation(this, 'Reservation', {
          instanceType: pool.instanceType,
          instancePlatform: capacity.instancePlatform,
          instanceCount: capacity.reservedNodes,
          availabilityZone: site.availabilityZone,
          instanceMatchCriteria: capacity.instanceMatchCriteria,
          endDateType: capacity.endDate === undefined ? 'unlimited' : 'limited',
          endDate: capacity.endDate,
          // The placement group has no ARN attribute (REFERENCE.md §5): build the standard EC2 ARN.
          placementGroupArn:
            this.placementGroup === undefined
              ? undefined
              : `arn:${stack.partition}:ec2:${stack.region}:${stack.account}:placement-group/${this.placementGroup.placementGroupName}`,
          tagSpecifications: [
            {
              resourceType: 'capacity-reservation',
              tags: [
                { key: 'rainier:site', value: site.name },
                { key: 'rainier:pool', value: pool.name },
              ],
            },
          ],
        });
        this.target = { preference: capacity.preference, reservationId: this.reservation.ref };
        break;
      }
    }
  }

  /**
   * ARNs of the IDs in a list parameter. CloudFormation cannot prefix every element of a list (the
   * `Fn::Join` delimiter must be a literal string, so it cannot hold `${AWS::AccountId}`): pad the list
   * with empty strings, select elements 0..max-1, turn each non-empty one into an ARN with `Fn::Sub`
   * and drop the empty ones with `AWS::NoValue`.
   */
  private reservationArnsFromParameter(parameter: CfnParameter, max: number): string[] {
    const padded = Fn.split(',', Fn.join('', [Fn.join(',', parameter.valueAsList), ','.repeat(max)]));
    const arns: string[] = [];
    for (let i = 0; i < max; i++) {
      const id = Fn.select(i, padded);
      const given = new CfnCondition(this, `ReservationId${i}Given`, {
        expression: Fn.conditionNot(Fn.conditionEquals(id, '')),
      });
      const arn = Fn.sub('arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:capacity-reservation/${Id}', { Id: id });
      arns.push(Token.asString(Fn.conditionIf(given.logicalId, arn, Aws.NO_VALUE)));
    }
    return arns;
  }
}

function renderParameter(stack: Stack, plan: ReservationParameterPlan): CfnParameter {
  return new CfnParameter(stack, plan.name, {
    type: plan.type,
    description: plan.description,
    allowedPattern: plan.allowedPattern,
    constraintDescription: plan.constraintDescription,
  });
}

/** `arn:<partition>:ec2:<region>:<account>:capacity-reservation/` (standard EC2 ARN format). */
function reservationArnPrefix(stack: Stack): string {
  return `arn:${stack.partition}:ec2:${stack.region}:${stack.account}:capacity-reservation/`;
}
