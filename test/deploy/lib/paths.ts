import { join } from 'node:path';

export const REPO_ROOT = join(import.meta.dirname, '..', '..', '..');
export const TERRAFORM_DIR = join(REPO_ROOT, 'terraform');
