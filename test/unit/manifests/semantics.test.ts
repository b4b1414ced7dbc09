import { describe, expect, it } from 'vitest';
import { RECIPIENT_CHARACTERS } from '../../../controller/manifests/semantic.js';
import { FILE, manifest, problems, yaml } from './helpers.js';

const CRON_RULE = 'allowed: five fields "minute hour day-of-month month day-of-week", e.g. "0 7 * * 1-5"';

/** A tenant of `tier` whose agents are given as [name, ...extra lines]; each agent takes 2 + extra lines, the first starting at line 11. */
function withAgents(tier: string, ...agents: [string, ...string[]][]): string {
  const lines = ['  agents:'];
  for (const [name, ...extra] of agents) lines.push(`    - name: ${name}`, '      schedule: "0 7 * * *"', ...extra);
  return manifest({ tier, spec: yaml(...lines) });
}

/** One butler on a starter tenant with the given schedule and timezone lines (schedule on line 12, timezone on 13). */
function butler(schedule: string, timezone = 'UTC'): string {
  return manifest({ spec: yaml('  agents:', '    - name: butler', `      schedule: "${schedule}"`, `      timezone: ${timezone}`) });
}

describe('layer 3: semantics', () => {
  describe('the tier allows every enabled agent', () => {
    it('rejects scout on the starter tier, pointing at the agent name and listing what starter includes', () => {
      expect(problems(withAgents('starter', ['butler'], ['scout']))).toEqual([
        `${FILE}:13:13 spec.agents[1].name: "scout" is not included in tier "starter" (allowed: butler)`,
      ]);
    });

    it('rejects writer on the starter tier', () => {
      expect(problems(withAgents('starter', ['writer']))).toEqual([
        `${FILE}:11:13 spec.agents[0].name: "writer" is not included in tier "starter" (allowed: butler)`,
      ]);
    });

    it('rejects writer on the professional tier, listing butler and scout', () => {
      expect(problems(withAgents('professional', ['butler'], ['scout'], ['writer']))).toEqual([
        `${FILE}:15:13 spec.agents[2].name: "writer" is not included in tier "professional" (allowed: butler, scout)`,
      ]);
    });

    it('accepts butler on starter, butler and scout on professional, and all three on enterprise', () => {
      expect(problems(withAgents('starter', ['butler']))).toEqual([]);
      expect(problems(withAgents('professional', ['butler'], ['scout']))).toEqual([]);
      expect(problems(withAgents('enterprise', ['butler'], ['scout'], ['writer']))).toEqual([]);
    });

    it('accepts an agent outside the tier while it is disabled', () => {
      expect(problems(withAgents('starter', ['butler'], ['writer', '      enabled: false']))).toEqual([]);
    });

    it('rejects the same agent once it is enabled explicitly', () => {
      expect(problems(withAgents('starter', ['writer', '      enabled: true']))).toEqual([
        `${FILE}:11:13 spec.agents[0].name: "writer" is not included in tier "starter" (allowed: butler)`,
      ]);
    });
  });

  describe('cron schedules', () => {
    it('rejects a six-field schedule with seconds, saying how many fields it has', () => {
      expect(problems(butler('0 0 7 * * *'))).toEqual([`${FILE}:12:17 spec.agents[0].schedule: "0 0 7 * * *" has 6 fields (${CRON_RULE})`]);
    });

    it('rejects a schedule with a minute out of range, with the parser’s reason', () => {
      expect(problems(butler('61 * * * *'))).toEqual([
        `${FILE}:12:17 spec.agents[0].schedule: "61 * * * *" is not a valid cron expression: Constraint error, got value 61 expected range 0-59 (${CRON_RULE})`,
      ]);
    });

    it('rejects a schedule that is not cron at all', () => {
      const [problem] = problems(butler('every day at 7'));
      expect(problem).toBe(`${FILE}:12:17 spec.agents[0].schedule: "every day at 7" has 4 fields (${CRON_RULE})`);
    });

    it('accepts five-field schedules with steps, ranges and lists', () => {
      for (const schedule of ['*/5 * * * *', '0 7 * * 1-5', '30 6,18 1 */2 *']) expect(problems(butler(schedule))).toEqual([]);
    });
  });

  describe('time zones', () => {
    it('rejects a time zone that is not in the IANA database, with examples of names', () => {
      expect(problems(butler('0 7 * * *', 'Mars/Olympus_Mons'))).toEqual([
        `${FILE}:13:17 spec.agents[0].timezone: "Mars/Olympus_Mons" is not an IANA time zone (allowed: names such as "UTC", "Europe/Berlin", "America/New_York")`,
      ]);
    });

    it('rejects a UTC offset in place of a zone name', () => {
      expect(problems(butler('0 7 * * *', '"+01:00"'))).toEqual([
        `${FILE}:13:17 spec.agents[0].timezone: "+01:00" is not an IANA time zone (allowed: names such as "UTC", "Europe/Berlin", "America/New_York")`,
      ]);
    });

    it('accepts IANA zone names', () => {
      for (const zone of ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata']) expect(problems(butler('0 7 * * *', zone))).toEqual([]);
    });
  });

  describe('duplicates within a tenant', () => {
    it('rejects an agent listed twice, pointing at the second and naming the first', () => {
      expect(problems(withAgents('enterprise', ['butler'], ['scout'], ['butler']))).toEqual([
        `${FILE}:15:13 spec.agents[2].name: agent "butler" is listed twice (first at spec.agents[0])`,
      ]);
    });

    it('rejects an integration listed twice, pointing at the second and naming the first', () => {
      const text = manifest({ spec: yaml('  integrations:', '    - provider: google', '    - provider: slack', '    - provider: google') });
      expect(problems(text)).toEqual([
        `${FILE}:13:17 spec.integrations[2].provider: integration "google" is listed twice (first at spec.integrations[0])`,
      ]);
    });

    it('accepts distinct agents and distinct integrations', () => {
      const text = manifest({ spec: yaml('  integrations:', '    - provider: google', '    - provider: slack') });
      expect(problems(text)).toEqual([]);
      expect(problems(withAgents('enterprise', ['butler'], ['scout']))).toEqual([]);
    });
  });

  describe('storage lifecycle', () => {
    it('rejects expiring on the day objects are archived', () => {
      expect(problems(manifest({ spec: yaml('  storage:', '    archiveAfterDays: 90', '    expireAfterDays: 90') }))).toEqual([
        `${FILE}:12:22 spec.storage.expireAfterDays: 90 must be greater than archiveAfterDays (90): objects are archived before they expire`,
      ]);
    });

    it('rejects expiring before archiving', () => {
      expect(problems(manifest({ spec: yaml('  storage:', '    archiveAfterDays: 60', '    expireAfterDays: 30') }))).toEqual([
        `${FILE}:12:22 spec.storage.expireAfterDays: 30 must be greater than archiveAfterDays (60): objects are archived before they expire`,
      ]);
    });

    it('rejects archiving after the default expiry, pointing at the storage block', () => {
      expect(problems(manifest({ spec: yaml('  storage:', '    archiveAfterDays: 400') }))).toEqual([
        `${FILE}:11:5 spec.storage.expireAfterDays: 365 must be greater than archiveAfterDays (400): objects are archived before they expire`,
      ]);
    });

    it('accepts expiring one day after archiving', () => {
      expect(problems(manifest({ spec: yaml('  storage:', '    archiveAfterDays: 90', '    expireAfterDays: 91') }))).toEqual([]);
    });
  });

  describe('cost-allocation tag keys', () => {
    it('rejects a key with the reserved aws: prefix, pointing at the key', () => {
      expect(problems(manifest({ spec: yaml('  costAllocationTags:', '    aws:createdBy: me') }))).toEqual([
        `${FILE}:11:5 spec.costAllocationTags."aws:createdBy": tag key "aws:createdBy" is not allowed (allowed: 1-128 letters, digits, spaces and _.:/=+-@, not starting with "aws:" or "openclaw" in any case)`,
      ]);
    });

    it('rejects a key the controller reserves for itself', () => {
      expect(problems(manifest({ spec: yaml('  costAllocationTags:', '    openclaw-tenant: other') }))[0]).toMatch(
        /^tenants\/acme\.yaml:11:5 spec\.costAllocationTags\.openclaw-tenant: tag key "openclaw-tenant" is not allowed/,
      );
    });

    it('rejects the reserved prefix in any case, since IAM compares tag keys without regard to case', () => {
      expect(problems(manifest({ spec: yaml('  costAllocationTags:', '    OpenClaw:managed-by: other') }))).toEqual([
        `${FILE}:11:5 spec.costAllocationTags."OpenClaw:managed-by": tag key "OpenClaw:managed-by" is not allowed (allowed: 1-128 letters, digits, spaces and _.:/=+-@, not starting with "aws:" or "openclaw" in any case)`,
      ]);
      expect(problems(manifest({ spec: yaml('  costAllocationTags:', '    OPENCLAW-tenant: other') }))[0]).toMatch(/tag key "OPENCLAW-tenant" is not allowed/);
    });

    it('rejects a key longer than the 128 characters AWS allows', () => {
      const key = 'k'.repeat(129);
      expect(problems(manifest({ spec: yaml('  costAllocationTags:', `    ${key}: x`) }))[0]).toMatch(/^tenants\/acme\.yaml:11:5 .*is not allowed \(allowed: 1-128/);
    });

    it('rejects a key with characters AWS does not allow in tags', () => {
      expect(problems(manifest({ spec: yaml('  costAllocationTags:', '    "cost#center": x') }))[0]).toMatch(
        /^tenants\/acme\.yaml:11:5 spec\.costAllocationTags\."cost#center": tag key "cost#center" is not allowed/,
      );
    });

    it('accepts keys with letters, digits, spaces and _.:/=+-@', () => {
      expect(problems(manifest({ spec: yaml('  costAllocationTags:', '    cost-center: smb', '    "team name": ops', '    billing/owner@acme: x') }))).toEqual([]);
    });
  });

  describe('the paused annotation', () => {
    const paused = (value: string) => manifest().replace('  name: acme', `  name: acme\n  annotations:\n    openclaw.io/paused: ${value}`);

    it('rejects a value other than "true" or "false", pointing at it', () => {
      expect(problems(paused('"yes"'))).toEqual([
        `${FILE}:6:25 metadata.annotations."openclaw.io/paused": "yes" is not allowed (allowed: "true", "false")`,
      ]);
    });

    it('rejects an unquoted true, which YAML reads as a boolean, and says the string is wanted', () => {
      expect(problems(paused('true'))).toEqual([
        `${FILE}:6:25 metadata.annotations."openclaw.io/paused": expected string, found boolean true`,
        `${FILE}:6:25 metadata.annotations."openclaw.io/paused": true is not allowed (allowed: "true", "false")`,
      ]);
    });

    it('accepts "true" and "false"', () => {
      expect(problems(paused('"true"'))).toEqual([]);
      expect(problems(paused('"false"'))).toEqual([]);
    });
  });
});

describe('layer 3: digest recipients', () => {
  it('accepts recipients on butler, and points at a duplicate or the contact listed again', () => {
    expect(problems(withAgents('starter', ['butler', '      recipients: [sales@acme.example]']))).toEqual([]);
    expect(problems(withAgents('starter', ['butler', '      recipients:', '        - sales@acme.example', '        - OPS@acme.example', '        - Sales@acme.example']))).toEqual([
      `${FILE}:15:11 spec.agents[0].recipients[1]: "OPS@acme.example" is the tenant's contact, who gets the digest already`,
      `${FILE}:16:11 spec.agents[0].recipients[2]: "Sales@acme.example" is listed twice (first at recipients[0])`,
    ]);
  });

  it('rejects recipients on an agent that sends no email, and an address that is not one', () => {
    expect(problems(withAgents('professional', ['scout', '      recipients: [sales@acme.example]']))).toEqual([
      `${FILE}:13:7 spec.agents[0].recipients: "scout" sends no email: recipients are allowed on butler only`,
    ]);
    expect(problems(withAgents('starter', ['butler', '      recipients: [not-an-address]'])).join('\n')).toMatch(/spec\.agents\[0\]\.recipients\[0\]: .*email/);
  });

  it('rejects addresses that together would not fit in a run’s ECS overrides, at the recipients list, and accepts them up to the bound', () => {
    // The contact (ops@acme.example, 16 characters) and twenty recipients of 124 or 125 characters each.
    const address = (i: number, length: number) => `${String(i).padStart(2, '0')}${'x'.repeat(length - 2 - '@acme.example'.length)}@acme.example`;
    const list = (lengths: number[]): [string, ...string[]] => ['butler', '      recipients:', ...lengths.map((n, i) => `        - ${address(i, n)}`)];
    const atBound = [...Array(4).fill(125), ...Array(16).fill(124)];
    expect(16 + atBound.reduce((a, b) => a + b, 0)).toBe(RECIPIENT_CHARACTERS);
    expect(problems(withAgents('starter', list(atBound)))).toEqual([]);
    expect(problems(withAgents('starter', list([126, ...atBound.slice(1)])))).toEqual([
      `${FILE}:13:7 spec.agents[0].recipients: the contact's and the recipients' addresses take 2501 characters (allowed: at most 2500 together, since a run carries them in ECS's 8,192 characters of overrides; send to a list address instead)`,
    ]);
  });
});
