/** Wraps every method of `api` so that each call is counted as `service:Method`. */
export function countingApi<T extends object>(service: string, api: T, counts: Map<string, number>): T {
  return new Proxy(api, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      const operation = `${service}:${property[0].toUpperCase()}${property.slice(1)}`;
      return (...args: unknown[]) => {
        counts.set(operation, (counts.get(operation) ?? 0) + 1);
        return Reflect.apply(value, target, args);
      };
    },
  });
}
