import { instanceShape } from '../../catalog/instance-types';
import { poolEfaInterfaces } from '../capacity';
import { Rule, RuleLevel, pools } from './rule';

export const efaInterfacesWithinDevices: Rule = {
  code: 'RAIN-E204',
  level: RuleLevel.ERROR,
  name: 'efa-interfaces-within-devices',
  explanation: 'An instance takes at most one EFA interface per EFA-capable network card (trn2: 16, trn1.32xlarge: 8; REFERENCE.md §1).',
  check: (config) =>
    pools(config)
      .filter((p) => poolEfaInterfaces(p.pool) > instanceShape(p.pool.instanceType).efaDevices)
      .map((p) => ({
        path: `${p.path}.efaInterfaces`,
        given: `${poolEfaInterfaces(p.pool)}`,
        allowed: `at most ${instanceShape(p.pool.instanceType).efaDevices} for ${p.pool.instanceType}`,
      })),
};

export const efaEveryCard: Rule = {
  code: 'RAIN-W205',
  level: RuleLevel.WARNING,
  name: 'efa-every-card',
  explanation:
    'Every EFA-capable network card should carry an EFA interface; an idle card is bandwidth paid for and lost (a reviewer of a trn2 template: "there should be 16 EFA devices for trn2.48xlarge").',
  check: (config) =>
    pools(config)
      .filter((p) => poolEfaInterfaces(p.pool) < instanceShape(p.pool.instanceType).efaDevices)
      .map((p) => ({
        path: `${p.path}.efaInterfaces`,
        given: `${poolEfaInterfaces(p.pool)}`,
        allowed: `${instanceShape(p.pool.instanceType).efaDevices} (one per EFA-capable card of ${p.pool.instanceType})`,
      })),
};
