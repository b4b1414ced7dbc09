/**
 * The naive design, for the ratios: the controller's own modules (same diff, same apply), but each
 * observe issues one set of calls per tenant per resource, as a per-object reconciler does —
 * GetRole + GetRolePolicy + ListRoleTags per role, DescribeSecret per secret, HeadObject +
 * GetObjectTagging per marker, one catalog query per tenant. The calls go through the same SDK
 * clients (counted, subject to the same AWS quotas and latency) and an AwsCaller with the
 * controller's default client-side limits, retry and backoff.
 */
import { DescribeSecretCommand, type DescribeSecretCommandOutput } from '@aws-sdk/client-secrets-manager';
import { GetRoleCommand, GetRolePolicyCommand, ListRoleTagsCommand, type GetRoleCommandOutput, type GetRolePolicyCommandOutput, type ListRoleTagsCommandOutput } from '@aws-sdk/client-iam';
import { GetObjectTaggingCommand, HeadObjectCommand, type HeadObjectCommandOutput } from '@aws-sdk/client-s3';
import { names } from '../contract/names.js';
import { desiredTenant } from '../controller/desired/tenant.js';
import type { DesiredTenant } from '../controller/desired/types.js';
import { mapLimit } from '../contract/concurrency.js';
import type { ResourceModule } from '../controller/engine/types.js';
import type { ControllerContext } from '../controller/main.js';
import type { IamRole } from '../controller/providers/apis.js';
import { AwsCaller } from '../controller/providers/aws/caller.js';
import type { AwsClients } from '../controller/providers/aws/clients.js';
import { isNotFound } from '../controller/providers/aws/errors.js';
import { decodePolicy } from '../controller/providers/aws/iam.js';
import { AdaptiveRateLimiter, type RateLimit } from '../controller/providers/aws/rate-limit.js';
import type { SecretRecord } from '../controller/providers/types.js';
import { markerState, type S3TenantObserved } from '../controller/resources/s3/observe.js';
import { observeTenantCatalog, platformObserver } from './baseline-postgres.js';
import { BUCKET } from './world.js';

/** Per-tenant observations run this many at once (the engine applies 8 tenants at once; reads go wider). */
const OBSERVE_CONCURRENCY = 16;

export interface Baseline {
  /** Observe only these tenants (a per-object reconciler looks at the one object that changed). */
  focus: ReadonlySet<string> | undefined;
}

/** Replaces the observe of every module of `ctx` with the per-tenant one. */
export async function installBaseline(ctx: ControllerContext, clients: AwsClients, clientLimits: Record<string, RateLimit>): Promise<Baseline> {
  const caller = new AwsCaller({
    limiter: new AdaptiveRateLimiter({ limits: clientLimits, now: Date.now, sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) }),
    random: Math.random,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    log: ctx.log.child({ component: 'baseline' }),
  });
  const baseline: Baseline = { focus: undefined };
  const orNothing = async <T>(call: Promise<T>): Promise<T | undefined> => call.catch((error) => {
    if (isNotFound(error)) return undefined;
    throw error;
  });
  const desired = (tenant: string): DesiredTenant | undefined => {
    const loaded = ctx.loop.appliedSnapshot?.tenants.find((t) => t.name === tenant);
    return loaded ? desiredTenant(loaded.manifest, ctx.desiredContext) : undefined;
  };
  // DescribeSecret answers shared by the secrets and postgres observations of one pass (both get the same tenants array).
  const described = new WeakMap<readonly string[], Map<string, Promise<SecretRecord | undefined>>>();
  const describe = (pass: readonly string[], name: string) => {
    let memo = described.get(pass);
    if (!memo) described.set(pass, (memo = new Map()));
    let record = memo.get(name);
    if (!record) {
      record = orNothing(caller.send('secretsmanager', clients.secrets, new DescribeSecretCommand({ SecretId: name }))).then((s) => s && {
        name: s.Name!, arn: s.ARN ?? '', tags: Object.fromEntries((s.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
        ...(s.DeletedDate ? { deletedAt: s.DeletedDate.getTime() } : {}),
      });
      memo.set(name, record);
    }
    return record;
  };
  const each = async <T>(tenants: readonly string[], fn: (tenant: string) => Promise<T>): Promise<Map<string, T>> => {
    const chosen = baseline.focus ? tenants.filter((t) => baseline.focus!.has(t)) : tenants;
    const results = await mapLimit(chosen, OBSERVE_CONCURRENCY, fn);
    return new Map(chosen.map((t, i) => [t, results[i]]));
  };

  const platformOf = await platformObserver(ctx.pool);
  const observers: Record<string, ResourceModule['observe']> = {
    iam: async (tenants) => ({ tenants: await each(tenants, async (tenant) => {
      const want = desired(tenant);
      if (!want) return {};
      const name = want.iam.roleName;
      const got = await orNothing(caller.send('iam', clients.iam, new GetRoleCommand({ RoleName: name })));
      if (!got?.Role) return {};
      const policy = await orNothing(caller.send('iam', clients.iam, new GetRolePolicyCommand({ RoleName: name, PolicyName: want.iam.inlinePolicyName })));
      const tags = await caller.send('iam', clients.iam, new ListRoleTagsCommand({ RoleName: name }));
      const role: IamRole = {
        name, path: got.Role.Path ?? '/', arn: got.Role.Arn ?? '', assumeRolePolicy: decodePolicy(got.Role.AssumeRolePolicyDocument),
        inlinePolicies: policy ? { [want.iam.inlinePolicyName]: decodePolicy(policy.PolicyDocument) } : {},
        tags: Object.fromEntries((tags.Tags ?? []).map((t) => [t.Key!, t.Value ?? ''])),
        ...(got.Role.PermissionsBoundary?.PermissionsBoundaryArn ? { permissionsBoundaryArn: got.Role.PermissionsBoundary.PermissionsBoundaryArn } : {}),
        attachedPolicyArns: [],
      };
      return { role };
    }) }),
    secrets: async (tenants) => ({ tenants: await each(tenants, async (tenant) => {
      const want = desired(tenant);
      const names = want ? [want.secrets.db.name, ...want.secrets.integrations.map((i) => i.name)] : [];
      const secrets = (await Promise.all(names.map((name) => describe(tenants, name)))).filter((s): s is SecretRecord => s !== undefined);
      return { secrets };
    }) }),
    s3: async (tenants) => {
      const result = await each(tenants, async (tenant): Promise<S3TenantObserved> => {
        const key = names.s3Marker(tenant);
        const head = await orNothing(caller.send('s3', clients.s3, new HeadObjectCommand({ Bucket: BUCKET, Key: key })));
        if (!head) return { prefixExists: false };
        await caller.send('s3', clients.s3, new GetObjectTaggingCommand({ Bucket: BUCKET, Key: key }));
        return { prefixExists: true, marker: markerState({ key, metadata: { ...head.Metadata } }, tenant) };
      });
      return baseline.focus ? { tenants: result } : { tenants: result, fleet: { bucket: BUCKET, rules: await ctx.provider.objects.getLifecycle() } };
    },
    postgres: async (tenants) => {
      const result = await each(tenants, async (tenant) => {
        const secret = await describe(tenants, desired(tenant)?.secrets.db.name ?? names.dbSecret(ctx.desiredContext.secretsPrefix, tenant));
        return observeTenantCatalog(ctx.pool, tenant, secret);
      });
      return baseline.focus ? { tenants: result } : { tenants: result, fleet: await platformOf(tenants) };
    },
  };
  ctx.modules.splice(0, ctx.modules.length, ...ctx.modules.map((module) => ({ ...module, observe: observers[module.kind] ?? module.observe, observeFew: undefined } as ResourceModule)));
  return baseline;
}
