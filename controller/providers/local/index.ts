export { createLocalProvider, LOCAL_ACCOUNT_ID, type LocalProviderDeps } from './provider.js';
export { LocalIam } from './iam.js';
export { LocalObjectStore } from './objects.js';
export { LocalSecretStore, localSecretArn, localSecretPaths } from './secret-store.js';
