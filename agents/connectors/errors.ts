import type { IntegrationProviderName } from '../../contract/integration-secret.js';

/**
 * Why a connector stopped. `REAUTHORIZATION_REQUIRED`: the provider refused the token and no
 * renewed one exists; `PROVIDER_UNAVAILABLE`: throttling or outage outlasted the retries or the
 * run's deadline; `PROVIDER_REFUSED`: any other error answer; `CURSOR_EXPIRED`: the provider no
 * longer knows the stored cursor (a full sync follows); `INVALID_RESPONSE`: an answer that is not
 * the provider's documented shape, or a link to another origin.
 */
export type ConnectorErrorCode = 'REAUTHORIZATION_REQUIRED' | 'PROVIDER_UNAVAILABLE' | 'PROVIDER_REFUSED' | 'CURSOR_EXPIRED' | 'INVALID_RESPONSE' | 'NOT_CONNECTED';

export class ConnectorError extends Error {
  override readonly name = 'ConnectorError';
  /** The other integrations that failed in the same run (ingest reports them all in one error). */
  readonly others: readonly ConnectorError[];
  constructor(
    readonly code: ConnectorErrorCode,
    readonly integration: IntegrationProviderName,
    message: string,
    readonly detail: { status?: number; providerCode?: string } = {},
    options: { cause?: unknown; others?: readonly ConnectorError[] } = {},
  ) {
    super(`${integration}: ${message}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.others = options.others ?? [];
  }
}

/** The integrations whose provider refused the tenant's authorization, in `error` and the failures reported with it. */
export function refusedAuthorizations(error: unknown): IntegrationProviderName[] {
  if (!(error instanceof ConnectorError)) return [];
  return [...new Set([error, ...error.others].filter((e) => e.code === 'REAUTHORIZATION_REQUIRED').map((e) => e.integration))];
}

export function isConnectorError(error: unknown, code?: ConnectorErrorCode): error is ConnectorError {
  return error instanceof ConnectorError && (code === undefined || error.code === code);
}
