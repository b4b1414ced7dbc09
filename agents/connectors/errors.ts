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
  constructor(
    readonly code: ConnectorErrorCode,
    readonly integration: IntegrationProviderName,
    message: string,
    readonly detail: { status?: number; providerCode?: string } = {},
    options?: { cause?: unknown },
  ) {
    super(`${integration}: ${message}`, options);
  }
}

export function isConnectorError(error: unknown, code?: ConnectorErrorCode): error is ConnectorError {
  return error instanceof ConnectorError && (code === undefined || error.code === code);
}
