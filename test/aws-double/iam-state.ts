// IAM's in-memory state: roles (names unique without regard to case), their inline policies and tags,
// with optional eventual consistency — a new role is invisible to reads, a deleted one stays visible
// to them, for `eventualConsistencyMs` on the injected clock.
import type { Role, RoleDetail } from '@aws-sdk/client-iam';
import type { Env } from './options.js';
import { fail } from './errors.js';
import { renderPolicy } from './iam-policy.js';
import type { StoredTag } from './tags.js';

export interface IamRoleRecord {
  RoleName: string;
  RoleId: string;
  Arn: string;
  Path: string;
  CreateDate: Date;
  /** As submitted; reads return it re-serialized and URL-encoded. */
  AssumeRolePolicyDocument: string;
  Description?: string;
  MaxSessionDuration: number;
  PermissionsBoundaryArn?: string;
  Tags: StoredTag[];
  /** Inline policies by name, documents as submitted. */
  policies: Map<string, string>;
  visibleAt: number;
  deletedAt?: number;
}

export class IamState {
  /** Keyed by lower-cased role name. Tests may edit records directly (out-of-band changes). */
  readonly roles = new Map<string, IamRoleRecord>();
  /** When set, PermissionsBoundary ARNs must be in it (NoSuchEntity otherwise). */
  boundaryPolicies: Set<string> | null = null;

  constructor(private readonly env: Env) {}

  /** The stored role regardless of visibility (for tests). */
  role(name: string): IamRoleRecord | undefined {
    const r = this.roles.get(name.toLowerCase());
    return r && r.deletedAt === undefined ? r : undefined;
  }

  /** A role as a read API sees it (eventual consistency applies). */
  forRead(name: string | undefined): IamRoleRecord {
    const r = this.roles.get(String(name).toLowerCase());
    if (!r || !this.readable(r)) notFound(name);
    return r;
  }

  /** A role as a write API sees it (the control plane's own view). */
  forWrite(name: string | undefined): IamRoleRecord {
    const r = this.role(String(name));
    if (!r) notFound(name);
    return r;
  }

  /** A permissions boundary must be a policy ARN (and a known one when boundaryPolicies is set). */
  checkBoundary(arn: string | undefined): void {
    if (arn === undefined) return;
    if (!/^arn:aws:iam::(aws|\d{12}):policy\/.+/.test(arn)) fail('InvalidInput', `ARN ${arn} is not valid.`);
    if (this.boundaryPolicies && !this.boundaryPolicies.has(arn)) {
      fail('NoSuchEntity', `Scope ARN: ${arn} does not exist or is not attachable.`, 404);
    }
  }

  readable(r: IamRoleRecord): boolean {
    const now = this.env.now();
    if (now < r.visibleAt) return false;
    return r.deletedAt === undefined || now < r.deletedAt + this.env.options.eventualConsistencyMs;
  }

  /** Roles a list API sees, sorted by name. */
  listable(): IamRoleRecord[] {
    this.purge();
    return [...this.roles.values()]
      .filter((r) => this.readable(r))
      .sort((a, b) => (a.RoleName.toLowerCase() < b.RoleName.toLowerCase() ? -1 : 1));
  }

  liveCount(): number {
    return [...this.roles.values()].filter((r) => r.deletedAt === undefined).length;
  }

  private purge(): void {
    for (const [key, r] of this.roles) if (r.deletedAt !== undefined && !this.readable(r)) this.roles.delete(key);
  }
}

function notFound(name: string | undefined): never {
  fail('NoSuchEntity', `The role with name ${name} cannot be found.`, 404);
}

/** Role as Get/Create return it; `brief` is ListRoles' subset (no boundary, tags or last use). */
export function roleView(r: IamRoleRecord, brief = false): Role {
  const base: Role = {
    Path: r.Path,
    RoleName: r.RoleName,
    RoleId: r.RoleId,
    Arn: r.Arn,
    CreateDate: new Date(r.CreateDate),
    AssumeRolePolicyDocument: renderPolicy(r.AssumeRolePolicyDocument),
    Description: r.Description,
    MaxSessionDuration: r.MaxSessionDuration,
  };
  if (brief) return base;
  return { ...base, ...boundaryAndTags(r), RoleLastUsed: {} };
}

export function roleDetail(r: IamRoleRecord): RoleDetail {
  const { Description: _d, MaxSessionDuration: _m, ...base } = roleView(r, true);
  return {
    ...base,
    InstanceProfileList: [],
    RolePolicyList: [...r.policies].map(([PolicyName, doc]) => ({ PolicyName, PolicyDocument: renderPolicy(doc) })),
    AttachedManagedPolicies: [],
    ...boundaryAndTags(r),
    RoleLastUsed: {},
  };
}

function boundaryAndTags(r: IamRoleRecord): Pick<Role, 'PermissionsBoundary' | 'Tags'> {
  return {
    PermissionsBoundary: r.PermissionsBoundaryArn
      ? { PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: r.PermissionsBoundaryArn }
      : undefined,
    Tags: r.Tags.length ? r.Tags.map((t) => ({ ...t })) : undefined,
  };
}
