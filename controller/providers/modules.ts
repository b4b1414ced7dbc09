import type { ResourceModule } from '../engine/types.js';
import { iamModule } from '../resources/iam/index.js';
import { s3Module } from '../resources/s3/index.js';
import { secretsModule } from '../resources/secrets/index.js';
import type { IamApi, ObjectStoreApi } from './apis.js';
import type { DbCredentialStore, SecretsApi } from './types.js';

export interface CloudModuleSettings {
  secretsPrefix: string;
  now: () => number;
  /** Secrets Manager recovery window for deleted secrets (7–30 days; default 7). */
  secretRecoveryWindowDays?: number;
  /** How long an S3 marker read is trusted (default one hour). */
  markerRecheckMs?: number;
}

/** The same three modules on every provider: only the APIs underneath differ. */
export function cloudModules(
  apis: { secrets: SecretsApi; credentials: DbCredentialStore; iam: IamApi; objects: ObjectStoreApi },
  settings: CloudModuleSettings,
): ResourceModule[] {
  return [
    secretsModule({ secrets: apis.secrets, credentials: apis.credentials, secretsPrefix: settings.secretsPrefix, recoveryWindowDays: settings.secretRecoveryWindowDays }),
    iamModule({ iam: apis.iam }),
    s3Module({ objects: apis.objects, now: settings.now, markerRecheckMs: settings.markerRecheckMs }),
  ] as ResourceModule[];
}

/** Wraps every method of `api` so that each call is counted as `service:Method`. */
export function countingApi<T extends object>(service: string, api: T, counts: Map<string, number>): T {
  return new Proxy(api, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      const operation = `${service}:${property[0].toUpperCase()}${property.slice(1)}`;
      return (...args: unknown[]) => {
        counts.set(operation, (counts.get(operation) ?? 0) + 1);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}
