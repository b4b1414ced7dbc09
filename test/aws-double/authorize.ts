// Which IAM action and resource each call of an STS session needs, so the double can authorize it
// against the session's role (StsState.authorize), and how each service answers a refusal. Only
// sessions are authorized call by call.
import type { Caller } from './core.js';
import type { ServiceName } from './errors.js';
import type { SecretsState } from './secrets-state.js';
import type { SesState } from './ses.js';
import type { AccessDenial, StsState } from './sts.js';

type Input = Record<string, unknown>;
const text = (value: unknown) => (typeof value === 'string' ? value : '');
const record = (value: unknown): Input => (typeof value === 'object' && value !== null && !Array.isArray(value) ? Object.fromEntries(Object.entries(value)) : {});
const texts = (value: unknown) => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);

const S3_OBJECT_ACTIONS: Record<string, string> = {
  GetObject: 's3:GetObject', HeadObject: 's3:GetObject', PutObject: 's3:PutObject', DeleteObject: 's3:DeleteObject',
  GetObjectTagging: 's3:GetObjectTagging', PutObjectTagging: 's3:PutObjectTagging', DeleteObjectTagging: 's3:DeleteObjectTagging',
};

/**
 * What each service answers a call IAM does not allow: the query and REST-XML services `AccessDenied`
 * (403); the JSON services `AccessDeniedException` with 400, as their API references list it; SNS
 * `AuthorizationError` (403).
 */
export const ACCESS_DENIALS: Record<ServiceName, AccessDenial> = {
  iam: { code: 'AccessDenied', status: 403 },
  sts: { code: 'AccessDenied', status: 403 },
  s3: { code: 'AccessDenied', status: 403 },
  secretsmanager: { code: 'AccessDeniedException', status: 400 },
  ecs: { code: 'AccessDeniedException', status: 400 },
  sesv2: { code: 'AccessDeniedException', status: 400 },
  servicequotas: { code: 'AccessDeniedException', status: 400 },
  sns: { code: 'AuthorizationError', status: 403 },
};

/** The region and account the double's ARNs are in. */
export interface ArnScope {
  region: string;
  accountId: string;
}

function addressOf(value: string): string {
  return (/<([^>]+)>/.exec(value)?.[1] ?? value).trim().toLowerCase();
}

/**
 * SES v2 SendEmail is the IAM action `ses:SendEmail` on the sending identity (the address when it is
 * verified itself, else its domain) and on the configuration set when one is named, with the sender
 * and the recipients as `ses:FromAddress` and `ses:Recipients`.
 */
function sendEmailRequest(input: Input, ses: SesState, scope: ArnScope): { resources: string[]; context: Record<string, string | string[] | undefined> } {
  const from = addressOf(text(input.FromEmailAddress));
  const identity = ses.identities.has(from) ? from : from.slice(from.lastIndexOf('@') + 1);
  const arn = `arn:aws:ses:${scope.region}:${scope.accountId}`;
  const destination = record(input.Destination);
  const recipients = ['ToAddresses', 'CcAddresses', 'BccAddresses'].flatMap((k) => texts(destination[k])).map(addressOf);
  const configurationSet = text(input.ConfigurationSetName);
  return {
    resources: [`${arn}:identity/${identity}`, ...(configurationSet ? [`${arn}:configuration-set/${configurationSet}`] : [])],
    context: { 'ses:FromAddress': from, 'ses:Recipients': recipients.length > 0 ? recipients : undefined, 'ses:ApiVersion': '2' },
  };
}

export function sessionAuthorizer(sts: StsState, secrets: SecretsState, ses: SesState, scope: ArnScope) {
  return (service: ServiceName, operation: string, input: Input, caller: Caller): void => {
    if (!caller.accessKeyId || !sts.sessions.has(caller.accessKeyId)) return;
    const key = caller.accessKeyId;
    const denial = ACCESS_DENIALS[service];
    if (service === 's3' && S3_OBJECT_ACTIONS[operation]) {
      sts.authorize(key, S3_OBJECT_ACTIONS[operation], `arn:aws:s3:::${text(input.Bucket)}/${text(input.Key)}`, {}, denial);
      return;
    }
    if (service === 's3' && (operation === 'ListObjectsV2' || operation === 'ListObjects')) {
      sts.authorize(key, 's3:ListBucket', `arn:aws:s3:::${text(input.Bucket)}`, { 's3:prefix': typeof input.Prefix === 'string' ? input.Prefix : undefined }, denial);
      return;
    }
    if (service === 'secretsmanager' && typeof input.SecretId === 'string') {
      // A secret that does not exist is authorized by what was asked for: AWS answers AccessDenied before ResourceNotFound.
      const arn = secrets.find(input.SecretId)?.ARN ?? input.SecretId;
      sts.authorize(key, `secretsmanager:${operation}`, arn, {}, denial);
      return;
    }
    if (service === 'sesv2' && operation === 'SendEmail') {
      // Every resource of the request must be allowed.
      const { resources, context } = sendEmailRequest(input, ses, scope);
      for (const resource of resources) sts.authorize(key, 'ses:SendEmail', resource, context, denial);
      return;
    }
    if (service === 'sts') return;
    sts.authorize(key, `${service === 'sesv2' ? 'ses' : service}:${operation}`, '*', {}, denial);
  };
}
