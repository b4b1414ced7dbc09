// Entry of the validation worker thread (see off-thread.ts): TypeScript is loaded through tsx,
// as bin/tenantctl.js does for the main thread; a worker does not inherit the main thread's loader.
import { register } from 'tsx/esm/api';

register();
await import('./validation-thread.ts');
