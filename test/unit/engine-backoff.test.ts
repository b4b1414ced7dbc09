import { describe, expect, it } from 'vitest';
import { TenantBackoff } from '../../controller/engine/backoff.js';
import { mapLimit } from '../../contract/concurrency.js';

function backoff(random = () => 1) {
  let clock = 0;
  const b = new TenantBackoff({ baseMs: 1_000, maxMs: 60_000, now: () => clock, random });
  return { b, advance: (ms: number) => { clock += ms; }, now: () => clock };
}

describe('per-tenant backoff', () => {
  it('doubles the ceiling after each transient failure, up to the cap', () => {
    const { b } = backoff();
    const delays = Array.from({ length: 9 }, () => b.failure('acme', true, 'fp')!);
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000]);
  });

  it('spreads retries with full jitter below the ceiling, never sooner than half the base', () => {
    const { b } = backoff(() => 0);
    expect(b.failure('acme', true, 'fp')).toBe(500);
    const { b: b2 } = backoff(() => 0.25);
    b2.failure('acme', true, 'fp');
    b2.failure('acme', true, 'fp');
    expect(b2.failure('acme', true, 'fp')).toBe(1_000);
  });

  it('blocks a tenant until its retry time and then reports it due', () => {
    const { b, advance } = backoff();
    b.failure('acme', true, 'fp');
    expect(b.blocked('acme', 'fp')).toBe(true);
    expect(b.dueTenants()).toEqual([]);
    advance(1_000);
    expect(b.blocked('acme', 'fp')).toBe(false);
    expect(b.dueTenants()).toEqual(['acme']);
  });

  it('stops retrying after a terminal failure until the desired state changes', () => {
    const { b, advance } = backoff();
    expect(b.failure('acme', false, 'fp-1')).toBeUndefined();
    advance(24 * 3_600_000);
    expect(b.blocked('acme', 'fp-1')).toBe(true);
    expect(b.dueTenants()).toEqual([]);
    expect(b.blocked('acme', 'fp-2')).toBe(false);
    expect(b.failures('acme')).toBe(0);
  });

  it('forgets a tenant once it succeeds', () => {
    const { b } = backoff();
    b.failure('acme', true, 'fp');
    b.success('acme');
    expect(b.blocked('acme', 'fp')).toBe(false);
    expect(b.failures('acme')).toBe(0);
  });
});

describe('bounded concurrency', () => {
  it('never runs more than the limit at once and keeps results in order', async () => {
    let running = 0;
    let peak = 0;
    const results = await mapLimit([5, 1, 4, 2, 3, 6, 7], 3, async (n) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setImmediate(resolve));
      running--;
      return n * 10;
    });
    expect(peak).toBe(3);
    expect(results).toEqual([50, 10, 40, 20, 30, 60, 70]);
  });
});
