import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import { TENANT_SESSION_TAG } from '../desired/policy.js';

export interface TenantCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
}

/** STS allows session names of 2-64 characters from [\w+=,.@-]. */
function sessionName(tenant: string, runId: string): string {
  return `${tenant}.${runId}`.replace(/[^\w+=,.@-]/g, '-').slice(0, 64);
}

/**
 * Token vending: credentials for one run, from the shared tenant-access role assumed with the session
 * tag `tenant` (its policy reads ${aws:PrincipalTag/tenant}). Short-lived (15 minutes, STS's least).
 */
export function stsTokenVendor(sts: Pick<STSClient, 'send'>, roleArn: string, durationSeconds = 900) {
  return async (tenant: string, runId: string): Promise<TenantCredentials> => {
    const { Credentials } = await sts.send(new AssumeRoleCommand({
      RoleArn: roleArn, RoleSessionName: sessionName(tenant, runId), DurationSeconds: durationSeconds,
      Tags: [{ Key: TENANT_SESSION_TAG, Value: tenant }],
    }));
    if (!Credentials?.AccessKeyId || !Credentials.SecretAccessKey || !Credentials.SessionToken) throw new Error(`STS returned no credentials for tenant ${tenant}`);
    return { accessKeyId: Credentials.AccessKeyId, secretAccessKey: Credentials.SecretAccessKey, sessionToken: Credentials.SessionToken };
  };
}
