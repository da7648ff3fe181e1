import { fsxEfaClientPools } from '../storage';
import { Rule, RuleLevel } from './rule';

/**
 * A warning, not an error: an EFA-enabled file system still serves clients over ENA (FSx "Working with
 * EFA-enabled file systems": "can communicate with client instances using ENA, ENA Express, and EFA"),
 * and EfaEnabled can only be chosen at creation, so turning it on ahead of EFA clients is a legitimate,
 * acknowledgeable decision. Its cost is real: capacity must then be whole EFA steps (4,800 GiB at least).
 */
export const storageEfaWithoutClients: Rule = {
  code: 'RAIN-W302',
  level: RuleLevel.WARNING,
  name: 'storage-efa-without-clients',
  explanation:
    'storage.efa: true on a site with no node that can use Lustre over EFA: FSx supports EFA clients on "Nitro v4 (or higher) EC2 instances that support EFA, excluding the trn2 instance family" (https://docs.aws.amazon.com/fsx/latest/LustreGuide/efa-file-systems.html). The file system then pays the EFA capacity steps for ENA traffic.',
  check: (config) => {
    if (config.storage.efa !== true) {
      return [];
    }
    return Object.entries(config.sites)
      .filter(([, site]) => fsxEfaClientPools(site).length === 0)
      .map(([name, site]) => ({
        path: 'storage.efa',
        given: `true for site ${name}, whose nodes are ${[...new Set(Object.values(site.pools).map((p) => p.instanceType))].join(', ')}`,
        allowed: `"auto" or false; or add EFA-capable nodes outside the trn2 family (e.g. trn1.32xlarge) to the site`,
      }));
  },
};
