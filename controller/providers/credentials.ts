import { createHash, randomBytes } from 'node:crypto';
import { ControllerError } from '../../contract/errors.js';
import { names, secretsRoot } from '../../contract/names.js';
import { MANAGED_BY_TAG, MANAGED_BY_VALUE, TENANT_TAG } from '../desired/tenant.js';
import { parseDbCredentials, type DbCredentials } from '../../contract/db-credentials.js';
import type { DbCredentialStore, SecretsApi } from './types.js';

export const FINGERPRINT_TAG = 'openclaw:credential-fingerprint';

/** A short, non-reversible fingerprint of a 256-bit random password: safe to keep in tags and role comments. */
export function credentialFingerprint(password: string): string {
  return createHash('sha256').update(password).digest('hex').slice(0, 16);
}

export function generatePassword(): string {
  return randomBytes(32).toString('base64url');
}

/** A secret's current value, or undefined when the secret does not exist. */
export async function secretValueIfExists(secrets: Pick<SecretsApi, 'getValue'>, name: string): Promise<string | undefined> {
  return secrets.getValue(name).catch((error: unknown) => {
    if (error instanceof ControllerError && error.code === 'NOT_FOUND') return undefined;
    throw error;
  });
}

/** Database credentials kept in each tenant's `…/tenants/<name>/db` secret, on any SecretsApi. */
export function secretBackedCredentials(secrets: SecretsApi, secretsPrefix: string): DbCredentialStore {
  const secretName = (tenant: string) => names.dbSecret(secretsPrefix, tenant);
  const tenantOf = (secret: string) => /\/tenants\/([^/]+)\/db$/.exec(secret)?.[1];

  async function read(tenant: string) {
    const value = await secretValueIfExists(secrets, secretName(tenant));
    if (value === undefined) return undefined;
    const parsed = parseDbCredentials(value);
    if ('problem' in parsed) {
      // Not what the controller writes: someone changed it by hand. A new password would lock out whoever did; an operator decides.
      throw new ControllerError('CONFLICT', `secret ${secretName(tenant)}: the database credentials ${parsed.problem}; fix or delete its value`);
    }
    return { ...parsed.credentials, fingerprint: credentialFingerprint(parsed.credentials.password) };
  }

  async function write(tenant: string, username: string, exists: boolean, tags: Record<string, string> = {}) {
    const credentials: DbCredentials = { username, password: generatePassword() };
    const fingerprint = credentialFingerprint(credentials.password);
    const body = JSON.stringify(credentials);
    if (exists) {
      // Tag first: from here the tag differs from the role's fingerprint, so a pass repairs
      // whatever an interruption leaves (value not written yet: the role keeps the old value and
      // the tag is set back; value written: the role gets it). Value first could leave a new
      // value under the old tag, which no pass would notice.
      await secrets.tag(secretName(tenant), { [FINGERPRINT_TAG]: fingerprint });
      await secrets.putValue(secretName(tenant), body);
      return { ...credentials, fingerprint };
    }
    await secrets.create(secretName(tenant), body, { ...tags, [MANAGED_BY_TAG]: MANAGED_BY_VALUE, [TENANT_TAG]: tenant, [FINGERPRINT_TAG]: fingerprint }, `Runtime database credentials of tenant ${tenant}`);
    return { ...credentials, fingerprint, created: true };
  }

  return {
    async fingerprints(tenants) {
      // A few tenants: a listing of each one's own folder, which the secrets module lists at the same moment (one set of calls).
      const listed = tenants
        ? (await Promise.all(tenants.map((tenant) => secrets.list(names.secretsPath(secretsPrefix, tenant))))).flat()
        : await secrets.list(secretsRoot(secretsPrefix));
      const result = new Map<string, string>();
      for (const secret of listed) {
        const tenant = tenantOf(secret.name);
        const fingerprint = secret.tags[FINGERPRINT_TAG];
        if (tenant && fingerprint && secret.deletedAt === undefined) result.set(tenant, fingerprint);
      }
      return result;
    },
    get: read,
    async ensure(tenant, username, tags) {
      const existing = await read(tenant);
      if (existing) return existing;
      const listed = await secrets.list(secretName(tenant));
      const present = listed.find((s) => s.name === secretName(tenant));
      if (present?.deletedAt !== undefined) await secrets.restore(present.name);
      if (present && present.tags[MANAGED_BY_TAG] !== MANAGED_BY_VALUE) {
        throw new ControllerError('NOT_OWNED', `secret ${present.name} exists but is not managed by the controller; it is left untouched`);
      }
      if (present) {
        const restored = await read(tenant);
        if (restored) return restored;
      }
      return write(tenant, username, present !== undefined, tags);
    },
    async confirm(tenant, fingerprint) {
      const present = (await secrets.list(secretName(tenant))).find((s) => s.name === secretName(tenant));
      if (present && present.tags[FINGERPRINT_TAG] !== fingerprint) await secrets.tag(present.name, { [FINGERPRINT_TAG]: fingerprint });
    },
    async rotate(tenant, username) {
      const listed = await secrets.list(secretName(tenant));
      return write(tenant, username, listed.some((s) => s.name === secretName(tenant)));
    },
  };
}
