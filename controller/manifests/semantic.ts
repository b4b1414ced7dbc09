import { CronExpressionParser } from 'cron-parser';
import { TIERS, agentsInTier, isAgentName } from '../../contract/catalog.js';
import { isRecord } from '../../contract/json.js';
import { isOneOf } from '../../contract/one-of.js';
import { errorMessage } from '../../contract/errors.js';
import { MAX_TENANT_NAME_LENGTH, TENANT_NAME_PATTERN } from '../../contract/names.js';
import { formatPath, locate, type ParsedDocument, type PathSegment } from './parse.js';
import { show } from './schema.js';
import { unstorableText } from './text.js';
import type { ValidationIssue } from './types.js';

/** Annotations a tenant manifest may carry that change what the controller does. */
export const ANNOTATIONS = {
  paused: 'openclaw.io/paused',
  confirmDeletion: 'openclaw.io/confirm-deletion',
} as const;

/** What an absent object or list reads as: shared, so a manifest missing parts allocates nothing for them. */
const NOTHING: Readonly<Record<string, unknown>> = Object.freeze({});
const NONE: readonly unknown[] = Object.freeze([]);

/** Layer 3: rules the schema cannot express. `parsed.data` has passed the CRD schema. */
export function checkSemantics(parsed: ParsedDocument): ValidationIssue[] {
  // Runs even when the schema layer found problems, so one run reports everything;
  // every rule therefore checks the shape of what it reads.
  // Every field is read as unknown and narrowed where it is used; absent parts read as the one shared empty object.
  const manifest = isRecord(parsed.data) ? parsed.data : NOTHING;
  const metadata = isRecord(manifest.metadata) ? manifest.metadata : NOTHING;
  const spec = isRecord(manifest.spec) ? manifest.spec : NOTHING;
  const issues: ValidationIssue[] = [];
  const report = (path: PathSegment[], message: string, preferKey = false) =>
    issues.push({ ...locate(parsed, path, preferKey), layer: 'semantic', path: formatPath(path), message });

  const name = metadata.name;
  if (typeof name === 'string') {
    const nameProblem = tenantNameProblem(name);
    if (nameProblem) report(['metadata', 'name'], nameProblem);
  }

  const tierValue = spec.tier;
  const tier = isOneOf(TIERS, tierValue) ? tierValue : undefined;
  const allowed = tier ? agentsInTier(tier) : [];
  const seenAgents = new Map<string, number>();
  (Array.isArray(spec.agents) ? spec.agents : NONE).forEach((agent: unknown, index) => {
    if (!isRecord(agent)) return;
    const agentName = agent.name;
    if (typeof agentName === 'string') {
      const first = seenAgents.get(agentName);
      if (first !== undefined) report(['spec', 'agents', index, 'name'], `agent ${show(agentName)} is listed twice (first at spec.agents[${first}])`);
      else seenAgents.set(agentName, index);
      if (tier && agent.enabled !== false && isAgentName(agentName) && !allowed.includes(agentName)) {
        report(['spec', 'agents', index, 'name'], `${show(agentName)} is not included in tier ${show(tier)} (allowed: ${allowed.join(', ')})`);
      }
    }
    if (Array.isArray(agent.recipients)) recipientProblems(agent.name, agent.recipients, spec.contact, (i, message) => report(['spec', 'agents', index, 'recipients', ...(i === undefined ? [] : [i])], message, i === undefined));
    const timezone = typeof agent.timezone === 'string' ? agent.timezone : 'UTC';
    const tzProblem = timezoneProblem(timezone);
    if (tzProblem) report(['spec', 'agents', index, 'timezone'], tzProblem);
    if (typeof agent.schedule === 'string') {
      const cronProblem = cronExpressionProblem(agent.schedule, tzProblem ? 'UTC' : timezone);
      if (cronProblem) report(['spec', 'agents', index, 'schedule'], cronProblem);
    }
  });

  const seenProviders = new Map<string, number>();
  (Array.isArray(spec.integrations) ? spec.integrations : NONE).forEach((integration: unknown, index) => {
    if (!isRecord(integration) || typeof integration.provider !== 'string') return;
    const first = seenProviders.get(integration.provider);
    if (first !== undefined) report(['spec', 'integrations', index, 'provider'], `integration ${show(integration.provider)} is listed twice (first at spec.integrations[${first}])`);
    else seenProviders.set(integration.provider, index);
  });

  const storage = isRecord(spec.storage) ? spec.storage : NOTHING;
  const { archiveAfterDays, expireAfterDays } = storage;
  if (typeof archiveAfterDays === 'number' && typeof expireAfterDays === 'number' && expireAfterDays <= archiveAfterDays) {
    report(['spec', 'storage', 'expireAfterDays'], `${expireAfterDays} must be greater than archiveAfterDays (${archiveAfterDays}): objects are archived before they expire`);
  }

  for (const [key, value] of Object.entries(isRecord(spec.costAllocationTags) ? spec.costAllocationTags : NOTHING)) {
    // IAM compares tag keys without regard to case, so "OpenClaw:managed-by" would overwrite the controller's own tag.
    if (!/^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u.test(key) || key.toLowerCase().startsWith('aws:') || key.toLowerCase().startsWith('openclaw')) {
      report(['spec', 'costAllocationTags', key], `tag key ${show(key)} is not allowed (allowed: 1-128 letters, digits, spaces and _.:/=+-@, not starting with "aws:" or "openclaw" in any case)`, true);
    }
    // Text no layer can store is reported once, by the YAML layer; this is what AWS refuses beyond it.
    if (typeof value === 'string' && !unstorableText(value) && !/^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u.test(value)) {
      report(['spec', 'costAllocationTags', key], `tag value ${show(value)} is not allowed (allowed: at most 256 letters, digits, spaces and _.:/=+-@, as AWS tags accept)`);
    }
  }

  const annotations = isRecord(metadata.annotations) ? metadata.annotations : NOTHING;
  const confirm = annotations[ANNOTATIONS.confirmDeletion];
  if (confirm !== undefined && (typeof confirm !== 'string' || !/^([0-9a-f]{7,64}|dir:[0-9a-f]{12})$/.test(confirm))) {
    report(['metadata', 'annotations', ANNOTATIONS.confirmDeletion], `${show(confirm)} is not a revision (allowed: a git commit SHA of 7 to 64 hex digits, or dir:<12 hex digits>)`);
  }
  const paused = annotations[ANNOTATIONS.paused];
  if (paused !== undefined && paused !== 'true' && paused !== 'false') {
    report(['metadata', 'annotations', ANNOTATIONS.paused], `${show(paused)} is not allowed (allowed: "true", "false")`);
  }
  return issues;
}

export function tenantNameProblem(name: string): string | undefined {
  const rule = `allowed: lowercase letters, digits and "-", starting and ending with a letter or digit, at most ${MAX_TENANT_NAME_LENGTH} characters so that every derived name fits (PostgreSQL identifiers 63 bytes, IAM role names 64)`;
  if (name.length > MAX_TENANT_NAME_LENGTH) return `${show(name)} is ${name.length} characters long (${rule})`;
  if (!TENANT_NAME_PATTERN.test(name)) return `${show(name)} is not a valid tenant name${nameCharacterProblem(name)} (${rule})`;
  return undefined;
}

/** The first character outside [a-z0-9-], by code point: a Cyrillic "а" or a zero-width joiner reads like a valid name. */
function nameCharacterProblem(name: string): string {
  const chars = [...name];
  const index = chars.findIndex((char) => !/^[a-z0-9-]$/.test(char));
  if (index === -1) return '';
  const char = chars[index];
  const code = `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
  return `: character ${index + 1} ${show(char)} (${code}) is not allowed`;
}

/**
 * The answers of the two checks below, by input: a fleet repeats a handful of time zones and
 * schedules, and each check (Intl, cron-parser with luxon) costs tens of microseconds. Bounded, so
 * hostile input cannot grow it without end.
 */
const answers = new Map<string, string | undefined>();
const ANSWERS_KEPT = 10_000;

function remembered(key: string, check: () => string | undefined): string | undefined {
  if (answers.has(key)) return answers.get(key);
  const answer = check();
  if (answers.size >= ANSWERS_KEPT) answers.clear();
  answers.set(key, answer);
  return answer;
}

export function timezoneProblem(timezone: string): string | undefined {
  return remembered(`tz\0${timezone}`, () => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: timezone });
      return undefined;
    } catch {
      return `${show(timezone)} is not an IANA time zone (allowed: names such as "UTC", "Europe/Berlin", "America/New_York")`;
    }
  });
}

export function cronExpressionProblem(schedule: string, timezone: string): string | undefined {
  return remembered(`cron\0${schedule}\0${timezone}`, () => cronProblem(schedule, timezone));
}

function cronProblem(schedule: string, timezone: string): string | undefined {
  const fields = schedule.trim().split(/\s+/);
  if (fields.length !== 5) {
    return `${show(schedule)} has ${fields.length} fields (allowed: five fields "minute hour day-of-month month day-of-week", e.g. "0 7 * * 1-5")`;
  }
  try {
    CronExpressionParser.parse(schedule, { tz: timezone, strict: false });
    return undefined;
  } catch (error) {
    return `${show(schedule)} is not a valid cron expression: ${errorMessage(error)} (allowed: five fields "minute hour day-of-month month day-of-week", e.g. "0 7 * * 1-5")`;
  }
}

/**
 * Characters the contact's and the recipients' addresses may take together: a silo run carries them,
 * with a 44-character signature each, in ECS's 8,192 characters of overrides beside the rest of its
 * environment (scheduler-ecs-launcher.test.ts launches the largest valid manifest's run).
 */
export const RECIPIENT_CHARACTERS = 2_500;

/** Recipients of an agent's email: only butler sends one; each address once, the contact's included; their length bounded. */
function recipientProblems(agent: unknown, recipients: unknown[], contact: unknown, report: (index: number | undefined, message: string) => void): void {
  if (agent !== 'butler') {
    report(undefined, `${show(agent)} sends no email: recipients are allowed on butler only`);
    return;
  }
  const contactEmail = isRecord(contact) && typeof contact.email === 'string' ? contact.email.toLowerCase() : undefined;
  const seen = new Map<string, number>();
  recipients.forEach((recipient, i) => {
    if (typeof recipient !== 'string') return;
    const key = recipient.toLowerCase();
    if (key === contactEmail) report(i, `${show(recipient)} is the tenant's contact, who gets the digest already`);
    else if (seen.has(key)) report(i, `${show(recipient)} is listed twice (first at recipients[${seen.get(key)}])`);
    else seen.set(key, i);
  });
  const characters = [contactEmail ?? '', ...recipients.filter((r) => typeof r === 'string')].reduce((n, address) => n + address.length, 0);
  if (characters > RECIPIENT_CHARACTERS) {
    report(undefined, `the contact's and the recipients' addresses take ${characters} characters (allowed: at most ${RECIPIENT_CHARACTERS} together, since a run carries them in ECS's 8,192 characters of overrides; send to a list address instead)`);
  }
}
