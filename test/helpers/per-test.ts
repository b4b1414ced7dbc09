import { afterAll, afterEach } from 'vitest';
import { createTestDatabase, type TestDatabase } from './postgres.js';

/**
 * Something a test opens on a database of its own, one per test: `open` gets a copy of the
 * `template` database, made once, at the first test that asks, so no test waits for migrations or
 * builds on another test's state. What it opens is closed after that test, which must drop the
 * database; the template is dropped after the file. Call at the top of a `describe`.
 */
export function perTestCopy<A extends unknown[], T extends { close(): Promise<void> }>(
  template: () => Promise<TestDatabase>,
  open: (database: TestDatabase, ...args: A) => Promise<T>,
): (...args: A) => Promise<T> {
  let made: Promise<TestDatabase> | undefined;
  const opened: T[] = [];
  afterEach(async () => {
    for (const thing of opened.splice(0)) await thing.close();
  });
  afterAll(async () => {
    await (await made)?.drop();
  });
  return async (...args) => {
    made ??= template();
    const thing = await open(await createTestDatabase('copy', { template: await made }), ...args);
    opened.push(thing);
    return thing;
  };
}
