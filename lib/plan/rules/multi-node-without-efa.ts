import { instanceShape } from '../../catalog/instance-types';
import { poolEfaInterfaces, poolNodes } from '../capacity';
import { Rule, RuleLevel, pools } from './rule';

export const multiNodeWithoutEfa: Rule = {
  code: 'RAIN-W206',
  level: RuleLevel.WARNING,
  name: 'multi-node-without-efa',
  explanation:
    'Instance types without EFA (trn2.3xlarge) cannot run multi-node collective jobs efficiently (NEURON-TRN1-MN: "EFA is currently not available on the smaller instance sizes and they cannot be used for running multi-node jobs").',
  check: (config) =>
    pools(config)
      .filter((p) => poolEfaInterfaces(p.pool) === 0 && poolNodes(p.pool) > 1)
      .map((p) => ({
        path: `${p.path}.nodes`,
        given: `${poolNodes(p.pool)} x ${p.pool.instanceType} without EFA interfaces`,
        allowed: instanceShape(p.pool.instanceType).efaDevices === 0 ? '1 node, or an EFA instance type for multi-node training' : `efaInterfaces of at least 1 (the default is ${instanceShape(p.pool.instanceType).efaDevices})`,
      })),
};
