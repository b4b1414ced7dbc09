import { parseDuration } from '../config-reader.js';
import { UsageError } from '../../contract/errors.js';
import { expiryArgument, issueLink, providerArgument } from '../integrations/issue.js';
import { LinkStore } from '../integrations/links.js';
import { tenantNameProblem } from '../manifests/semantic.js';
import type { IntegrationProviderName } from '../../contract/integration-secret.js';
import { EXIT, OUTPUT_OPTION, outputFormat, type Command, type ParsedArgs } from './command.js';
import { withStore } from './context.js';

const usage = 'tenantctl connect <TENANT> <PROVIDER> [--expires 72h] [--output text|json]';

/** The TENANT PROVIDER positionals of connect and disconnect, checked. */
export function tenantAndProvider(args: ParsedArgs, usage: string): { tenant: string; provider: IntegrationProviderName } {
  const [tenant, providerName] = args.positionals;
  if (!tenant || !providerName) throw new UsageError(`a tenant and a provider are required\nusage: ${usage}`);
  const problem = tenantNameProblem(tenant);
  if (problem) throw new UsageError(`${JSON.stringify(tenant)} is not a tenant name (${problem})\nusage: ${usage}`);
  return { tenant, provider: providerArgument(providerName) };
}

/** Prints a one-time onboarding link; the customer opens it to connect the tenant's account. */
export const connectCommand: Command = {
  name: 'connect',
  summary: 'Issue a one-time onboarding link: the customer opens it and connects Google, Microsoft or HubSpot',
  usage,
  options: { ...OUTPUT_OPTION, expires: { type: 'string' } },
  maxPositionals: 2,
  async run(args, io) {
    const format = outputFormat(args, ['text', 'json'] as const, usage);
    const { tenant, provider } = tenantAndProvider(args, usage);
    const expires = args.values.expires;
    const ttlMs = typeof expires === 'string' ? parseDuration(expires) : undefined;
    if (typeof expires === 'string' && ttlMs === undefined) throw new UsageError(`--expires ${JSON.stringify(expires)} is not a duration (allowed: 1m to 30d, such as 30m, 72h, 7d)\nusage: ${usage}`);
    expiryArgument(ttlMs);

    return withStore(io, async (ctx) => {
      const link = await issueLink({ config: ctx.config, status: ctx.store, links: new LinkStore(ctx.pool, Date.now) }, { tenant, provider, ttlMs, createdBy: `tenantctl:${io.env.USER ?? 'unknown'}` });
      if (format === 'json') io.stdout(`${JSON.stringify(link, null, 2)}\n`);
      else {
        io.stdout(`Onboarding link for ${tenant} · ${provider}, single use, expires ${link.expiresAt}:\n\n  ${link.url}\n\n`);
        io.stdout(`Send it to the customer. \`tenantctl describe ${tenant}\` shows the integration once it is connected.\n`);
      }
      return EXIT.ok;
    });
  },
};
