import { Rule, RuleLevel } from './rule';

export const azInRegion: Rule = {
  code: 'RAIN-E201',
  level: RuleLevel.ERROR,
  name: 'az-in-region',
  explanation:
    'Every pool of a site runs in the site\'s single Availability Zone: EFA traffic does not cross AZs and a cluster placement group is confined to one (EC2-PG-LIMITS). The AZ must belong to the site\'s Region.',
  check: (config) =>
    Object.entries(config.sites)
      .filter(([, site]) => !/^[a-z]$/.test(site.availabilityZone.slice(site.region.length)) || !site.availabilityZone.startsWith(site.region))
      .map(([name, site]) => ({
        path: `sites.${name}.availabilityZone`,
        given: `"${site.availabilityZone}"`,
        allowed: `an Availability Zone of the site's Region ${site.region}, such as "${site.region}a"`,
      })),
};
