export { validateDirectory, validateManifests, formatIssue, type ManifestText } from './validate.js';
export { listManifestFiles } from './files.js';
export { loadTenantCrd, manifestJsonSchema } from './crd.js';
export { ANNOTATIONS, tenantNameProblem } from './semantic.js';
export type * from './types.js';
