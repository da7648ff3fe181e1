import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag';
import { allowsAction, narrowedBy, statementsOf, templateOf } from './policy';

/** Condition keys that confine an endpoint statement to this account's (or organization's) principals. */
const PRINCIPAL_KEYS = ['aws:principalaccount', 'aws:principalorgid', 'aws:principalorgpaths', 'aws:principalarn'];

/** Condition keys that confine an endpoint statement to this account's (or organization's) resources. */
const RESOURCE_KEYS = ['aws:resourceaccount', 'aws:resourceorgid', 'aws:resourceorgpaths', 's3:resourceaccount'];

/**
 * Per endpoint service, the actions that put data into a resource: through an endpoint that allows
 * them on another account's resource, data leaves the account (a bucket, a registry, a log group,
 * a topic or queue of someone else).
 */
export const WRITES_BY_SERVICE: Readonly<Record<string, readonly string[]>> = {
  s3: ['s3:PutObject', 's3:ReplicateObject', 's3:PutObjectAcl', 's3:CreateBucket'],
  'ecr.api': ['ecr:PutImage', 'ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload'],
  'ecr.dkr': ['ecr:PutImage', 'ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload'],
  logs: ['logs:PutLogEvents', 'logs:CreateLogStream', 'logs:PutSubscriptionFilter'],
  sns: ['sns:Publish'],
  sqs: ['sqs:SendMessage'],
  kinesis: ['kinesis:PutRecord', 'kinesis:PutRecords'],
  firehose: ['firehose:PutRecord', 'firehose:PutRecordBatch'],
};

/** The endpoint's service (`s3`, `ecr.api`, ...) from its ServiceName, a string or CDK's `Fn::Join`. */
export function endpointService(serviceName: unknown): string {
  const strings: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'string') {
      strings.push(v);
    } else if (Array.isArray(v)) {
      v.forEach(walk);
    } else if (v !== null && typeof v === 'object') {
      Object.values(v).forEach(walk);
    }
  };
  walk(serviceName);
  const joined = strings.join('');
  return /\.(ecr\.(?:api|dkr)|[a-z0-9-]+)$/.exec(joined)?.[1] ?? joined;
}

/**
 * Every VPC endpoint has a policy; every Allow in it is confined to this account's principals by a
 * condition that really narrows (not `StringLike "*"`, not `...IfExists`); and, for the services
 * that store data (S3, ECR, Logs, SNS, SQS, Kinesis, Firehose), every Allow that can write is
 * confined to this account's resources too. Without a policy an endpoint allows any principal on any
 * resource of the service, in any account: a path out of the perimeter.
 */
export function EndpointHasPolicy(node: CfnResource): NagRuleCompliance {
  if (node.cfnResourceType !== 'AWS::EC2::VPCEndpoint') {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const { Properties } = templateOf(node);
  const statements = statementsOf(Properties.PolicyDocument);
  if (statements.length === 0) {
    return NagRuleCompliance.NON_COMPLIANT;
  }
  const writes = WRITES_BY_SERVICE[endpointService(Properties.ServiceName)] ?? [];
  const open = statements.some(
    (s) =>
      s.Effect === 'Allow' &&
      (s.NotPrincipal !== undefined || !narrowedBy(s, PRINCIPAL_KEYS) || (writes.some((w) => allowsAction(s, w)) && !narrowedBy(s, RESOURCE_KEYS))),
  );
  return open ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
}
