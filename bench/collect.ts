/** A full collection when node runs with --expose-gc (none otherwise): what the process holds, not its garbage. */
export function collect(): void {
  const gc: unknown = Reflect.get(globalThis, 'gc');
  if (typeof gc === 'function') gc();
}
