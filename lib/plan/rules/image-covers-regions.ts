import { Rule, RuleLevel } from './rule';

/** AMI IDs and parameter versions are Regional: a pinned image needs an entry for every site's Region. */
export const imageCoversRegions: Rule = {
  code: 'RAIN-E703',
  level: RuleLevel.ERROR,
  name: 'image-covers-regions',
  explanation:
    'An AMI ID exists in one Region only, and SSM parameter versions are numbered per Region, so compute.image must name the image for every Region the sites are in (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/CopyingAMIs.html: an AMI is a Regional resource).',
  check: (config) => {
    const image = config.compute.image;
    if (image === undefined || image === 'latest') {
      return [];
    }
    const [field, entries] = 'amiIds' in image ? ['amiIds', image.amiIds] : ['versions', image.versions];
    const regions = [...new Set(Object.values(config.sites).map((s) => s.region))];
    return regions
      .filter((region) => entries[region] === undefined)
      .map((region) => ({
        path: `compute.image.${field}`,
        given: `no entry for ${region} (entries: ${Object.keys(entries).join(', ') || 'none'})`,
        allowed: `an entry for every Region of the sites: ${regions.join(', ')}`,
      }));
  },
};
