import { dlamiImageParameter } from '../compute';
import { Rule, RuleLevel } from './rule';

/**
 * A warning: an unpinned image still boots, but replacement nodes can run a different Neuron SDK
 * from the nodes they join, and neither diff shows when that happens.
 */
export const imageNotPinned: Rule = {
  code: 'RAIN-W702',
  level: RuleLevel.WARNING,
  name: 'image-not-pinned',
  explanation:
    'compute.image is not set: nodes boot the DLAMI family\'s `latest` SSM parameter, which CloudFormation resolves again at every deployment, so a replacement node can boot a newer Neuron SDK than the nodes of the job it joins. Pin an AMI ID or a parameter version per Region (docs/operations.md, "Pinned images"). The Neuron DLAMI parameters are published only as `latest` paths (Neuron DLAMI guide: "Support for finding specific Neuron SDK version DLAMIs will be added in future releases").',
  check: (config) =>
    config.compute.image !== undefined
      ? []
      : [
          {
            path: 'compute.image',
            given: `unset (nodes boot ${dlamiImageParameter(config.compute.dlami)}, resolved at each deployment)`,
            allowed: '{ amiIds: { <region>: "ami-..." } } or { ssmParameter: "<name>", versions: { <region>: <version> } } for every Region of the sites',
          },
        ],
};
