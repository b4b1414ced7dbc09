/**
 * One instance of each value it is given: the first, handed back for every equal one after it. What a
 * pass holds of every tenant repeats a handful of values across the fleet (a tier, a revision, a
 * schedule set); held once, they cost a pointer a tenant instead of a copy.
 */
export function sharing<T>(): (value: T) => T {
  return sharingBy<T>((value) => value);
}

/**
 * As sharing, with equality by `key`: the first value of each key is kept (frozen: every holder sees
 * the same instance, so none may change it) and handed back for every value of the same key.
 */
export function sharingBy<T>(key: (value: T) => unknown): (value: T) => T {
  const kept = new Map<unknown, T>();
  return (value) => {
    const k = key(value);
    const first = kept.get(k);
    if (first !== undefined) return first;
    if (typeof value === 'object' && value !== null) Object.freeze(value);
    kept.set(k, value);
    return value;
  };
}
