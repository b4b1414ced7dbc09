import { join } from 'node:path';
import { ControllerError, errorMessage, TerminalError, TransientError } from '../../../contract/errors.js';
import type { CreateRoleInput, IamApi, IamRole } from '../apis.js';
import { isRecord } from '../../../contract/json.js';
import { jsonFileShape, readJsonFile, STRING_MAP } from '../../json-file.js';
import { removeFile, walkFiles, writeJson } from './files.js';

const ROLE_FILE = jsonFileShape<IamRole>('an IAM role (name, path, arn, assumeRolePolicy, inlinePolicies, tags)', {
  type: 'object',
  properties: {
    name: { type: 'string' }, path: { type: 'string' }, arn: { type: 'string' }, assumeRolePolicy: { type: 'string' },
    inlinePolicies: STRING_MAP, tags: STRING_MAP,
    permissionsBoundaryArn: { type: 'string', nullable: true },
    attachedPolicyArns: { type: 'array', items: { type: 'string' }, nullable: true },
  },
  required: ['name', 'path', 'arn', 'assumeRolePolicy', 'inlinePolicies', 'tags'],
});

/** IAM's own limits, so that what works locally also fits in AWS. */
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const INLINE_POLICY_QUOTA = 10_240;

/**
 * IAM roles as JSON documents under `<dataDir>/iam/roles/<name>.json`. Nothing is enforced by
 * them; they record what the controller would grant in AWS, with the same semantics and errors.
 */
export class LocalIam implements IamApi {
  private readonly dir: string;

  constructor(dataDir: string, private readonly accountId: string) {
    this.dir = join(dataDir, 'iam', 'roles');
  }

  async listRoles(pathPrefix: string): Promise<IamRole[]> {
    const files = await walkFiles(this.dir, this.dir);
    const roles = await Promise.all(files.filter((f) => f.endsWith('.json')).map((f) => readJsonFile(join(this.dir, f), ROLE_FILE)));
    return roles.filter((r): r is IamRole => r !== undefined && r.path.startsWith(pathPrefix)).sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  getRole(roleName: string): Promise<IamRole | undefined> {
    return this.read(roleName);
  }

  async createRole(input: CreateRoleInput): Promise<{ arn: string }> {
    if (!ROLE_NAME.test(input.name)) throw new TerminalError('INTERNAL', `role name ${JSON.stringify(input.name)} is not valid (1-64 of [\\w+=,.@-])`);
    if (await this.read(input.name)) throw new ControllerError('CONFLICT', `role ${input.name} already exists`);
    parseDocument(input.assumeRolePolicy);
    const role: IamRole = {
      name: input.name,
      path: input.path,
      arn: `arn:aws:iam::${this.accountId}:role${input.path}${input.name}`,
      assumeRolePolicy: input.assumeRolePolicy,
      inlinePolicies: {},
      tags: { ...input.tags },
      ...(input.permissionsBoundaryArn ? { permissionsBoundaryArn: input.permissionsBoundaryArn } : {}),
      attachedPolicyArns: [],
    };
    await this.write(role);
    return { arn: role.arn };
  }

  updateAssumeRolePolicy(roleName: string, document: string): Promise<void> {
    parseDocument(document);
    return this.update(roleName, (role) => void (role.assumeRolePolicy = document));
  }

  putRolePolicy(roleName: string, policyName: string, document: string): Promise<void> {
    parseDocument(document);
    return this.update(roleName, (role) => {
      const others = Object.entries(role.inlinePolicies).filter(([name]) => name !== policyName);
      const size = [...others.map(([, d]) => d), document].reduce((n, d) => n + d.replace(/\s/g, '').length, 0);
      if (size > INLINE_POLICY_QUOTA) throw new TerminalError('LIMIT_EXCEEDED', `Maximum policy size of ${INLINE_POLICY_QUOTA} bytes exceeded for role ${roleName}`);
      role.inlinePolicies[policyName] = document;
    });
  }

  async deleteRolePolicy(roleName: string, policyName: string): Promise<void> {
    if (!(await this.read(roleName))) return;
    await this.update(roleName, (role) => void delete role.inlinePolicies[policyName]);
  }

  tagRole(roleName: string, tags: Record<string, string>): Promise<void> {
    return this.update(roleName, (role) => void Object.assign(role.tags, tags));
  }

  untagRole(roleName: string, keys: string[]): Promise<void> {
    return this.update(roleName, (role) => keys.forEach((k) => delete role.tags[k]));
  }

  putPermissionsBoundary(roleName: string, boundaryArn: string): Promise<void> {
    return this.update(roleName, (role) => void (role.permissionsBoundaryArn = boundaryArn));
  }

  async deleteRole(roleName: string): Promise<void> {
    const role = await this.read(roleName);
    if (!role) return;
    if (Object.keys(role.inlinePolicies).length > 0) {
      throw new ControllerError('CONFLICT', `Cannot delete entity, must delete policies first (role ${roleName})`, { retryable: true });
    }
    await removeFile(this.file(roleName));
  }

  private file(roleName: string): string {
    return join(this.dir, `${roleName.toLowerCase()}.json`);
  }

  private read(roleName: string): Promise<IamRole | undefined> {
    return readJsonFile(this.file(roleName), ROLE_FILE);
  }

  private write(role: IamRole): Promise<void> {
    return writeJson(this.file(role.name), role);
  }

  private async update(roleName: string, mutate: (role: IamRole) => void): Promise<void> {
    const role = await this.read(roleName);
    if (!role) throw new TransientError(`role ${roleName} does not exist`);
    mutate(role);
    await this.write(role);
  }
}

function parseDocument(document: string): void {
  try {
    const parsed: unknown = JSON.parse(document);
    if (!isRecord(parsed) || parsed.Statement === undefined) throw new Error('no Statement');
  } catch (error) {
    throw new TerminalError('INTERNAL', `MalformedPolicyDocument: Syntax errors in policy (${errorMessage(error)})`, error);
  }
}
