/**
 * Ownership and tags, shared by the AWS resource modules (iam, s3, secrets), and the change builders of every kind: the controller
 * modifies or deletes only what carries `openclaw:managed-by = openclaw-tenant-controller`.
 */
import { MANAGED_BY_TAG, MANAGED_BY_VALUE } from '../desired/tenant.js';
import type { Action, Change, ChangeBase, FleetChange } from '../engine/types.js';

export function isManaged(tags: Readonly<Record<string, string>> | undefined): boolean {
  return tags?.[MANAGED_BY_TAG] === MANAGED_BY_VALUE;
}

/**
 * The desired tags the resource lacks or holds with another value. Tags nobody asked for are
 * left alone: other tools (cost allocation, backup, security tooling) tag resources too.
 */
export function missingTags(desired: Readonly<Record<string, string>>, observed: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(desired).filter(([key, value]) => observed[key] !== value));
}

export function notOwnedMessage(what: string): string {
  return `${what} exists but is not tagged ${MANAGED_BY_TAG}=${MANAGED_BY_VALUE}; it is left untouched`;
}

/** A change builder for one kind: plain data, with defaults for the optional parts. */
export function changeFactory<D>(kind: string) {
  return (tenant: string, resource: string, action: Action, rest: Partial<ChangeBase<D>> = {}): Change<D> => ({
    tenant, kind, resource, action, before: null, after: null, destructive: false, fields: [], ...rest,
  });
}

/** The same for a kind's fleet-wide changes, which belong to no tenant. */
export function fleetChangeFactory<D>(kind: string) {
  return (resource: string, action: Action, rest: Partial<ChangeBase<D>> = {}): FleetChange<D> => ({
    kind, resource, action, before: null, after: null, destructive: false, fields: [], ...rest,
  });
}
