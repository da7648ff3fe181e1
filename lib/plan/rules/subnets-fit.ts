import { planNetwork } from '../network';
import { Rule, RuleLevel } from './rule';

export const subnetsFit: Rule = {
  code: 'RAIN-E207',
  level: RuleLevel.ERROR,
  name: 'subnets-fit',
  explanation:
    'The site\'s VPC must hold its node subnet (one address per node, since efa-only interfaces take none, plus the endpoints), the storage subnet and, with NAT egress, a public subnet.',
  check: (config) =>
    Object.entries(config.sites)
      .map(([name, site]) => ({ name, site, net: planNetwork(site) }))
      .filter(({ net }) => net.subnetAddresses > net.vpcAddresses)
      .map(({ name, site, net }) => {
        let mask = 24;
        while (mask > 16 && 2 ** (32 - mask) < net.subnetAddresses) {
          mask--;
        }
        const tooBig = 2 ** (32 - 16) < net.subnetAddresses;
        return {
          path: `sites.${name}.cidr`,
          given: `"${site.cidr}" (${net.vpcAddresses} addresses) for subnets needing ${net.subnetAddresses}`,
          allowed: tooBig
            ? 'no VPC is larger than a /16: split the site\'s pools across two sites'
            : `a block of /${mask} or larger`,
        };
      }),
};
