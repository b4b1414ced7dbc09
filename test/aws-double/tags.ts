// Tag sets as IAM and Secrets Manager keep them: merging overwrites by key (IAM folds case) up to a
// quota, removal by key.

export interface StoredTag {
  Key: string;
  Value: string;
}

type Fold = (key: string) => string;
const same: Fold = (key) => key;

/** `current` with `incoming` merged in; calls `overQuota` (which throws) past `max` tags. */
export function mergeTags(
  current: StoredTag[],
  incoming: StoredTag[],
  max: number,
  overQuota: () => never,
  fold: Fold = same,
): StoredTag[] {
  const merged = new Map(current.map((t) => [fold(t.Key), t]));
  for (const t of incoming) merged.set(fold(t.Key), t);
  if (merged.size > max) overQuota();
  return [...merged.values()];
}

export function dropTags(current: StoredTag[], keys: string[] | undefined, fold: Fold = same): StoredTag[] {
  const drop = new Set((keys ?? []).map(fold));
  return current.filter((t) => !drop.has(fold(t.Key)));
}
