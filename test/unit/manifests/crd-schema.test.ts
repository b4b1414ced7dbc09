import { describe, expect, it } from 'vitest';
import { FILE, manifest, problems, withButler, yaml } from './helpers.js';

const SPEC_FIELDS = 'displayName, contact, tier, isolation, suspended, deletionPolicy, agents, integrations, storage, costAllocationTags, billing, limits';
const AGENT_FIELDS = 'name, enabled, schedule, timezone, concurrencyPolicy, startingDeadlineSeconds, recipients';

/** A tenant whose storage block holds the given lines (the first is line 11). */
function withStorage(...storageLines: string[]): string {
  return manifest({ spec: yaml('  storage:', ...storageLines) });
}

describe('layer 2: the CRD schema', () => {
  describe('apiVersion and kind', () => {
    it('accepts the apiVersion and kind the CRD declares', () => {
      expect(problems(manifest())).toEqual([]);
    });

    it('rejects another apiVersion, naming the one allowed', () => {
      expect(problems(manifest().replace('openclaw.io/v1alpha1', 'openclaw.io/v1'))).toEqual([
        `${FILE}:1:13 apiVersion: "openclaw.io/v1" is not allowed (allowed: openclaw.io/v1alpha1)`,
      ]);
    });

    it('rejects a manifest without apiVersion, pointing at the document', () => {
      expect(problems(manifest().replace('apiVersion: openclaw.io/v1alpha1\n', ''))).toEqual([`${FILE}:1:1 apiVersion: is required`]);
    });

    it('rejects another kind, naming the one allowed', () => {
      expect(problems(manifest().replace('kind: Tenant', 'kind: TenantList'))).toEqual([
        `${FILE}:2:7 kind: "TenantList" is not allowed (allowed: Tenant)`,
      ]);
    });
  });

  describe('unknown fields', () => {
    it('rejects an unknown top-level field such as status, listing the allowed fields', () => {
      expect(problems(manifest({ spec: 'status: {}' }))).toEqual([
        `${FILE}:10:1 status: unknown field "status" (allowed: apiVersion, kind, metadata, spec)`,
      ]);
    });

    it('rejects an unknown field in spec, pointing at its key and listing the allowed fields', () => {
      expect(problems(manifest({ spec: '  owner: dana' }))).toEqual([`${FILE}:10:3 spec.owner: unknown field "owner" (allowed: ${SPEC_FIELDS})`]);
    });

    it('rejects a misspelt field of an agent, listing the fields an agent has', () => {
      expect(problems(withButler('      timezon: UTC'))).toEqual([
        `${FILE}:13:7 spec.agents[0].timezon: unknown field "timezon" (allowed: ${AGENT_FIELDS})`,
      ]);
    });

    it('accepts the same agent field spelt right', () => {
      expect(problems(withButler('      timezone: UTC'))).toEqual([]);
    });

    it('rejects an unknown field in storage, listing the storage fields', () => {
      expect(problems(withStorage('    archiveDays: 30'))).toEqual([
        `${FILE}:11:5 spec.storage.archiveDays: unknown field "archiveDays" (allowed: archiveAfterDays, expireAfterDays)`,
      ]);
    });

    it('rejects a metadata field a tenant may not set, such as namespace', () => {
      expect(problems(manifest().replace('  name: acme', '  name: acme\n  namespace: default'))).toEqual([
        `${FILE}:5:3 metadata.namespace: unknown field "namespace" (allowed: name, labels, annotations)`,
      ]);
    });

    it('accepts labels and annotations in metadata', () => {
      expect(problems(manifest().replace('  name: acme', '  name: acme\n  labels: {region: eu}\n  annotations: {note: hi}'))).toEqual([]);
    });
  });

  describe('required fields', () => {
    it('rejects a spec without displayName, pointing at the spec', () => {
      expect(problems(manifest().replace('  displayName: Acme Bakeries\n', ''))).toEqual([`${FILE}:6:3 spec.displayName: is required`]);
    });

    it('rejects a contact without email, pointing at the contact', () => {
      expect(problems(manifest().replace('    email: ops@acme.example', '    name: Dana Okafor'))).toEqual([
        `${FILE}:8:5 spec.contact.email: is required`,
      ]);
    });

    it('rejects a spec without tier', () => {
      expect(problems(manifest().replace('  tier: starter', ''))).toEqual([`${FILE}:6:3 spec.tier: is required`]);
    });

    it('rejects metadata without a name', () => {
      expect(problems(manifest().replace('  name: acme', '  labels: {region: eu}'))).toEqual([`${FILE}:4:3 metadata.name: is required`]);
    });

    it('rejects an agent without a schedule', () => {
      const text = manifest({ spec: yaml('  agents:', '    - name: butler') });
      expect(problems(text)).toEqual([`${FILE}:11:7 spec.agents[0].schedule: is required`]);
    });

    it('accepts a contact with an email and no name', () => {
      expect(problems(manifest())).toEqual([]);
    });
  });

  describe('types', () => {
    it('rejects a string where a boolean belongs, showing what was found', () => {
      expect(problems(manifest({ spec: '  suspended: "yes"' }))).toEqual([`${FILE}:10:14 spec.suspended: expected boolean, found string "yes"`]);
    });

    it('rejects a mapping where the agents list belongs', () => {
      expect(problems(manifest({ spec: '  agents: {name: butler}' }))).toEqual([`${FILE}:10:11 spec.agents: expected array, found object`]);
    });

    it('rejects a quoted number and a fraction where an integer belongs', () => {
      expect(problems(withButler('      startingDeadlineSeconds: "600"'))).toEqual([
        `${FILE}:13:32 spec.agents[0].startingDeadlineSeconds: expected integer, found string "600"`,
      ]);
      expect(problems(withButler('      startingDeadlineSeconds: 60.5'))).toEqual([
        `${FILE}:13:32 spec.agents[0].startingDeadlineSeconds: expected integer, found number 60.5`,
      ]);
    });

    it('shows an infinite number as Infinity, not as null', () => {
      expect(problems(withStorage('    archiveAfterDays: .inf', '    expireAfterDays: .inf'))).toContain(
        `${FILE}:11:23 spec.storage.archiveAfterDays: expected integer, found number Infinity`,
      );
    });

    it('keeps a numeric map key as a key in the field path', () => {
      expect(problems(manifest({ spec: '  costAllocationTags: {"2026": 5}' }))).toEqual([
        `${FILE}:10:32 spec.costAllocationTags."2026": expected string, found number 5`,
      ]);
    });

    it('accepts true for a boolean and a whole number for an integer', () => {
      expect(problems(manifest({ spec: '  suspended: true' }))).toEqual([]);
      expect(problems(withButler('      startingDeadlineSeconds: 600'))).toEqual([]);
    });
  });

  describe('enumerations', () => {
    it('rejects an unknown tier, listing the tiers', () => {
      expect(problems(manifest({ tier: 'gold' }))).toEqual([`${FILE}:9:9 spec.tier: "gold" is not allowed (allowed: starter, professional, enterprise)`]);
    });

    it('rejects an unknown concurrency policy, listing the policies', () => {
      expect(problems(withButler('      concurrencyPolicy: Queue'))).toEqual([
        `${FILE}:13:26 spec.agents[0].concurrencyPolicy: "Queue" is not allowed (allowed: Forbid, Allow, Replace)`,
      ]);
    });

    it('rejects a deletion policy in the wrong case, listing the policies', () => {
      expect(problems(manifest({ spec: '  deletionPolicy: delete' }))).toEqual([
        `${FILE}:10:19 spec.deletionPolicy: "delete" is not allowed (allowed: Retain, Delete)`,
      ]);
    });

    it('rejects an integration provider the controller does not know, listing the providers', () => {
      expect(problems(manifest({ spec: yaml('  integrations:', '    - provider: dropbox') }))).toEqual([
        `${FILE}:11:17 spec.integrations[0].provider: "dropbox" is not allowed (allowed: google, microsoft, salesforce, hubspot, slack)`,
      ]);
    });

    it('rejects an agent the platform does not run', () => {
      expect(problems(manifest({ spec: yaml('  agents:', '    - name: closer', '      schedule: "0 7 * * *"') }))).toEqual([
        `${FILE}:11:13 spec.agents[0].name: "closer" is not allowed (allowed: butler, scout, writer)`,
      ]);
    });

    it('accepts every value of each enumeration', () => {
      for (const tier of ['starter', 'professional', 'enterprise']) expect(problems(manifest({ tier }))).toEqual([]);
      for (const policy of ['Forbid', 'Allow', 'Replace']) expect(problems(withButler(`      concurrencyPolicy: ${policy}`))).toEqual([]);
      for (const policy of ['Retain', 'Delete']) expect(problems(manifest({ spec: `  deletionPolicy: ${policy}` }))).toEqual([]);
      for (const provider of ['google', 'microsoft', 'salesforce', 'hubspot', 'slack']) {
        expect(problems(manifest({ spec: yaml('  integrations:', `    - provider: ${provider}`) }))).toEqual([]);
      }
    });
  });

  describe('minimum and maximum', () => {
    it('rejects a starting deadline under 10 seconds', () => {
      expect(problems(withButler('      startingDeadlineSeconds: 9'))).toEqual([
        `${FILE}:13:32 spec.agents[0].startingDeadlineSeconds: 9 is out of range (allowed: ≥ 10)`,
      ]);
    });

    it('rejects a starting deadline over a day', () => {
      expect(problems(withButler('      startingDeadlineSeconds: 86401'))).toEqual([
        `${FILE}:13:32 spec.agents[0].startingDeadlineSeconds: 86401 is out of range (allowed: ≤ 86400)`,
      ]);
    });

    it('accepts a starting deadline of exactly 10 seconds and of exactly one day', () => {
      expect(problems(withButler('      startingDeadlineSeconds: 10'))).toEqual([]);
      expect(problems(withButler('      startingDeadlineSeconds: 86400'))).toEqual([]);
    });

    it('rejects archiving after 0 days', () => {
      expect(problems(withStorage('    archiveAfterDays: 0'))).toEqual([`${FILE}:11:23 spec.storage.archiveAfterDays: 0 is out of range (allowed: ≥ 1)`]);
    });

    it('rejects archiving after more than ten years', () => {
      expect(problems(withStorage('    archiveAfterDays: 3651', '    expireAfterDays: 3650'))).toEqual([
        `${FILE}:11:23 spec.storage.archiveAfterDays: 3651 is out of range (allowed: ≤ 3650)`,
        `${FILE}:12:22 spec.storage.expireAfterDays: 3650 must be greater than archiveAfterDays (3651): objects are archived before they expire`,
      ]);
    });

    it('accepts archiving after 1 day and after 3649 days', () => {
      expect(problems(withStorage('    archiveAfterDays: 1'))).toEqual([]);
      expect(problems(withStorage('    archiveAfterDays: 3649', '    expireAfterDays: 3650'))).toEqual([]);
    });

    it('rejects an empty display name', () => {
      expect(problems(manifest().replace('displayName: Acme Bakeries', 'displayName: ""'))).toEqual([
        `${FILE}:6:16 spec.displayName: "" is too short (at least 1 character)`,
      ]);
    });
  });

  describe('formats', () => {
    it('rejects a contact email that is not an address, saying what an address looks like', () => {
      expect(problems(manifest().replace('ops@acme.example', 'ops at acme'))).toEqual([
        `${FILE}:8:12 spec.contact.email: "ops at acme" is not a valid email (allowed: an address such as "ops@example.com")`,
      ]);
    });

    it('accepts an address with a plus and a subdomain', () => {
      expect(problems(manifest().replace('ops@acme.example', 'ops+tenants@mail.acme.example'))).toEqual([]);
    });
  });
});
