import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../contract/logger.js';

/** Every line a logger writes, parsed. */
function capture(): { log: ReturnType<typeof createLogger>; lines: () => Record<string, unknown>[]; text: () => string } {
  const chunks: string[] = [];
  const sink = new Writable({ write(chunk, _encoding, done) { chunks.push(String(chunk)); done(); } });
  return { log: createLogger({ destination: sink }), lines: () => chunks.map((line) => JSON.parse(line)), text: () => chunks.join('') };
}

const FIELDS = ['token', 'accessToken', 'refreshToken', 'secret', 'password', 'authorization'];

/** `{ [field]: value }` nested under `depth` objects: depth 0 is a top-level field. */
function nested(field: string, value: string, depth: number): Record<string, unknown> {
  let object: Record<string, unknown> = { [field]: value };
  for (let level = depth; level > 0; level -= 1) object = { [`level${level}`]: object };
  return object;
}

describe('the logger redacts token, secret, password and authorization fields logged by mistake', () => {
  it.each(FIELDS)('censors a field named %s at the top level and three objects deep', (field) => {
    const { log, lines, text } = capture();
    for (const depth of [0, 1, 2, 3]) log.info(nested(field, `leak-${field}-${depth}`, depth), 'oops');
    log.child({ tenant: 'acme' }).warn({ integration: { [field]: `leak-${field}-child` } }, 'oops again');
    expect(text()).not.toContain(`leak-${field}`);
    expect(lines()[0][field]).toBe('[redacted]');
    expect(JSON.stringify(lines()[3])).toContain('[redacted]');
  });

  it('leaves fields that only resemble them, and the message, as they are', () => {
    const { log, lines } = capture();
    log.info({ tokenCount: 3, integration: { provider: 'google', expiresAt: '2026-01-01T00:00:00.000Z' } }, 'access token renewed');
    expect(lines()[0]).toMatchObject({ tokenCount: 3, integration: { provider: 'google', expiresAt: '2026-01-01T00:00:00.000Z' }, msg: 'access token renewed' });
  });
});
