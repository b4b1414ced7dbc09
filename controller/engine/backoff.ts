/**
 * Per-tenant retry bookkeeping: exponential backoff with full jitter and a cap for
 * transient failures; terminal failures stop retrying until the tenant's desired
 * state changes (a new manifest), as controller-runtime does with its rate-limited queue.
 */
export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
  now: () => number;
  random: () => number;
}

interface Entry {
  failures: number;
  retryAt: number;
  terminalFor?: string;
}

export class TenantBackoff {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly options: BackoffOptions) {}

  /** Records a failure and returns when the tenant may be retried (undefined: not until its manifest changes). */
  failure(tenant: string, retryable: boolean, desiredFingerprint: string): number | undefined {
    const entry = this.entries.get(tenant) ?? { failures: 0, retryAt: 0 };
    entry.failures += 1;
    if (!retryable) {
      entry.terminalFor = desiredFingerprint;
      entry.retryAt = Number.POSITIVE_INFINITY;
      this.entries.set(tenant, entry);
      return undefined;
    }
    const ceiling = Math.min(this.options.maxMs, this.options.baseMs * 2 ** (entry.failures - 1));
    entry.retryAt = this.options.now() + Math.max(this.options.baseMs / 2, this.options.random() * ceiling);
    delete entry.terminalFor;
    this.entries.set(tenant, entry);
    return entry.retryAt;
  }

  success(tenant: string): void {
    this.entries.delete(tenant);
  }

  /** Should this pass leave the tenant alone? A changed manifest lifts a terminal stop. */
  blocked(tenant: string, desiredFingerprint: string): boolean {
    const entry = this.entries.get(tenant);
    if (!entry) return false;
    if (entry.terminalFor !== undefined) {
      if (entry.terminalFor === desiredFingerprint) return true;
      this.entries.delete(tenant);
      return false;
    }
    return this.options.now() < entry.retryAt;
  }

  failures(tenant: string): number {
    return this.entries.get(tenant)?.failures ?? 0;
  }

  /** The earliest time a transiently failed tenant is due again. */
  nextDue(): number | undefined {
    const due = [...this.entries.values()].filter((e) => e.terminalFor === undefined).map((e) => e.retryAt);
    return due.length > 0 ? Math.min(...due) : undefined;
  }

  dueTenants(): string[] {
    const now = this.options.now();
    return [...this.entries.entries()].filter(([, e]) => e.terminalFor === undefined && e.retryAt <= now).map(([t]) => t);
  }
}
