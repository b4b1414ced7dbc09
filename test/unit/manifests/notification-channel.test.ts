import { describe, expect, it } from 'vitest';
import { formatIssue, validateManifests } from '../../../controller/manifests/index.js';
import { manifest } from './helpers.js';

const FILE = 'tenants/ops.yaml';

/** A channel document: lines 1-4 header and name, 5 `spec:`, then the given spec lines from line 6. */
function channel(name: string, ...spec: string[]): string {
  return ['apiVersion: openclaw.io/v1alpha1', 'kind: NotificationChannel', 'metadata:', `  name: ${name}`, 'spec:', ...spec.map((line) => `  ${line}`), ''].join('\n');
}

function check(text: string) {
  const result = validateManifests([{ file: FILE, text }]);
  return { problems: result.issues.map(formatIssue), channels: result.channels.map((c) => c.name), result };
}

describe('NotificationChannel manifests, validated like a Tenant', () => {
  it('accepts a channel of each type beside a tenant, with its defaults applied', () => {
    const text = [
      channel('ops-slack', 'type: slack', 'events: [Degraded, DeletionHeld]', 'secretRef:', '  name: slack/ops'),
      channel('ops-hook', 'type: webhook', 'events: [Purged]', 'secretRef:', '  name: hook', 'webhook:', '  url: https://hooks.example.com/openclaw'),
      channel('ops-sns', 'type: sns', 'events: [BudgetExceeded]', 'tenants: [acme]', 'sns:', '  topicArn: arn:aws:sns:eu-west-1:123456789012:openclaw-ops'),
    ].join('---\n');
    const { problems, channels, result } = check(`${text}---\n${manifest()}`);
    expect(problems).toEqual([]);
    expect(channels).toEqual(['ops-hook', 'ops-slack', 'ops-sns']);
    expect(result.tenants.map((t) => t.name)).toEqual(['acme']);
    expect(result.channels[0].manifest.spec.maxPerHour).toBe(60);
  });

  it('points at each problem with its file, line and column, and says what is allowed', () => {
    const { problems, channels } = check(channel('Ops_Hook', 'type: webhook', 'events: [Degraded, Exploded]', 'secretRef:', '  name: ../etc/key', 'webhook:', '  url: http://hooks.example.com/x', 'sns:', '  topicArn: arn:aws:sns:eu-west-1:123456789012:t'));
    expect(channels).toEqual([]);
    expect(problems).toEqual([
      `${FILE}:4:9 metadata.name: "Ops_Hook" is not a valid channel name (allowed: lowercase letters, digits and "-", starting and ending with a letter or digit, at most 63 characters)`,
      `${FILE}:7:22 spec.events[1]: "Exploded" is not allowed (allowed: Degraded, Recovered, DeletionHeld, Purged, AgentFailing, ReauthorizationRequired, BudgetExceeded)`,
      `${FILE}:9:11 spec.secretRef.name: "../etc/key" is not a secret name (allowed: segments of letters, digits and "_.-" separated by "/", no "." or ".." segment; it is read below <OPENCLAW_SECRETS_PREFIX>/notifications/)`,
      `${FILE}:11:10 spec.webhook.url: "http://hooks.example.com/x" is not allowed (allowed: an https:// URL, or http:// to localhost, 127.0.0.1 or [::1]; no user or password in it)`,
      `${FILE}:13:5 spec.sns: is not used by a webhook channel (allowed: secretRef, webhook)`,
    ]);
  });

  it('refuses a secret written into the channel instead of referenced', () => {
    const { problems } = check(channel('ops', 'type: slack', 'events: [Degraded]', 'webhookUrl: https://hooks.slack.com/services/T0/B0/secret'));
    expect(problems).toEqual([
      `${FILE}:6:3 spec.secretRef: is required for a slack channel`,
      `${FILE}:8:3 spec.webhookUrl: unknown field "webhookUrl" (allowed: type, events, tenants, secretRef, webhook, sns, maxPerHour)`,
    ]);
  });

  it('refuses two channels of one name, and rejects the whole revision with them', () => {
    const one = channel('ops', 'type: sns', 'events: [Degraded]', 'sns:', '  topicArn: arn:aws:sns:eu-west-1:123456789012:a');
    const { problems, channels, result } = check(`${one}---\n${one}---\n${manifest()}`);
    expect(problems).toEqual([`${FILE}:14:9 metadata.name: notification channel "ops" is declared twice (first at ${FILE}:4:9); names must be unique across files`]);
    expect(channels).toEqual([]);
    expect(result.tenants).toEqual([]);
  });
});
