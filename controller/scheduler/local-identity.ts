/**
 * When the controller runs as root, each tenant's local agents run as an unprivileged user of their own
 * (a uid and gid with no login, allocated once per tenant and kept in `<dataDir>/agents/uids.json`):
 * they can write only their tenant's `tenants/<name>/agents/` folder and its outbox (`outbox/<name>/`), and cannot read the secret-store
 * key, the database files or any other tenant's folder. Not root: agents run as the controller's user,
 * which the README states plainly.
 */
import { chmod, chown, mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { outboxFolder } from '../../contract/agent-env.js';
import { jsonFileShape, readJsonFile } from '../json-file.js';

const UIDS_FILE = jsonFileShape<Record<string, number>>('each tenant\'s user id (a tenant name → a whole number)', {
  type: 'object', additionalProperties: { type: 'integer' }, required: [],
});

export interface AgentIdentity {
  uid: number;
  gid: number;
  /** A private home folder (HOME) for the run. */
  home: string;
}

/** Far above the ids a system hands out to people and services, so no account is shared by accident. */
const FIRST_ID = 700_000;

async function chownTree(path: string, uid: number, gid: number): Promise<void> {
  await chown(path, uid, gid);
  for (const entry of await readdir(path, { withFileTypes: true })) {
    if (entry.isDirectory()) await chownTree(join(path, entry.name), uid, gid);
    else await chown(join(path, entry.name), uid, gid);
  }
}

/** Adds search (x) for others to a folder, and takes away read: others may pass through, never list. */
async function passThrough(dir: string): Promise<void> {
  const mode = (await stat(dir)).mode & 0o7777;
  await chmod(dir, (mode | 0o011) & ~0o044);
}

async function uidOf(dataDir: string, tenant: string): Promise<number> {
  const file = join(dataDir, 'agents', 'uids.json');
  await mkdir(join(dataDir, 'agents'), { recursive: true, mode: 0o700 });
  const uids = (await readJsonFile(file, UIDS_FILE)) ?? {};
  if (uids[tenant] !== undefined) return uids[tenant];
  const uid = Math.max(FIRST_ID - 1, ...Object.values(uids)) + 1;
  await writeFile(file, JSON.stringify({ ...uids, [tenant]: uid }, null, 2), { mode: 0o600 });
  return uid;
}

/**
 * The identity `tenant`'s agents run as, with its folders prepared: `tenants/<name>/agents/` and `outbox/<name>/` owned by it
 * (0700), the folders above passable but not listable, a private home. Undefined when not root.
 */
export async function agentIdentity(dataDir: string, bucket: string, tenant: string): Promise<AgentIdentity | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const uid = await uidOf(dataDir, tenant);
  const bucketDir = join(dataDir, 's3', bucket);
  const prefix = join(bucketDir, 'tenants', tenant);
  const outputs = join(prefix, 'agents');
  const home = join(dataDir, 'agents', 'home', tenant);
  const outbox = outboxFolder(dataDir, tenant);
  for (const dir of [outputs, home, outbox]) await mkdir(dir, { recursive: true });
  for (const dir of [dataDir, join(dataDir, 's3'), bucketDir, join(bucketDir, 'tenants'), prefix, join(dataDir, 'agents'), join(dataDir, 'agents', 'home'), join(dataDir, 'outbox')]) await passThrough(dir);
  for (const dir of [outputs, home, outbox]) {
    await chownTree(dir, uid, uid);
    await chmod(dir, 0o700);
  }
  return { uid, gid: uid, home };
}
