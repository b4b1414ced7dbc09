import { createIntegrations } from '../integrations/index.js';
import { tenantAndProvider } from './connect.js';
import { EXIT, OUTPUT_OPTION, outputFormat, type Command } from './command.js';
import { withController } from './context.js';

const usage = 'tenantctl disconnect <TENANT> <PROVIDER> [--output text|json]';

/** Revokes the tenant's token at the provider (where it can) and empties its integration secret. */
export const disconnectCommand: Command = {
  name: 'disconnect',
  summary: "Revoke a tenant's connected account at the provider and empty its integration secret",
  usage,
  options: OUTPUT_OPTION,
  maxPositionals: 2,
  async run(args, io) {
    const format = outputFormat(args, ['text', 'json'] as const, usage);
    const { tenant, provider } = tenantAndProvider(args, usage);
    return withController(io, undefined, async (ctx) => {
      const { keeper } = createIntegrations(ctx);
      const result = await keeper.disconnect(tenant, provider);
      if (format === 'json') io.stdout(`${JSON.stringify({ tenant, provider, disconnected: true, ...result }, null, 2)}\n`);
      else {
        const revoked = { revoked: 'the token was revoked at the provider', unsupported: `${provider} offers no revocation: the customer can remove OpenClaw from their account's connected apps`, 'not-needed': 'there was no token to revoke' }[result.revocation];
        io.stdout(`Disconnected ${tenant} · ${provider}: ${revoked}; the integration secret is empty.\n`);
      }
      return EXIT.ok;
    });
  },
};
