// STS: who the caller is.
import type { GetCallerIdentityCommandOutput } from '@aws-sdk/client-sts';
import type { Out, ServiceHandlers } from './core.js';
import type { Env } from './options.js';
import { ids } from './paging.js';

export class StsState {
  /** The caller's ARN; defaults to a role session in the double's account. */
  callerArn?: string;
  readonly userId: string;
  constructor(private readonly env: Env) {
    this.userId = ids.iam(env.random, 'AROA');
  }
  arn(): string {
    return this.callerArn ?? `arn:aws:sts::${this.env.options.accountId}:assumed-role/openclaw-controller/aws-double`;
  }
}

export function stsHandlers(state: StsState, env: Env): ServiceHandlers {
  return {
    GetCallerIdentity: (): Out<GetCallerIdentityCommandOutput> => ({
      UserId: `${state.userId}:aws-double`,
      Account: env.options.accountId,
      Arn: state.arn(),
    }),
  };
}
