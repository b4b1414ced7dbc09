/**
 * Onboarding as `tenantctl run` starts it: the sandbox identity providers (local provider, for
 * each provider without a client id), the public listener, and the refresher that renews access
 * tokens before they expire.
 */
import { INTEGRATION_PROVIDERS } from '../../contract/integration-secret.js';
import type { RuntimePart } from '../runtime.js';
import { createIntegrations, publicUrlOf, type IntegrationsContext } from './index.js';
import { safeError } from './keeper.js';
import { startPublicServer } from './public-server.js';
import { SANDBOX_CLIENT } from './resolve.js';
import { startAuthorizationSandbox, type AuthorizationSandbox } from './sandbox/server.js';

export const REFRESH_SWEEP_MS = 60_000;

export const onboardingPart: RuntimePart<IntegrationsContext> = {
  name: 'onboarding',
  async start(ctx) {
    const log = ctx.log.child({ component: 'onboarding' });
    const wantsSandbox = INTEGRATION_PROVIDERS.some((p) => ctx.config.integrations[p].mode === 'sandbox');
    let sandbox: AuthorizationSandbox | undefined;
    if (wantsSandbox) {
      sandbox = await startAuthorizationSandbox({ clients: [], now: ctx.now, port: ctx.config.publicFace.sandboxPort });
      log.warn({ url: sandbox.url }, 'SANDBOX identity providers running: onboarding links connect to the local sandbox, not to Google, Microsoft or HubSpot');
    }
    let publicUrl = publicUrlOf(ctx.config);
    const integrations = createIntegrations(ctx, { sandboxPort: sandbox ? Number(new URL(sandbox.url).port) : undefined, publicUrl: () => publicUrl });
    const server = await startPublicServer({ onboarding: integrations.onboarding, optOuts: integrations.optOuts, log: ctx.log, publicUrl, sandbox: integrations.sandboxed, port: ctx.config.publicFace.port });
    publicUrl = publicUrlOf(ctx.config, server.port);
    sandbox?.addClient({ ...SANDBOX_CLIENT, redirectUris: [`${publicUrl}/callback`] });

    let sweeping: Promise<unknown> = Promise.resolve();
    const timer = setInterval(() => {
      sweeping = integrations.keeper.refreshDue().then((counts) => {
        if (counts.refreshed + counts.failed + counts['reauthorization-required'] > 0) log.info({ counts }, 'refresh sweep');
      }).catch((error) => log.warn({ error: safeError(error) }, 'refresh sweep failed'));
    }, REFRESH_SWEEP_MS);
    timer.unref();
    return {
      async stop() {
        clearInterval(timer);
        await sweeping;
        await server.close();
        await sandbox?.close();
      },
    };
  },
};
