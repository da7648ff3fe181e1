import { fabricId, fabricMembership } from '../fabric';
import { OrchestratorEngine } from '../../config/schema';
import { CONTROL_PLANE_SUBNET_MASK, planNetwork, subnetLayoutEnd } from '../network';
import { Rule, RuleLevel } from './rule';

export const subnetsFit: Rule = {
  code: 'RAIN-E207',
  level: RuleLevel.ERROR,
  name: 'subnets-fit',
  explanation:
    'The site\'s VPC must hold its node subnet (one address per node, since efa-only interfaces take none, plus the endpoints), the storage subnet and, with NAT egress, a public subnet. A shared fabric\'s VPC (its first member\'s CIDR) holds one node subnet for every member\'s nodes and a storage subnet per member.',
  // A shared fabric's VPC (its first member's CIDR) holds one node subnet for all members' nodes and
  // a storage subnet per member; the other members' CIDRs are not used.
  check: (config) => {
    const membership = fabricMembership(config);
    return Object.entries(config.sites)
      .map(([name, site]) => ({ name, site, members: membership.get(fabricId(name, site.fabric)) ?? [name] }))
      .filter(({ name, members }) => members[0] === name)
      .map(({ name, site, members }) => ({
        name,
        site,
        net: planNetwork(site, undefined, members.slice(1).map((m) => ({ name: m, site: config.sites[m] }))),
      }))
      .filter(({ net }) => net.subnetAddresses > net.vpcAddresses)
      .map(({ name, site, net }) => {
        // With orchestrator eks the VPC also ends with two control-plane subnets (rule RAIN-E805),
        // after its own subnets as aws-cdk-lib lays them out: suggest a block that holds those too.
        const eks = config.orchestrator.engine === OrchestratorEngine.EKS;
        const needed = eks ? subnetLayoutEnd(net) + 2 * 2 ** (32 - CONTROL_PLANE_SUBNET_MASK) : net.subnetAddresses;
        let mask = 24;
        while (mask > 16 && 2 ** (32 - mask) < needed) {
          mask--;
        }
        const tooBig = 2 ** (32 - 16) < needed;
        return {
          path: `sites.${name}.cidr`,
          given: `"${site.cidr}" (${net.vpcAddresses} addresses) for subnets needing ${net.subnetAddresses}`,
          allowed: tooBig
            ? members(net.sharedWith) + 'no VPC is larger than a /16: split the site\'s pools across two sites'
            : `a block of /${mask} or larger${eks ? ` (with orchestrator eks, its two /${CONTROL_PLANE_SUBNET_MASK} control-plane subnets after them)` : ''}`,
        };
      });
  },
};

function members(sharedWith: readonly string[] | undefined): string {
  return sharedWith === undefined ? '' : `the VPC of a shared fabric holds every member's nodes (${sharedWith.length + 1} sites): name fewer sites in the fabric; `;
}
