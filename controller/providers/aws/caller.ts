import type { Client, Command, MetadataBearer } from '@smithy/types';
import type { Logger } from 'pino';
import type { ControllerError } from '../../../contract/errors.js';
import { awsErrorStatus, classifyAwsError, isThrottling } from './errors.js';
import { callClass, type AdaptiveRateLimiter } from './rate-limit.js';

export interface RetryPolicy {
  /** Attempts per call, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/** 8 attempts over up to ~40 s: a call throttled 30 % of the time fails all 8 with p ≈ 7e-5. */
export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 8, baseDelayMs: 100, maxDelayMs: 20_000 };

/** Exponential backoff with full jitter: uniform in [0, min(max, base·2^attempt)). */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number): number {
  return Math.floor(random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt));
}

/** An SDK v3 client and one of its commands, as the SDK types them: the command's own output comes back. */
export type SdkClient<In extends object, Out extends MetadataBearer, Config> = Client<In, Out, Config>;
export type SdkCommand<In extends object, I extends In, Out extends MetadataBearer, O extends Out, Config> = Command<In, I, Out, O, Config>;

export interface AwsCallerOptions {
  limiter: AdaptiveRateLimiter;
  random: () => number;
  sleep: (ms: number) => Promise<void>;
  log: Logger;
  retry?: Partial<RetryPolicy>;
  /** Told of every throttling answer, by `service:Operation` (for metrics). */
  onThrottle?: (name: string) => void;
}

/** Every AWS call of the provider goes through here: rate limit → send → classify → retry. */
export class AwsCaller {
  private readonly retry: RetryPolicy;

  constructor(private readonly options: AwsCallerOptions) {
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
  }

  /** `send` bound to one service's client, for the adapter of that service. */
  bind<In extends object, Out extends MetadataBearer, Config>(service: string, client: SdkClient<In, Out, Config>) {
    return <I extends In, O extends Out>(command: SdkCommand<In, I, Out, O, Config>): Promise<O> => this.send(service, client, command);
  }

  async send<In extends object, I extends In, Out extends MetadataBearer, O extends Out, Config>(
    service: string, client: SdkClient<In, Out, Config>, command: SdkCommand<In, I, Out, O, Config>,
  ): Promise<O> {
    const operation = command.constructor.name.replace(/Command$/, '');
    const key = `${service}:${callClass(operation)}`;
    const name = `${service}:${operation}`;
    let lastError: ControllerError | undefined;
    for (let attempt = 0; attempt < this.retry.maxAttempts; attempt++) {
      await this.options.limiter.acquire(key);
      try {
        const output = await client.send(command);
        this.options.limiter.succeeded(key);
        return output;
      } catch (error) {
        const classified = classifyAwsError(error, name);
        if (isThrottling(error)) {
          this.options.limiter.throttled(key);
          this.options.onThrottle?.(name);
        }
        if (!classified.retryable || classified.code === 'CONFLICT' || isPassThrough(error)) throw classified;
        lastError = classified;
        const delay = backoffDelay(attempt, this.retry, this.options.random);
        this.options.log.debug({ operation: name, attempt: attempt + 1, delayMs: delay, err: classified.message }, 'retrying AWS call');
        await this.options.sleep(delay);
      }
    }
    lastError!.message = `could not ${name} after ${this.retry.maxAttempts} attempts: ${lastError!.message}`;
    throw lastError!;
  }
}

/** Not-found answers are not retried here: the adapters decide what they mean. */
function isPassThrough(error: unknown): boolean {
  return awsErrorStatus(error) === 404 || /^(NoSuch|ResourceNotFound|NotFound)/.test(error instanceof Error ? error.name : '');
}
