import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

/** Field names that may carry a secret, wherever they are. */
const SECRET_FIELDS = [
  'password', 'secret', 'secretString', 'SecretString', 'databaseUrl', 'connectionString', 'credentials',
  'authorization', 'token', 'accessToken', 'refreshToken', 'clientSecret',
];

/**
 * Paths that may carry a secret: each field above at the top level and up to three objects deep (pino's
 * paths have no recursive wildcard). Secrets should never reach a log call in the first place;
 * redaction is the second line of defence.
 */
export const REDACT_PATHS = SECRET_FIELDS.flatMap((field) => ['', '*.', '*.*.', '*.*.*.'].map((prefix) => `${prefix}${field}`));

export function createLogger(options: { level?: string; destination?: DestinationStream; base?: Record<string, unknown> } = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: 'openclaw-controller', ...options.base },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination,
  );
}
