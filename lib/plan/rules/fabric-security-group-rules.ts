import { planStorage } from '../storage';
import { SECURITY_GROUP_RULES_PER_DIRECTION, clusterSecurityGroupRules, fabricMembership } from '../fabric';
import { RawFinding, Rule, RuleLevel } from './rule';

/**
 * A fabric's cluster security group carries, besides its own rules, the Lustre rules of every member
 * site's file system (lib/plan/fabric.ts `clusterSecurityGroupRules`). A shared fabric of many
 * buildings could pass the default quota of 60 rules per direction
 * (https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html), and EC2 would refuse
 * the rules at deployment.
 */
export const fabricSecurityGroupRules: Rule = {
  code: 'RAIN-E208',
  level: RuleLevel.ERROR,
  name: 'fabric-security-group-rules',
  explanation:
    'A fabric\'s cluster security group holds one rule each way per Lustre port (two, three with EFA) for every member site\'s file system, besides its own; Amazon VPC allows 60 inbound and 60 outbound rules per security group by default (a referenced prefix list counts as its maximum entries).',
  check: (config) => {
    const out: RawFinding[] = [];
    for (const [id, members] of fabricMembership(config)) {
      const sites = members.map((m) => config.sites[m]);
      let efa: boolean[];
      try {
        efa = sites.map((s) => planStorage(config.storage, s).efaEnabled);
      } catch {
        // A storage combination the storage rules reject is reported by them.
        continue;
      }
      const rules = clusterSecurityGroupRules(efa.map((efaEnabled) => ({ efaEnabled })), sites[0].egress === 'nat');
      const most = Math.max(rules.ingress, rules.egress);
      if (most > SECURITY_GROUP_RULES_PER_DIRECTION) {
        out.push({
          path: members.length > 1 ? `sites.${members[members.length - 1]}.fabric` : `sites.${members[0]}`,
          given: `${id} of ${members.length} sites: ${rules.ingress} inbound and ${rules.egress} outbound rules on its cluster security group (S3 prefix list not counted)`,
          allowed: `at most ${SECURITY_GROUP_RULES_PER_DIRECTION} per direction (Amazon VPC default quota): name fewer sites in the fabric`,
        });
      }
    }
    return out;
  },
};
