import type { AddressInfo } from 'node:net';
import { ProgrammingError } from '../contract/errors.js';

/**
 * The TCP port a server listens on once `listen` resolved (port 0 asks the system for a free one).
 * Every server here listens on TCP; a pipe or a server not yet listening is a fault in the caller.
 */
export function listeningPort(server: { address(): string | AddressInfo | null }, what: string): number {
  const address = server.address();
  if (address === null || typeof address === 'string') {
    throw new ProgrammingError(`the ${what} is not listening on a TCP port (its address is ${JSON.stringify(address)})`);
  }
  return address.port;
}
