import { UsageError } from '../../contract/errors.js';
import { ApiTokens, generateToken, TOKEN_NAME, TOKEN_VALUE } from '../status/access/tokens.js';
import { isRole } from '../status/access/session.js';
import { EXIT, operatorName, type CliIo, type Command } from './command.js';
import { withStore } from './context.js';

const usage = 'tenantctl token create NAME --role viewer|operator [--from-env VAR] | tenantctl token list | tenantctl token revoke NAME';

/**
 * API tokens for machines. `create` prints a new random token once (or takes one from an environment
 * variable, for a secret a CI system already holds; never from argv) and stores only its SHA-256.
 */
export const tokenCommand: Command = {
  name: 'token',
  summary: 'Create, list or revoke API tokens for the ops API (stored hashed; a new token is shown once)',
  usage,
  options: { role: { type: 'string' }, 'from-env': { type: 'string' } },
  maxPositionals: 2,
  async run(args, io) {
    const [verb, name] = args.positionals;
    if (verb === 'list') {
      return withStore(io, async ({ pool }) => {
        const tokens = await new ApiTokens(pool).list();
        if (tokens.length === 0) io.stdout('no API tokens\n');
        for (const t of tokens) io.stdout(`${t.name}\t${t.role}\tcreated ${t.createdAt} by ${t.createdBy}\tlast used ${t.lastUsedAt ?? 'never'}\n`);
        return EXIT.ok;
      });
    }
    if (verb !== 'create' && verb !== 'revoke') throw new UsageError(`${verb === undefined ? 'a verb is required' : `${JSON.stringify(verb)} is not a token verb`} (allowed: create, list, revoke)\nusage: ${usage}`);
    if (!name || !TOKEN_NAME.test(name)) throw new UsageError(`${name === undefined ? 'a token name is required' : `${JSON.stringify(name)} is not a token name`} (allowed: lowercase letters, digits and "-", at most 63)\nusage: ${usage}`);
    if (verb === 'revoke') {
      return withStore(io, async ({ pool }) => {
        if (await new ApiTokens(pool).revoke(name)) {
          io.stdout(`Revoked API token ${name}.\n`);
          return EXIT.ok;
        }
        io.stderr(`tenantctl token: no API token named ${name}\n`);
        return EXIT.failure;
      });
    }
    const role = args.values.role;
    if (!isRole(role)) throw new UsageError(`--role ${role === undefined ? 'is required' : `${JSON.stringify(role)} is not a role`} (allowed: viewer, operator)\nusage: ${usage}`);
    const given = tokenFrom(args.values['from-env'], io);
    const token = given ?? generateToken();
    return withStore(io, async ({ pool }) => {
      const created = await new ApiTokens(pool).create(name, role, token, operatorName(io.env));
      if (created !== 'created') {
        io.stderr(`tenantctl token: ${created === 'name taken' ? `an API token named ${name} exists; revoke it first` : 'that token value is already in use'}\n`);
        return EXIT.failure;
      }
      io.stdout(given ? `Created API token ${name} (${role}) from the given secret.\n` : `Created API token ${name} (${role}). It is shown only now:\n${token}\n`);
      return EXIT.ok;
    });
  },
};

function tokenFrom(variable: string | boolean | undefined, io: CliIo): string | undefined {
  if (variable === undefined) return undefined;
  const value = typeof variable === 'string' ? io.env[variable] : undefined;
  if (value === undefined) throw new UsageError(`--from-env ${JSON.stringify(variable)}: no such environment variable\nusage: ${usage}`);
  if (!TOKEN_VALUE.test(value)) throw new UsageError(`--from-env ${variable}: the value is not a usable token (allowed: 32 to 512 characters of A-Z a-z 0-9 _-.~+/=)`);
  return value;
}
