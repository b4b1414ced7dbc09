import { systemErrorCode } from '../contract/errors.js';

/** Is a process with this id running? (EPERM: it exists but belongs to another user.) */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return systemErrorCode(error) === 'EPERM';
  }
}
