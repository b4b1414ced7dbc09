export { createAwsProvider, type AwsProviderDeps } from './provider.js';
export { buildAwsClients, type AwsClients } from './clients.js';
export { AdaptiveRateLimiter, DEFAULT_RATE_LIMITS, type RateLimit } from './rate-limit.js';
export { DEFAULT_RETRY, backoffDelay, type RetryPolicy } from './caller.js';
export { classifyAwsError } from './errors.js';
