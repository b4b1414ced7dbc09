/**
 * Whether `value` is one of the closed list `allowed`, narrowed to the list's literal type: the one guard
 * every list of names (agents, tiers, isolations, providers, meters, output formats) is checked with.
 */
export function isOneOf<const T>(allowed: readonly T[], value: unknown): value is T {
  return allowed.some((item) => item === value);
}
