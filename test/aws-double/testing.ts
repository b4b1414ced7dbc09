// Deterministic world for tests: a seeded random source and a clock that only moves when told.

/** mulberry32: a small, fast, seedable PRNG returning [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface ManualClock {
  now(): number;
  advance(ms: number): void;
  set(ms: number): void;
  /** An injected sleep that advances this clock instead of waiting. */
  sleep(ms: number): Promise<void>;
}

export function createManualClock(start = Date.UTC(2025, 0, 1)): ManualClock {
  let t = start;
  return {
    now: () => t,
    advance: (ms) => void (t += ms),
    set: (ms) => void (t = ms),
    sleep: async (ms) => void (t += ms),
  };
}
