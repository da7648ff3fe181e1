import { TRN2_ULTRASERVER } from '../../catalog/ultraserver';
import { CapacityKind } from '../../config/schema/site';
import { Rule, RuleLevel, pools } from './rule';

export const ultraServerInstanceType: Rule = {
  code: 'RAIN-E101',
  level: RuleLevel.ERROR,
  name: 'ultraserver-instance-type',
  explanation:
    'A Trn2 UltraServer is four trn2u.48xlarge servers joined by NeuronLink (NEURON-TRN2); no other instance type can fill an UltraServer Capacity Block.',
  check: (config) =>
    pools(config)
      .filter((p) => p.pool.kind === CapacityKind.ULTRASERVER_CAPACITY_BLOCK && p.pool.instanceType !== TRN2_ULTRASERVER.instance.name)
      .map((p) => ({
        path: `${p.path}.instanceType`,
        given: `"${p.pool.instanceType}"`,
        allowed: `UltraServer pools use "${TRN2_ULTRASERVER.instance.name}"; for ${p.pool.instanceType} use kind "capacity-block" or "on-demand-capacity-reservation"`,
      })),
};
