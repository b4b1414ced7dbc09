import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TIERS } from '../../../contract/catalog.js';
import { validateDirectory } from '../../../controller/manifests/index.js';
import { EDITOR_SCHEMA_PATH, editorSchemaText } from '../../../controller/manifests/generate-json-schema.js';
import { REPO_ROOT, TENANTS_DIR, exampleManifests } from './helpers.js';

const MODELINE = '# yaml-language-server: $schema=./tenant.schema.json';

describe('the example tenants in tenants/', () => {
  it('validate with no issue at all', async () => {
    const result = await validateDirectory(TENANTS_DIR, { relativeTo: REPO_ROOT });
    expect(result.issues).toEqual([]);
    expect(result.tenants.length).toBe(exampleManifests().length);
  });

  it('include at least one tenant of every tier', async () => {
    const { tenants } = await validateDirectory(TENANTS_DIR);
    const tiers = new Set(tenants.map((t) => t.manifest.spec.tier));
    for (const tier of TIERS) expect(tiers, `no example of tier ${tier}`).toContain(tier);
  });

  it.each(exampleManifests().map(({ file, text }) => [file, text]))('%s starts with the yaml-language-server modeline', (_file, text) => {
    expect(text.split('\n')[0]).toBe(MODELINE);
  });
});

describe('the editor schema tenants/tenant.schema.json', () => {
  it('is exactly what `npm run schema` generates from the CRD (run it when this fails)', () => {
    expect(readFileSync(EDITOR_SCHEMA_PATH, 'utf8')).toBe(editorSchemaText());
  });

  it('is the file the modelines point at', () => {
    for (const { file, text } of exampleManifests()) {
      const target = /\$schema=(\S+)/.exec(text.split('\n')[0])?.[1];
      expect(target && resolve(TENANTS_DIR, target), file).toBe(resolve(EDITOR_SCHEMA_PATH));
    }
  });
});
