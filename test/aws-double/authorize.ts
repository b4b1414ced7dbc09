// Which IAM action and resource each call of an STS session needs, so the double can authorize it
// against the session's role (StsState.authorize). Only sessions are authorized call by call.
import type { Caller } from './core.js';
import type { ServiceName } from './errors.js';
import type { SecretsState } from './secrets-state.js';
import type { StsState } from './sts.js';

type Input = Record<string, unknown>;
const text = (value: unknown) => (typeof value === 'string' ? value : '');

const S3_OBJECT_ACTIONS: Record<string, string> = {
  GetObject: 's3:GetObject', HeadObject: 's3:GetObject', PutObject: 's3:PutObject', DeleteObject: 's3:DeleteObject',
  GetObjectTagging: 's3:GetObjectTagging', PutObjectTagging: 's3:PutObjectTagging', DeleteObjectTagging: 's3:DeleteObjectTagging',
};

export function sessionAuthorizer(sts: StsState, secrets: SecretsState) {
  return (service: ServiceName, operation: string, input: Input, caller: Caller): void => {
    if (!caller.accessKeyId || !sts.sessions.has(caller.accessKeyId)) return;
    if (service === 's3' && S3_OBJECT_ACTIONS[operation]) {
      sts.authorize(caller.accessKeyId, S3_OBJECT_ACTIONS[operation], `arn:aws:s3:::${text(input.Bucket)}/${text(input.Key)}`);
      return;
    }
    if (service === 's3' && (operation === 'ListObjectsV2' || operation === 'ListObjects')) {
      sts.authorize(caller.accessKeyId, 's3:ListBucket', `arn:aws:s3:::${text(input.Bucket)}`, { 's3:prefix': typeof input.Prefix === 'string' ? input.Prefix : undefined });
      return;
    }
    if (service === 'secretsmanager' && typeof input.SecretId === 'string') {
      // A secret that does not exist is authorized by what was asked for: AWS answers AccessDenied before ResourceNotFound.
      const arn = secrets.find(input.SecretId)?.ARN ?? input.SecretId;
      sts.authorize(caller.accessKeyId, `secretsmanager:${operation}`, arn);
      return;
    }
    if (service === 'sts') return;
    sts.authorize(caller.accessKeyId, `${service === 'secretsmanager' ? 'secretsmanager' : service}:${operation}`, '*');
  };
}
