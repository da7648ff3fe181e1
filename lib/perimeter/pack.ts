import { CfnResource } from 'aws-cdk-lib';
import { NagMessageLevel, NagPack, NagPackProps, NagRuleCompliance } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { EndpointHasPolicy } from './rules/endpoint-has-policy';
import { KeyRootDoesNotUse } from './rules/key-root-does-not-use';
import { NoIdentityWritesToDatasets } from './rules/no-identity-writes-to-datasets';
import { NoOpenEgress } from './rules/no-open-egress';
import { ServiceGrantConditioned } from './rules/service-grant-conditioned';

/** The pack's name, the prefix of its rule IDs (`RainierPerimeter-EndpointHasPolicy`). */
export const PERIMETER_PACK = 'RainierPerimeter';

/** The perimeter rules as data: one per file under ./rules, each with why it exists. */
export const PERIMETER_RULES: readonly { readonly id: string; readonly check: (node: CfnResource) => NagRuleCompliance; readonly info: string; readonly explanation: string }[] = [
  {
    id: 'EndpointHasPolicy',
    check: EndpointHasPolicy,
    info: 'The VPC endpoint has no policy, allows something not confined to this account\'s principals, or (S3, ECR, Logs, ...) allows a write not confined to this account\'s resources.',
    explanation: 'An endpoint without a policy lets any principal reach any resource of the service in any account; the perimeter limits every endpoint to this account (docs/security.md).',
  },
  {
    id: 'NoOpenEgress',
    check: NoOpenEgress,
    info: 'The security group allows egress beyond the private ranges (0.0.0.0/0, ::/0, any public CIDR), to a prefix list other than S3\'s, or has no egress rule at all, although the site has no `egress: nat`.',
    explanation: 'Nodes reach AWS through the VPC endpoints and the S3 prefix list only; open egress is a path out of the perimeter that only `egress: nat` may choose.',
  },
  {
    id: 'KeyRootDoesNotUse',
    check: KeyRootDoesNotUse,
    info: 'The key policy lets the account root, or every principal of the account, decrypt (kms:Decrypt or kms:ReEncryptFrom, by any pattern or NotAction).',
    explanation: 'Administration and use of a key are separate: the root administers (so the key never becomes unmanageable) but cannot decrypt, and IAM policies cannot grant use.',
  },
  {
    id: 'NoIdentityWritesToDatasets',
    check: NoIdentityWritesToDatasets,
    info: 'An identity policy grants writes or deletes on the datasets bucket.',
    explanation: 'Nodes read datasets only, so a compromised node cannot poison training data; the ingestion principals named in the configuration write them.',
  },
  {
    id: 'ServiceGrantConditioned',
    check: ServiceGrantConditioned,
    info: 'A policy allows an AWS service principal without a source condition (aws:SourceArn, aws:SourceAccount or an equivalent) that narrows.',
    explanation: 'Service grants carry aws:SourceAccount / aws:SourceArn (or an equivalent) so the service acts only for this account\'s resources (confused deputy).',
  },
];

/**
 * The project's own rules for the data perimeter, a cdk-nag pack run alongside AwsSolutions, NIST
 * 800-53 r5 and the Control Tower controls (lib/compliance.ts). Findings are acknowledged like the
 * others' (`acknowledge(scope, 'RainierPerimeter-<Rule>', reason)`).
 */
export class RainierPerimeterChecks extends NagPack {
  public readonly name: string;

  constructor(scope?: IConstruct, props?: NagPackProps) {
    super(scope, props);
    this.name = PERIMETER_PACK;
    this.packName = PERIMETER_PACK;
  }

  protected checkResource(node: CfnResource): void {
    for (const rule of PERIMETER_RULES) {
      this.applyRule({ ruleSuffixOverride: rule.id, info: rule.info, explanation: rule.explanation, level: NagMessageLevel.ERROR, rule: rule.check, node });
    }
  }
}
