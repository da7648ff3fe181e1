import { currentDlamiCommand, dlamiImageParameter } from '../compute';
import { Rule, RuleLevel } from './rule';

/**
 * A warning: the floating image still boots, but replacement nodes can run a different Neuron SDK
 * from the nodes they join, and neither diff shows when that happens. Only a configuration that
 * asks for it (`compute.image: latest`) raises it: without `compute.image` the image is a required
 * deploy-time parameter that the deployer pins (lib/plan/compute.ts, planNodeImage).
 */
export const imageNotPinned: Rule = {
  code: 'RAIN-W702',
  level: RuleLevel.WARNING,
  name: 'image-not-pinned',
  explanation:
    'compute.image is `latest`: nodes boot the DLAMI family\'s `latest` SSM parameter, which CloudFormation resolves again at every deployment, so a replacement node can boot a newer Neuron SDK than the nodes of the job it joins, and neither diff shows it. Pin an AMI ID or a parameter version per Region, or leave compute.image unset so the deployer pins an AMI through the required `NodeImageId` stack parameter (docs/operations.md, "Pinned images"). The Neuron DLAMI parameters are published only as `latest` paths (Neuron DLAMI guide: "Support for finding specific Neuron SDK version DLAMIs will be added in future releases").',
  check: (config) =>
    config.compute.image !== 'latest'
      ? []
      : [
          {
            path: 'compute.image',
            given: `latest (nodes boot ${dlamiImageParameter(config.compute.dlami)}, resolved at each deployment)`,
            allowed:
              'unset (a required NodeImageId parameter per compute stack, pinned at deployment, e.g. from `' +
              currentDlamiCommand(config.compute.dlami, '<region>') +
              '`), { amiIds: { <region>: "ami-..." } } or { ssmParameter: "<name>", versions: { <region>: <version> } } for every Region of the sites; or an acknowledgement saying why the floating image is wanted',
          },
        ],
};
