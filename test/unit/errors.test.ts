import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ControllerError, ProgrammingError, TransientError, isRetryable } from '../../contract/errors.js';
import { LocalSecretStore } from '../../controller/providers/local/secret-store.js';

describe('retry or stop', () => {
  it('stops on a fault in the controller’s own code instead of retrying it every pass', () => {
    const fault = (() => {
      try {
        // A change planned without its detail, read as if it had one: the engine's own mistake.
        const planned: { detail?: { op: string } } = JSON.parse('{}');
        planned.detail!.op.toString();
      } catch (error) {
        return error;
      }
    })();
    expect(fault).toBeInstanceOf(TypeError);
    expect(isRetryable(fault)).toBe(false);
    expect(isRetryable(new RangeError('Invalid array length'))).toBe(false);
    expect(isRetryable(new ProgrammingError('postgres: change carries no detail'))).toBe(false);
  });

  it('retries what the next pass may not meet again: a dropped connection, a failed fetch, an unknown error', () => {
    expect(isRetryable(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isRetryable(new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED') }))).toBe(true);
    expect(isRetryable(new Error('something else'))).toBe(true);
    expect(isRetryable(new TransientError('throttled'))).toBe(true);
  });

  it('tells a secret that does not exist from one the controller does not own', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oc-errors-'));
    const store = new LocalSecretStore(join(dir, 'secrets.json'), join(dir, 'secrets.key'));
    const missing = await store.getValue('openclaw/tenants/nobody/db').catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(ControllerError);
    expect(missing).toMatchObject({ code: 'NOT_FOUND', message: 'secret openclaw/tenants/nobody/db does not exist' });
  });
});
