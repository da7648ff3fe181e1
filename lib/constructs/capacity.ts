import { CfnParameter, Fn, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { CapacityKind } from '../config/schema/site';
import { ReservationParameterPlan, reservationParameter } from '../plan/compute';
import { BlockBinding, PoolPlan, SitePlan } from '../plan/types';

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
  /** The stack's reservation-ID parameters, by name (`renderReservationParameters`). @default none */
  readonly parameters?: ReadonlyMap<string, CfnParameter>;
}

/**
 * A pool's reserved capacity, as the plan decided (DESIGN.md "Capacity, honestly modelled"):
 *
 * - UltraServer Capacity Blocks: bought out of band (CloudFormation cannot buy one), one block per
 *   UltraServer. The launch template only sets `MarketType: capacity-block`; each UltraServer's Auto
 *   Scaling group targets its own block (`blockReservationId`, rendered by NodeGroup), never a
 *   resource group of several blocks, in which EC2 may place a launch in any block (EC2 User Guide,
 *   cb-group.html; REFERENCE.md §12).
 * - Instance Capacity Block: bought out of band; nodes target its reservation ID.
 * - On-Demand Capacity Reservation: created here, targeted, inside the pool's cluster placement
 *   group through `PlacementGroupArn` (REFERENCE.md §3, §5).
 *
 * Reservation IDs the config does not name come from CloudFormation parameters.
 */
export class PoolCapacity extends Construct {
  public readonly target: CapacityTarget;
  /** The pool's cluster placement group, when the plan gives it one. */
  public readonly placementGroup?: ec2.PlacementGroup;
  /** The first reservation-ID parameter the deployer fills, when the config names no IDs. */
  public readonly parameter?: CfnParameter;
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
      this.parameter = props.parameters?.get(parameterPlan.name);
      if (this.parameter === undefined) {
        throw new Error(`pool ${pool.path} needs the reservation parameter ${parameterPlan.name}, which its stack did not render`);
      }
    }

    const capacity = pool.capacity;
    switch (capacity.kind) {
      case CapacityKind.ULTRASERVER_CAPACITY_BLOCK: {
        // The block is targeted per UltraServer by its Auto Scaling group (NodeGroup).
        this.target = { marketType: capacity.marketType };
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
}

function renderParameter(stack: Stack, plan: ReservationParameterPlan): CfnParameter {
  return new CfnParameter(stack, plan.name, {
    type: plan.type,
    description: plan.description,
    allowedPattern: plan.allowedPattern,
    constraintDescription: plan.constraintDescription,
  });
}

/** Renders a compute stack's reservation-ID parameters, in the stack's scope so each logical ID is exactly the plan's name. */
export function renderReservationParameters(stack: Stack, plans: readonly ReservationParameterPlan[]): Map<string, CfnParameter> {
  return new Map(plans.map((plan) => [plan.name, renderParameter(stack, plan)]));
}

/**
 * The reservation ID an UltraServer group targets: the listed ID, or its element of the stack's
 * block-list parameter (`Fn::Select` of `Fn::Split`; the parameter's pattern accepts exactly as many
 * IDs as the stack has UltraServers, so a list of another length fails before any change).
 */
export function blockReservationId(binding: BlockBinding, parameters: ReadonlyMap<string, CfnParameter>): string {
  if (binding.kind === 'listed') {
    return binding.reservationId;
  }
  const parameter = parameters.get(binding.parameter);
  if (parameter === undefined) {
    throw new Error(`no parameter ${binding.parameter} in the stack for an UltraServer bound to it`);
  }
  return Fn.select(binding.index, Fn.split(',', parameter.valueAsString));
}
