/**
 * Synthetic tenant manifests, deterministic by index: six in ten starter (butler, one integration),
 * three professional (butler and scout, two integrations), one enterprise (three agents, three
 * integrations), across three storage classes. All silo (a role, a schema and secrets each), whatever
 * the tier's default, so the scenarios measure the per-tenant resources they count; the pooled
 * scenarios (bench/pool.ts) write the same tenants with `isolation: pool`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ManifestText } from '../controller/manifests/validate.js';

export function tenantName(index: number, prefix = 'bench'): string {
  return `${prefix}-${String(index).padStart(5, '0')}`;
}

type Tier = 'starter' | 'professional' | 'enterprise';

interface Shape {
  tier: Tier;
  agents: { name: string; schedule: string; timezone: string }[];
  integrations: string[];
  storage: [number, number];
}

function shapeOf(index: number): Shape {
  const slot = index % 10;
  if (slot < 6) {
    return { tier: 'starter', agents: [{ name: 'butler', schedule: '0 7 * * *', timezone: 'Europe/Berlin' }], integrations: ['google'], storage: [30, 365] };
  }
  if (slot < 9) {
    return {
      tier: 'professional',
      agents: [{ name: 'butler', schedule: '0 7 * * 1-5', timezone: 'America/New_York' }, { name: 'scout', schedule: '0 */4 * * *', timezone: 'America/New_York' }],
      integrations: ['microsoft', 'hubspot'],
      storage: [60, 730],
    };
  }
  return {
    tier: 'enterprise',
    agents: [
      { name: 'butler', schedule: '30 6 * * *', timezone: 'Asia/Tokyo' },
      { name: 'scout', schedule: '*/15 * * * *', timezone: 'Asia/Tokyo' },
      { name: 'writer', schedule: '30 8 * * 1-5', timezone: 'UTC' },
    ],
    integrations: ['google', 'salesforce', 'slack'],
    storage: [90, 2555],
  };
}

/** The one-tenant change: a starter tenant upgraded to professional, with scout and a HubSpot integration. */
export function upgradedShape(): Shape {
  return {
    tier: 'professional',
    agents: [{ name: 'butler', schedule: '0 7 * * *', timezone: 'Europe/Berlin' }, { name: 'scout', schedule: '0 */4 * * *', timezone: 'Europe/Berlin' }],
    integrations: ['google', 'hubspot'],
    storage: [30, 365],
  };
}

export type BenchIsolation = 'silo' | 'pool';

export function manifestYaml(name: string, index: number, shape: Shape = shapeOf(index), isolation: BenchIsolation = 'silo'): string {
  const agents = shape.agents.map((a) => `    - name: ${a.name}\n      schedule: "${a.schedule}"\n      timezone: ${a.timezone}\n`).join('');
  const integrations = shape.integrations.map((p) => `    - provider: ${p}\n`).join('');
  return `apiVersion: openclaw.io/v1alpha1
kind: Tenant
metadata:
  name: ${name}
  labels:
    region: ${['eu', 'us', 'apac'][index % 3]}
spec:
  displayName: Bench Tenant ${index}
  contact:
    name: Operator ${index}
    email: ops+${index}@${name}.example
  tier: ${shape.tier}
  isolation: ${isolation}
  deletionPolicy: ${index % 4 === 0 ? 'Delete' : 'Retain'}
  agents:
${agents}  integrations:
${integrations}  storage:
    archiveAfterDays: ${shape.storage[0]}
    expireAfterDays: ${shape.storage[1]}
  costAllocationTags:
    cost-center: cc-${index % 20}
    team: team-${index % 7}
`;
}

/** Manifest texts for tenants 1..count, as a directory source would read them. */
export function manifestTexts(count: number, prefix = 'bench', isolation: BenchIsolation = 'silo'): ManifestText[] {
  return Array.from({ length: count }, (_, i) => {
    const name = tenantName(i + 1, prefix);
    return { file: `tenants/${name}.yaml`, text: manifestYaml(name, i + 1, shapeOf(i + 1), isolation) };
  });
}

export function writeManifests(dir: string, count: number, prefix = 'bench', isolation: BenchIsolation = 'silo'): void {
  mkdirSync(dir, { recursive: true });
  for (let i = 1; i <= count; i++) {
    const name = tenantName(i, prefix);
    writeFileSync(join(dir, `${name}.yaml`), manifestYaml(name, i, shapeOf(i), isolation));
  }
}

/** Writing calls a cold converge cannot do without, per AWS service (see docs/PERFORMANCE.md). */
export function minimumWrites(count: number): Record<string, number> {
  let secrets = 0;
  for (let i = 1; i <= count; i++) secrets += 1 + shapeOf(i).integrations.length;
  // IAM: CreateRole (with trust, boundary and tags) + PutRolePolicy; inline policies cannot be set by CreateRole.
  // Secrets Manager: one CreateSecret per secret, tags and value included. S3: one marker per tenant + the bucket lifecycle.
  return { iam: 2 * count, secretsmanager: secrets, s3: count + 1 };
}
