import { describe, expect, it } from 'vitest';
import { renderPlanMarkdown, renderPlanText } from '../../controller/engine/render.js';
import { HEADROOM_STATE, type QuotaForecast } from '../../controller/engine/quota.js';
import { fleetView } from '../../controller/status/views.js';
import { createAwsDouble, createManualClock, seededRandom, type AwsDouble, type ManualClock } from '../aws-double/index.js';
import { createWorld, perTest, starterYaml, type World } from '../helpers/world.js';
import { BOUNDARY, BUCKET } from './aws-support.js';

const AWS_ENV = { OPENCLAW_PROVIDER: 'aws', AWS_REGION: 'eu-west-1', OPENCLAW_TENANT_BUCKET: BUCKET, OPENCLAW_PERMISSIONS_BOUNDARY_ARN: BOUNDARY };

const starter = (name: string, team = 'core') => starterYaml(name, `  isolation: silo
  agents:
    - name: butler
      schedule: "0 7 * * *"
      timezone: UTC
  costAllocationTags:
    team: ${team}
`);

const rolesRow = (forecast: QuotaForecast | undefined) => forecast?.rows.find((r) => r.quota === 'iam-roles');

interface Account {
  world: World;
  double: AwsDouble;
  clock: ManualClock;
  close(): Promise<void>;
}

describe('the quota forecast against the AWS double', () => {
  /** An AWS account of its own per test, where the three example tenants are applied (three roles of `iamMaxRoles`). */
  const account = perTest(async (database, iamMaxRoles: number): Promise<Account> => {
    const clock = createManualClock(Date.now());
    const double = createAwsDouble({ now: clock.now, sleep: clock.sleep, random: seededRandom(3), region: 'eu-west-1', iamMaxRoles });
    double.state.s3.createBucket(BUCKET);
    double.state.iam.boundaryPolicies = new Set([BOUNDARY]);
    const world = await createWorld({ database, extraEnv: AWS_ENV, onClients: (clients) => double.attachAll(clients), now: clock.now, sleep: clock.sleep });
    const first = await world.pass();
    expect(first.outcomes.filter((o) => o.error)).toEqual([]);
    return { world, double, clock, close: () => world.close() };
  });
  // An account that holds four roles: the three example tenants fit, two more do not.
  const smallAccount = () => account(4);

  it('reads the account headroom from IAM and Service Quotas and shows it on the API', async () => {
    const { world, double } = await smallAccount();
    await world.ctx.loop.pass();
    const stored = (await fleetView({ pool: world.ctx.pool, store: world.ctx.store })).headroom ?? undefined;
    expect(rolesRow(stored)).toMatchObject({ used: 3, limit: 4, adds: 0, after: 3, headroom: 1, crosses: false });
    expect(rolesRow(stored)?.source).toContain('Service Quotas iam/L-FE177D64');
    // On the busiest day: acme's butler every 5 minutes (288), globex's butler once and scout every 10 minutes (145),
    // initech's butler once, scout every 15 and writer every 20 minutes (169).
    const launches = stored?.rows.find((r) => r.quota === 'launches-per-day');
    expect(launches).toMatchObject({ used: 602, after: 602, limit: 1_728_000 });
    expect(stored?.rows.find((r) => r.quota === 'lifecycle-rules')).toMatchObject({ limit: 1000, crosses: false });
    // A db secret each, and one per integration: acme 1, globex 2, initech 3.
    expect(stored?.rows.find((r) => r.quota === 'secrets')).toMatchObject({ used: 9, limit: 500_000 });
    expect(double.countsByOperation()['iam:GetAccountSummary']).toBeGreaterThan(0);
  });

  it('holds a revision that would cross the roles quota, with the numbers, and creates nothing', async () => {
    const { world, double } = await smallAccount();
    world.writeTenant('hooli.yaml', starter('hooli'));
    world.writeTenant('pied.yaml', starter('pied'));
    await world.ctx.loop.refreshSource();
    const { planned } = await world.ctx.loop.planFor(world.ctx.loop.appliedSnapshot!);
    expect(planned.plan.quotaHeld.map((h) => h.tenant).sort()).toEqual(['hooli', 'pied']);
    expect(planned.plan.quotaHeld[0].reason).toContain('this revision adds 2 to 3 in use, 5 > the limit of 4');
    expect(renderPlanText(planned.plan)).toMatch(/held for a quota: tenant hooli: IAM roles in the account: this revision adds 2/);
    expect(renderPlanText(planned.plan)).toMatch(/Account headroom:\n {2}IAM roles in the account: 3 of 4 used, \+2 → 5, over by 1 \(HELD\)/);
    expect(renderPlanMarkdown(planned.plan)).toContain('#### :no_entry: Held: the account has no room');

    double.resetCalls();
    const report = await world.ctx.loop.pass();
    expect(report?.outcomes.filter((o) => o.skipped === 'held').map((o) => o.tenant).sort()).toEqual(['hooli', 'pied']);
    expect(double.countsByOperation()['iam:CreateRole']).toBeUndefined();
    expect(double.state.iam.liveCount()).toBe(3);
    const status = await world.ctx.store.status('hooli');
    expect(status?.conditions.find((c) => c.type === 'Synced')).toMatchObject({ status: 'False', reason: 'QuotaHeld' });
    expect(status?.lastError).toContain('5 > the limit of 4');
    const events = await world.ctx.store.events({ tenant: 'hooli', limit: 5 });
    expect(events.map((e) => e.reason)).toContain('QuotaHeld');
  });

  it('applies the held tenants once the quota is raised', async () => {
    const { world, double, clock } = await smallAccount();
    world.writeTenant('hooli.yaml', starter('hooli'));
    world.writeTenant('pied.yaml', starter('pied'));
    const held = await world.pass();
    expect(held.outcomes.filter((o) => o.skipped === 'held').map((o) => o.tenant).sort()).toEqual(['hooli', 'pied']);
    expect(double.state.iam.liveCount()).toBe(3);

    double.setOptions({ iamMaxRoles: 10 });
    clock.advance(600_000);
    const report = await world.ctx.loop.pass();
    expect(report?.outcomes.filter((o) => o.error || o.skipped)).toEqual([]);
    expect(double.state.iam.liveCount()).toBe(5);
    expect(rolesRow(await world.ctx.store.getState<QuotaForecast>(HEADROOM_STATE))).toMatchObject({ used: 3, limit: 10, adds: 2, headroom: 5 });
  });

  it('takes the limit from IAM’s summary when Service Quotas denies access, and says so', async () => {
    const { world, double, clock } = await smallAccount();
    // A limit other than the one the first pass read: it can only come from IAM's summary now.
    double.setOptions({ iamMaxRoles: 10 });
    double.state.quotas.denied = true;
    clock.advance(600_000);
    await world.ctx.loop.pass();
    const row = rolesRow(await world.ctx.store.getState<QuotaForecast>(HEADROOM_STATE));
    expect(row).toMatchObject({ used: 3, limit: 10 });
    expect(row?.source).toContain('Service Quotas iam/L-FE177D64 (access denied: unknown)');
  });

  it('observes only the changed tenant in a pass of that change, and the whole fleet on resync', async () => {
    const { world, double } = await account(10);
    world.writeTenant('hooli.yaml', starter('hooli'));
    expect((await world.pass()).outcomes.filter((o) => o.error || o.skipped)).toEqual([]);

    world.writeTenant('hooli.yaml', starter('hooli', 'growth'));
    double.resetCalls();
    const { report } = await world.ctx.loop.applyNewRevision();
    expect(report?.outcomes.map((o) => o.tenant)).toEqual(['hooli']);
    expect(report?.changesApplied).toBeGreaterThan(0);
    const calls = double.countsByOperation();
    expect(calls['iam:GetAccountAuthorizationDetails']).toBeUndefined();
    expect(calls['iam:GetRole']).toBe(1);
    const listings = double.calls.filter((c) => c.operation === 'ListSecrets').map((c) => JSON.stringify(c.input));
    expect(listings).toHaveLength(1);
    expect(listings[0]).toContain('/tenants/hooli/');
    expect(double.calls.some((c) => c.operation === 'ListObjectsV2' && JSON.stringify(c.input).includes('Delimiter'))).toBe(false);
    expect(double.state.iam.role('openclaw-tenant-hooli')?.Tags).toContainEqual({ Key: 'team', Value: 'growth' });

    double.resetCalls();
    const resync = await world.ctx.loop.pass();
    expect(resync?.changesApplied).toBe(0);
    expect(double.countsByOperation()['iam:GetAccountAuthorizationDetails']).toBe(1);
    expect(double.countsByOperation()['iam:GetRole']).toBeUndefined();
  });
});
