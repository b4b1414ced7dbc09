// Service Quotas: the applied value of a quota (GetServiceQuota), IAM's roles quota being the double's
// own `iamMaxRoles`, so that raising it raises what CreateRole allows and what IAM's summary reports.
import type * as Q from '@aws-sdk/client-service-quotas';
import type { Out, ServiceHandlers } from './core.js';
import { fail } from './errors.js';
import type { Env } from './options.js';

/** Service Quotas' code of IAM's "Roles per account". */
export const IAM_ROLES_QUOTA_CODE = 'L-FE177D64';

interface QuotaDefinition {
  name: string;
  serviceName: string;
  global: boolean;
  value: () => number;
}

export class QuotasState {
  /** When true, every call answers AccessDeniedException (a caller without servicequotas:GetServiceQuota). */
  denied = false;
  private readonly quotas = new Map<string, QuotaDefinition>();

  constructor(env: Env) {
    this.quotas.set(`iam/${IAM_ROLES_QUOTA_CODE}`, { name: 'Roles per account', serviceName: 'AWS Identity and Access Management (IAM)', global: true, value: () => env.options.iamMaxRoles });
  }

  /** Sets the applied value of a quota the double does not model otherwise. */
  set(service: string, code: string, name: string, value: number): void {
    this.quotas.set(`${service}/${code}`, { name, serviceName: service, global: false, value: () => value });
  }

  get(service: string, code: string): QuotaDefinition | undefined {
    return this.quotas.get(`${service}/${code}`);
  }
}

export function quotasHandlers(state: QuotasState, env: Env): ServiceHandlers {
  const denied = () => {
    if (state.denied) fail('AccessDenied', 'You do not have sufficient permission to perform this action.', 400);
  };
  return {
    GetServiceQuota(input: Q.GetServiceQuotaCommandInput): Out<Q.GetServiceQuotaCommandOutput> {
      denied();
      const quota = state.get(String(input.ServiceCode), String(input.QuotaCode));
      if (!quota) fail('NoSuchResource', 'The request failed because the specified service quota does not exist.', 400);
      return {
        Quota: {
          ServiceCode: input.ServiceCode, ServiceName: quota.serviceName,
          QuotaArn: `arn:aws:servicequotas:us-east-1:${env.options.accountId}:${input.ServiceCode}/${input.QuotaCode}`,
          QuotaCode: input.QuotaCode, QuotaName: quota.name, Value: quota.value(), Unit: 'None',
          Adjustable: true, GlobalQuota: quota.global, QuotaAppliedAtLevel: 'ACCOUNT',
        },
      };
    },
  };
}
