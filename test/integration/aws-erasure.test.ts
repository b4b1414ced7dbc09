import { DeleteObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createAwsDouble, createDoubleClients, createManualClock, seededRandom, type AwsDouble } from '../aws-double/index.js';
import { createWorld, perTest } from '../helpers/world.js';
import { BOUNDARY, BUCKET } from './aws-support.js';

const DAY = 86_400_000;
const AWS_ENV = {
  OPENCLAW_PROVIDER: 'aws', AWS_REGION: 'eu-west-1', OPENCLAW_TENANT_BUCKET: BUCKET, OPENCLAW_PERMISSIONS_BOUNDARY_ARN: BOUNDARY,
  OPENCLAW_MAX_DELETE_FRACTION: '0.5', OPENCLAW_PURGE_GRACE: '1d',
};

describe('purging a Delete tenant from a versioned bucket', () => {
  /** A versioned bucket and a controller of the test's own, the example tenants applied. */
  const account = perTest(async (database) => {
    const clock = createManualClock(Date.now());
    const double: AwsDouble = createAwsDouble({ now: clock.now, sleep: clock.sleep, random: seededRandom(11), region: 'eu-west-1' });
    double.state.s3.createBucket(BUCKET, { versioning: 'Enabled' });
    double.state.iam.boundaryPolicies = new Set([BOUNDARY]);
    const s3: S3Client = createDoubleClients(double).s3;
    const world = await createWorld({ database, extraEnv: AWS_ENV, onClients: (clients) => double.attachAll(clients), now: clock.now, sleep: clock.sleep });
    expect((await world.pass()).outcomes.filter((o) => o.error)).toEqual([]);
    const versionsUnder = (prefix: string) =>
      [...double.state.s3.bucket(BUCKET).versions].filter(([key]) => key.startsWith(prefix)).flatMap(([, stack]) => stack);
    return { clock, double, s3, world, versionsUnder, close: () => world.close() };
  });

  it('removes every object version and delete marker under the prefix, and the audit record counts them', async () => {
    const { clock, s3, world, versionsUnder } = await account();
    // 1,200 objects written twice (2,400 versions), 300 of them then deleted (300 delete markers):
    // more than one ListObjectVersions page, and nothing a plain listing would show for the deleted ones.
    for (let i = 0; i < 1200; i++) {
      const Key = `tenants/initech/runs/${String(i).padStart(4, '0')}.json`;
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body: 'v1' }));
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body: 'v2' }));
      if (i % 4 === 0) await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key }));
    }
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'tenants/globex/keep.json', Body: '{}' }));
    const markerVersions = versionsUnder('tenants/initech/.openclaw-tenant').length;

    world.removeTenant('initech.yaml');
    await world.pass();
    clock.advance(DAY + 1);
    const report = await world.pass();
    expect(report.outcomes.find((o) => o.tenant === 'initech')?.error).toBeUndefined();

    expect(versionsUnder('tenants/initech/')).toEqual([]);
    expect(versionsUnder('tenants/globex/keep.json')).toHaveLength(1);
    const admin = new pg.Client({ connectionString: world.db.url });
    await admin.connect();
    const audit = await admin.query('SELECT detail FROM openclaw.audit WHERE tenant = $1', ['initech']).finally(() => admin.end());
    expect(audit.rows[0].detail.counts['s3/prefix/tenants/initech/']).toEqual({ versions: 2400 + markerVersions, deleteMarkers: 300 });
  });

  it('keeps the lifecycle rule of a retained tenant and drops the purged tenant’s, from the controller’s records alone', async () => {
    const { clock, double, world } = await account();
    // initech (Delete) purged after its grace period; then globex (Retain) removed.
    world.removeTenant('initech.yaml');
    await world.pass();
    clock.advance(DAY + 1);
    expect((await world.pass()).outcomes.find((o) => o.tenant === 'initech')?.error).toBeUndefined();
    const ids = () => (double.state.s3.bucket(BUCKET).lifecycle ?? []).map((r) => r.ID).sort();
    world.removeTenant('globex.yaml');
    await world.pass();
    await world.pass();
    expect(ids()).toEqual(['openclaw-lifecycle-a30-e365', 'openclaw-lifecycle-a60-e730', 'openclaw-noncurrent-versions']);
    // Only the controller's records keep globex's class: not its marker.
    const marker = double.state.s3.bucket(BUCKET).versions.get('tenants/globex/.openclaw-tenant')![0].record!;
    marker.Metadata = { ...marker.Metadata, 'openclaw-lifecycle': 'a1-e2' };
    clock.advance(2 * 3_600_000);
    expect((await world.pass()).outcomes.find((o) => o.tenant === '*')?.error).toBeUndefined();
    expect(ids()).toEqual(['openclaw-lifecycle-a30-e365', 'openclaw-lifecycle-a60-e730', 'openclaw-noncurrent-versions']);
  });
});
