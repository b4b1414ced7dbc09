import type { Logger } from 'pino';
import type { SecretsApi } from '../providers/types.js';

/**
 * Secret name → ARN, for the run environment. Filled by one batched listing of the tenants' secrets
 * when a name is missing (new tenants), not one call per launch. A name not listed yet falls back to
 * `fallback(name)`: in AWS a partial ARN, which GetSecretValue resolves.
 */
export class SecretArns {
  private readonly arns = new Map<string, string>();

  constructor(
    private readonly secrets: Pick<SecretsApi, 'list'>,
    private readonly listPrefix: string,
    private readonly fallback: (name: string) => string,
    private readonly log?: Logger,
  ) {}

  arn(name: string): string {
    return this.arns.get(name) ?? this.fallback(name);
  }

  async refresh(names: Iterable<string>): Promise<void> {
    if ([...names].every((name) => this.arns.has(name))) return;
    try {
      for (const secret of await this.secrets.list(this.listPrefix)) if (secret.arn && secret.deletedAt === undefined) this.arns.set(secret.name, secret.arn);
    } catch (error) {
      this.log?.warn({ err: error }, 'could not list tenant secrets; run environments use partial secret ARNs');
    }
  }
}
