import { createHash } from 'node:crypto';
import { AssumeRoleCommand, type AssumeRoleCommandOutput, type STSClient } from '@aws-sdk/client-sts';
import { ControllerError, type ErrorCode } from '../../contract/errors.js';
import { TENANT_SESSION_TAG } from '../desired/policy.js';
import { classifyAwsError } from '../providers/aws/errors.js';

/** What token vending hands one run: tenant-scoped AWS credentials (sts:AssumeRole with the session tag `tenant`). */
export interface TenantCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiresAt?: Date;
}

/** Tenant-scoped credentials for one run of `tenant`. */
export type Vend = (tenant: string, runId: string) => Promise<TenantCredentials>;

/**
 * Token vending failed: no credentials, so the run does not start. `retryable` says whether another
 * attempt may succeed (throttling, a 5xx) or not (AccessDenied, a disabled region, a bad request).
 */
export class TokenVendingError extends ControllerError {
  constructor(code: ErrorCode, message: string, readonly tenant: string, options: { cause: unknown; retryable: boolean }) {
    super(code, message, options);
    this.name = 'TokenVendingError';
  }
}

const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;

/** `run-<run id>`, in the characters and length STS allows; an id that does not fit is shortened with its hash. */
export function roleSessionName(runId: string): string {
  const name = `run-${runId}`;
  if (SESSION_NAME.test(name)) return name;
  const hash = createHash('sha256').update(runId).digest('hex').slice(0, 16);
  return `run-${runId.replace(/[^\w+=,.@-]/g, '-').slice(0, 43)}-${hash}`;
}

export interface VendOptions {
  sts: Pick<STSClient, 'send'>;
  /** The shared tenant-access role (OPENCLAW_TENANT_ACCESS_ROLE_ARN). */
  roleArn: string;
  durationSeconds: number;
}

/**
 * sts:AssumeRole on the shared tenant-access role with the one session tag `tenant` (not transitive:
 * the role's trust policy refuses transitive keys), for as short as STS allows by default. One call,
 * not retried here: a throttled vend goes back to the queue, which retries the run later.
 */
export function tenantCredentialVendor(options: VendOptions): Vend {
  return async (tenant, runId) => {
    let output: AssumeRoleCommandOutput;
    try {
      output = await options.sts.send(new AssumeRoleCommand({
        RoleArn: options.roleArn,
        RoleSessionName: roleSessionName(runId),
        DurationSeconds: options.durationSeconds,
        Tags: [{ Key: TENANT_SESSION_TAG, Value: tenant }],
      }));
    } catch (error) {
      const classified = classifyAwsError(error, 'sts:AssumeRole');
      throw new TokenVendingError(classified.code, `could not vend credentials for tenant ${tenant}: ${classified.message}`, tenant, { cause: error, retryable: classified.retryable });
    }
    const c = output.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) {
      throw new TokenVendingError('INTERNAL', `could not vend credentials for tenant ${tenant}: sts:AssumeRole answered without credentials`, tenant, { cause: undefined, retryable: true });
    }
    return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, ...(c.Expiration ? { expiresAt: c.Expiration } : {}) };
  };
}
