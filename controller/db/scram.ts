/**
 * SCRAM-SHA-256 password verifiers (RFC 5802, RFC 7677), computed here so that a password is
 * never sent to PostgreSQL: `ALTER ROLE … PASSWORD` receives the verifier, which the server
 * stores as is. The text of that statement (server log, pg_stat_statements) then holds no secret
 * that lets anyone log in.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { TerminalError } from '../../contract/errors.js';

/** PostgreSQL's default (`scram_iterations`). */
export const SCRAM_ITERATIONS = 4096;
const SALT_BYTES = 16;

export interface ScramOptions {
  salt?: Buffer;
  iterations?: number;
}

/** `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`, every part base64. */
export function scramSha256Verifier(password: string, options: ScramOptions = {}): string {
  // SASLprep leaves printable ASCII unchanged; generated passwords are base64url. Anything else
  // could be normalised differently by the server, so it is refused rather than guessed.
  if (!/^[\x21-\x7e]+$/.test(password)) {
    throw new TerminalError('INTERNAL', 'a runtime password must be printable ASCII without spaces to be hashed for SCRAM-SHA-256');
  }
  const salt = options.salt ?? randomBytes(SALT_BYTES);
  const iterations = options.iterations ?? SCRAM_ITERATIONS;
  const salted = pbkdf2Sync(password, salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}
