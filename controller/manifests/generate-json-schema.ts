/**
 * Writes tenants/tenant.schema.json from the CRD, for editors: the example manifests
 * reference it with a `yaml-language-server: $schema=` modeline. A test fails when the
 * file is stale, so the CRD stays the one source of truth.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { manifestJsonSchema } from './crd.js';

export const EDITOR_SCHEMA_PATH = fileURLToPath(new URL('../../tenants/tenant.schema.json', import.meta.url));

export function editorSchemaText(): string {
  return `${JSON.stringify(manifestJsonSchema(), null, 2)}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(EDITOR_SCHEMA_PATH, editorSchemaText());
  console.log(`wrote ${EDITOR_SCHEMA_PATH}`);
}
