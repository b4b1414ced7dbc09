import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

/**
 * Paths that may carry a secret. Secrets should never reach a log call in the first
 * place; redaction is the second line of defence.
 */
export const REDACT_PATHS = [
  'password', '*.password', '*.*.password',
  'secret', '*.secret', 'secretString', '*.secretString', 'SecretString', '*.SecretString',
  'databaseUrl', '*.databaseUrl', 'connectionString', '*.connectionString',
  'credentials', '*.credentials', 'authorization', '*.authorization', '*.headers.authorization',
];

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
