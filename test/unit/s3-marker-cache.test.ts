import { describe, expect, it } from 'vitest';
import { MarkerCache } from '../../controller/resources/s3/observe.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 11, 3, 9, 0, 0, 250);

describe('the S3 marker cache', () => {
  it('answers with what was set for a tenant until the recheck interval has passed, then asks for a new read', () => {
    const cache = new MarkerCache(HOUR);
    cache.set('acme', { managed: true, lifecycleClass: 'a30-e365' }, T0);
    expect(cache.get('acme', T0)).toEqual({ managed: true, lifecycleClass: 'a30-e365' });
    expect(cache.get('acme', T0 + HOUR - 2_000)).toEqual({ managed: true, lifecycleClass: 'a30-e365' });
    expect(cache.get('acme', T0 + HOUR)).toBeUndefined();
    expect(cache.get('globex', T0)).toBeUndefined();
  });

  it('keeps each tenant its own state and check time, among tenants that share a state', () => {
    const cache = new MarkerCache(HOUR);
    cache.set('acme', { managed: true, lifecycleClass: 'a30-e365' }, T0);
    cache.set('globex', { managed: true, lifecycleClass: 'a30-e365' }, T0 + HOUR / 2);
    cache.set('initech', { managed: false, lifecycleClass: undefined }, T0 + HOUR / 2);
    cache.set('umbrella', { managed: true, lifecycleClass: 'a60-e730' }, T0 + HOUR / 2);
    const later = T0 + HOUR + 1_000;
    expect(cache.get('acme', later)).toBeUndefined();
    expect(cache.get('globex', later)).toEqual({ managed: true, lifecycleClass: 'a30-e365' });
    expect(cache.get('initech', later)).toEqual({ managed: false, lifecycleClass: undefined });
    expect(cache.get('umbrella', later)).toEqual({ managed: true, lifecycleClass: 'a60-e730' });
  });

  it('tells a marker without a lifecycle class from one whose class is the empty string', () => {
    const cache = new MarkerCache(HOUR);
    cache.set('acme', { managed: true, lifecycleClass: undefined }, T0);
    cache.set('globex', { managed: true, lifecycleClass: '' }, T0);
    expect(cache.get('acme', T0)?.lifecycleClass).toBeUndefined();
    expect(cache.get('globex', T0)?.lifecycleClass).toBe('');
  });

  it('replaces a tenant\'s state and check time when it is set again, and forgets a tenant entirely', () => {
    const cache = new MarkerCache(HOUR);
    cache.set('acme', { managed: true, lifecycleClass: 'a30-e365' }, T0);
    cache.set('acme', { managed: true, lifecycleClass: 'a60-e730' }, T0 + HOUR - 1);
    expect(cache.get('acme', T0 + HOUR + 5_000)).toEqual({ managed: true, lifecycleClass: 'a60-e730' });
    cache.forget('acme');
    expect(cache.get('acme', T0 + HOUR)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('reads a marker again up to a second early, never late, since it keeps check times in whole seconds', () => {
    const cache = new MarkerCache(10_000);
    cache.set('acme', { managed: true }, T0);
    cache.set('globex', { managed: true }, T0 + 999);
    // globex's check is kept as T0's second: it is trusted for 9.001 s of its 10 s, never beyond.
    expect(cache.get('globex', T0 + 9_999)).toEqual({ managed: true, lifecycleClass: undefined });
    expect(cache.get('globex', T0 + 10_000)).toBeUndefined();
    expect(cache.get('acme', T0 + 10_000)).toBeUndefined();
  });

  it('hands every tenant in one state the same frozen marker and observation, so no caller can change what another tenant is told', () => {
    const cache = new MarkerCache(HOUR);
    cache.set('acme', { managed: true, lifecycleClass: 'a30-e365' }, T0);
    cache.set('globex', { managed: true, lifecycleClass: 'a30-e365' }, T0);
    cache.set('initech', { managed: true, lifecycleClass: 'a90-e730' }, T0);
    const answer = cache.get('acme', T0)!;
    expect(Reflect.set(answer, 'managed', false)).toBe(false);
    expect(cache.get('globex', T0)).toBe(answer);
    expect(cache.get('globex', T0)).toEqual({ managed: true, lifecycleClass: 'a30-e365' });
    expect(cache.observed('acme', T0)).toEqual({ prefixExists: true, marker: { managed: true, lifecycleClass: 'a30-e365' } });
    expect(cache.observed('globex', T0)).toBe(cache.observed('acme', T0));
    expect(cache.observed('initech', T0)).not.toBe(cache.observed('acme', T0));
    expect(Object.isFrozen(cache.observed('acme', T0))).toBe(true);
    expect(cache.observed('acme', T0 + HOUR)).toBeUndefined();
  });
});
