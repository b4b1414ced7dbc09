import { describe, expect, it } from 'vitest';
import { sharingBy } from '../../contract/sharing.js';

describe('sharing equal values', () => {
  it('keeps one frozen object per key, so every holder sees the same instance and none can change it', () => {
    const share = sharingBy<{ archiveAfterDays: number; expireAfterDays: number }>((s) => `${s.archiveAfterDays}/${s.expireAfterDays}`);
    const a = share({ archiveAfterDays: 30, expireAfterDays: 365 });
    const b = share({ archiveAfterDays: 30, expireAfterDays: 365 });
    const c = share({ archiveAfterDays: 90, expireAfterDays: 365 });
    expect(b).toBe(a);
    expect(c).not.toBe(a);
    expect(c).toEqual({ archiveAfterDays: 90, expireAfterDays: 365 });
    expect(Object.isFrozen(a)).toBe(true);
    expect(Reflect.set(a, 'archiveAfterDays', 1)).toBe(false);
    expect(a.archiveAfterDays).toBe(30);
  });

  it('tells apart values whose keys differ, even when they look alike', () => {
    const share = sharingBy<{ facts: Record<string, unknown> }>((v) => JSON.stringify(v.facts));
    const zero = share({ facts: { secrets: 0 } });
    const none = share({ facts: { secrets: null } });
    expect(none).not.toBe(zero);
    expect(share({ facts: { secrets: 0 } })).toBe(zero);
  });
});
