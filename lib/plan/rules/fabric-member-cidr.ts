import { fabricMembership } from '../fabric';
import { RawFinding, Rule, RuleLevel } from './rule';

/**
 * A fabric's VPC is its first member's (lib/plan/fabric.ts): a subnet lies in one CIDR block of
 * its VPC, so the node subnet that every member shares cannot span the members' own blocks. A
 * later member's `cidr` is therefore not used, and a value that differs from the fabric's would
 * silently mean nothing; say so, so the configuration reads as what is deployed.
 */
export const fabricMemberCidr: Rule = {
  code: 'RAIN-W211',
  level: RuleLevel.WARNING,
  name: 'fabric-member-cidr',
  explanation:
    "Sites that share an EFA fabric (sites.<site>.fabric) share the first member's VPC, whose CIDR is that member's cidr; a later member's cidr is not used. A different value there would be ignored, so the rule asks for the fabric's CIDR, which says what is deployed.",
  check: (config) => {
    const out: RawFinding[] = [];
    for (const members of fabricMembership(config).values()) {
      const [owner, ...others] = members;
      const vpc = config.sites[owner].cidr;
      for (const member of others) {
        const cidr = config.sites[member].cidr;
        if (cidr !== vpc) {
          out.push({
            path: `sites.${member}.cidr`,
            given: `${cidr}, which is not used: site ${member} shares fabric ${config.sites[member].fabric} with ${owner}, whose VPC is ${vpc}`,
            allowed: `${vpc}, the fabric's VPC (the first member's cidr)`,
          });
        }
      }
    }
    return out;
  },
};
