/**
 * One tenant whose record PostgreSQL refuses must not stop the pass for the others. Validation
 * rejects such input now; this is the second line, for whatever a later layer refuses that
 * validation did not foresee: the snapshot is handed to the loop as a source would, bypassing it.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateManifests } from '../../controller/manifests/index.js';
import type { SourceSnapshot } from '../../controller/source/types.js';
import { createWorld, type World } from '../helpers/world.js';
import { secretsOnlyProvider } from '../helpers/secrets-only-provider.js';

const example = (name: string) => ({ file: `tenants/${name}.yaml`, text: readFileSync(new URL(`../../tenants/${name}.yaml`, import.meta.url), 'utf8') });

function snapshotWithUnstorableTenant(): SourceSnapshot {
  const result = validateManifests([example('acme'), example('globex')]);
  expect(result.issues).toEqual([]);
  const tenants = result.tenants.map((t) => t.name === 'acme'
    ? { ...t, manifest: { ...t.manifest, spec: { ...t.manifest.spec, displayName: 'Acme\u0000Bakeries' } } }
    : t);
  return { revision: 'dir:000000000001', tenants, issues: [], fileCount: 2 };
}

describe('a tenant whose record cannot be stored', () => {
  let world: World;

  beforeAll(async () => {
    const snapshot = snapshotWithUnstorableTenant();
    world = await createWorld({
      examples: false,
      provider: secretsOnlyProvider(mkdtempSync(join(tmpdir(), 'oc-isolation-'))),
      source: { describe: () => 'fixed snapshot', load: async () => snapshot },
    });
  });
  afterAll(async () => world?.close());

  it('fails that tenant alone: the pass completes and the other tenant converges', async () => {
    const report = await world.pass();
    const acme = report.outcomes.find((o) => o.tenant === 'acme');
    const globex = report.outcomes.find((o) => o.tenant === 'globex');
    expect(acme?.error).toMatchObject({ retryable: true });
    expect(acme?.error?.message).toMatch(/^could not record tenant acme: /);
    expect(globex?.error).toBeUndefined();
    expect(globex?.applied.length).toBeGreaterThan(0);
    const statuses = new Map((await world.ctx.store.statuses()).map((s) => [s.tenant, s]));
    expect(statuses.get('globex')?.conditions.find((c) => c.type === 'Ready')?.status).toBe('True');
    expect(statuses.get('acme')?.lastError).toMatch(/^could not record tenant acme: /);
    expect(world.ctx.loop.firstPassDone).toBe(true);
  });
});
