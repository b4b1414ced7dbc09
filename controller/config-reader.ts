/** Reading one environment variable at a time, for config.ts and the modules that own a part of the configuration. */
import { isOneOf } from '../contract/one-of.js';

export type Env = Record<string, string | undefined>;

const DURATION = /^(\d+)(ms|s|m|h|d)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses "500ms", "30s", "5m", "1h", "7d". */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  return match ? Number(match[1]) * UNIT_MS[match[2]] : undefined;
}

/** Reads and checks one variable at a time; every problem is collected, none thrown. Shared with the modules that own a part of the configuration. */
export class Reader {
  constructor(private readonly env: Env, readonly problems: string[]) {}

  private raw(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  }

  string(name: string, rule?: { pattern: RegExp; allowed: string; secret?: boolean }): string | undefined {
    const value = this.raw(name);
    if (value !== undefined && rule && !rule.pattern.test(value)) {
      this.problems.push(`${name}: ${rule.secret ? 'the value given' : JSON.stringify(value)} is not valid (allowed: ${rule.allowed})`);
      return undefined;
    }
    return value;
  }

  oneOf<T extends string>(name: string, options: readonly T[]): T | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    if (isOneOf(options, value)) return value;
    this.problems.push(`${name}: ${JSON.stringify(value)} is not valid (allowed: ${options.join(', ')})`);
    return undefined;
  }

  boolean(name: string): boolean | undefined {
    const value = this.raw(name)?.toLowerCase();
    if (value === undefined) return undefined;
    if (['true', '1', 'yes'].includes(value)) return true;
    if (['false', '0', 'no'].includes(value)) return false;
    this.problems.push(`${name}: ${JSON.stringify(value)} is not valid (allowed: true, false)`);
    return undefined;
  }

  integer(name: string, min: number, max: number): number | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    const parsed = Number(value);
    if (/^\d+$/.test(value) && parsed >= min && parsed <= max) return parsed;
    this.problems.push(`${name}: ${JSON.stringify(value)} is not valid (allowed: a whole number from ${min} to ${max})`);
    return undefined;
  }

  fraction(name: string): number | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    const parsed = value.endsWith('%') ? Number(value.slice(0, -1)) / 100 : Number(value);
    if (Number.isFinite(parsed) && parsed >= 0 && parsed <= 1) return parsed;
    this.problems.push(`${name}: ${JSON.stringify(value)} is not valid (allowed: a fraction from 0 to 1, or a percentage such as 10%)`);
    return undefined;
  }

  duration(name: string): number | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    const parsed = parseDuration(value);
    if (parsed !== undefined && parsed > 0) return parsed;
    this.problems.push(`${name}: ${JSON.stringify(value)} is not valid (allowed: a duration such as 500ms, 30s, 5m, 1h, 7d)`);
    return undefined;
  }

  list(name: string, item: RegExp, allowed: string): string[] {
    const value = this.raw(name);
    if (value === undefined) return [];
    const items = value.split(',').map((part) => part.trim()).filter(Boolean);
    const bad = items.filter((part) => !item.test(part));
    if (bad.length > 0) this.problems.push(`${name}: ${bad.map((b) => JSON.stringify(b)).join(', ')} not valid (allowed: ${allowed})`);
    return items;
  }
}
