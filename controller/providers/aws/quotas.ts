import { GetAccountSummaryCommand, type GetAccountSummaryCommandOutput, type IAMClient } from '@aws-sdk/client-iam';
import { GetServiceQuotaCommand, type GetServiceQuotaCommandOutput, type ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import { QUOTAS, type QuotaReading } from '../../engine/types.js';
import { ControllerError } from '../../../contract/errors.js';
import type { AwsCaller } from './caller.js';

/** Service Quotas' code of "Roles per account" (service `iam`; a global quota, read in us-east-1). */
export const IAM_ROLES_QUOTA = { service: 'iam', code: 'L-FE177D64' } as const;

/** The applied quota changes seldom (an increase request): Service Quotas is read again after this long, not every pass. */
const QUOTA_FRESH_MS = 600_000;

/**
 * The account's IAM roles against its quota: the count and the quota from IAM's GetAccountSummary, the
 * quota from Service Quotas where the controller may read it (it is the value an increase raises first).
 * A read that is denied makes that number unknown, never a failed pass.
 */
export function awsAccountQuotas(iam: IAMClient, serviceQuotas: ServiceQuotasClient, caller: AwsCaller, now: () => number): () => Promise<QuotaReading[]> {
  let cached: { at: number; quota: GetServiceQuotaCommandOutput | 'unknown' } | undefined;
  const serviceQuota = async () => {
    if (cached && now() - cached.at < QUOTA_FRESH_MS) return cached.quota;
    const quota = await deniedAsUnknown(caller.send('servicequotas', serviceQuotas, new GetServiceQuotaCommand({ ServiceCode: IAM_ROLES_QUOTA.service, QuotaCode: IAM_ROLES_QUOTA.code })));
    cached = { at: now(), quota };
    return quota;
  };
  // The roles in use move with every pass that creates one: the summary (one call) is read every time.
  return async () => {
    const [summary, quota] = await Promise.all([
      deniedAsUnknown(caller.send('iam', iam, new GetAccountSummaryCommand({}))),
      serviceQuota(),
    ]);
    const fromServiceQuotas = quota === 'unknown' ? undefined : quota.Quota?.Value;
    const fromSummary = summary === 'unknown' ? undefined : summary.SummaryMap?.RolesQuota;
    const limit = fromServiceQuotas ?? fromSummary;
    const sources = [
      `IAM GetAccountSummary${summary === 'unknown' ? ' (access denied: unknown)' : ''}`,
      `Service Quotas ${IAM_ROLES_QUOTA.service}/${IAM_ROLES_QUOTA.code}${quota === 'unknown' ? ' (access denied: unknown)' : fromServiceQuotas === undefined ? ' (no value)' : ''}`,
    ];
    return [{
      quota: QUOTAS.iamRoles, description: 'IAM roles in the account',
      ...(summary !== 'unknown' && summary.SummaryMap?.Roles !== undefined ? { used: summary.SummaryMap.Roles } : {}),
      ...(limit !== undefined ? { limit } : {}),
      source: sources.join('; '),
    }];
  };
}

async function deniedAsUnknown<T>(call: Promise<T>): Promise<T | 'unknown'> {
  try {
    return await call;
  } catch (error) {
    if (error instanceof ControllerError && error.code === 'PERMISSION_DENIED') return 'unknown';
    throw error;
  }
}
