import type { Logger } from 'pino';
import type { SecretsApi } from '../providers/types.js';

/**
 * Secret name → ARN, for the run environment. Filled by one batched listing of the tenants' secrets
 * when a name is missing (new tenants), not one call per launch. A name not listed yet falls back to
 * `fallback(name)`: in AWS a partial ARN, which GetSecretValue resolves. Of a listed ARN that is its
 * partial one and a tail (AWS's `-` and six random characters), only the tail is held: a hundred
 * thousand secrets' ARNs are a few megabytes less.
 */
export class SecretArns {
  /** What a listed ARN adds to `fallback(name)`. */
  private readonly tails = new Map<string, string>();
  /** Listed ARNs that do not start with `fallback(name)`. */
  private readonly others = new Map<string, string>();

  constructor(
    private readonly secrets: Pick<SecretsApi, 'list'>,
    private readonly listPrefix: string,
    private readonly fallback: (name: string) => string,
    private readonly log?: Logger,
  ) {}

  arn(name: string): string {
    const tail = this.tails.get(name);
    return tail === undefined ? this.others.get(name) ?? this.fallback(name) : `${this.fallback(name)}${tail}`;
  }

  /** Whether every one of `names` has been listed. */
  knows(names: Iterable<string>): boolean {
    for (const name of names) if (!this.tails.has(name) && !this.others.has(name)) return false;
    return true;
  }

  /** Lists the tenants' secrets (one batched listing), for the ARNs of new ones. */
  async list(): Promise<void> {
    try {
      for (const { name, arn, deletedAt } of await this.secrets.list(this.listPrefix)) {
        if (!arn || deletedAt !== undefined) continue;
        const partial = this.fallback(name);
        if (arn.startsWith(partial)) this.tails.set(name, arn.slice(partial.length));
        else this.others.set(name, arn);
      }
    } catch (error) {
      this.log?.warn({ err: error }, 'could not list tenant secrets; run environments use partial secret ARNs');
    }
  }
}
