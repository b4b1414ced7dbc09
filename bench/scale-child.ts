/**
 * Runs in a child process of its own (node --expose-gc --import tsx bench/scale-child.ts MODE COUNT),
 * so that its memory is the scenario's alone, and prints one JSON object.
 *
 * validate: validateManifests over COUNT in-memory manifests (all three layers), time and peak RSS.
 * memory:   COUNT manifest files loaded by the directory source and their desired state derived and
 *           held, as the controller holds them between passes (snapshot, desired map, fingerprints):
 *           right after the load (`after`, the validation thread still alive) and once that thread
 *           has ended, as it does when idle (`held`, what the controller keeps between revisions).
 * poll:     COUNT manifest files polled by the directory source's file index: a poll of the unchanged
 *           tree (files stat'ed, none read) against a full re-read and hash of every file (what each
 *           poll did before the index), then a poll with one file changed; and the heap the index holds
 *           between polls (`indexHeldMB`: its stats, digests and listing, once the first scan's texts are
 *           dropped and collected).
 */
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import v8 from 'node:v8';
import { desiredTenant } from '../controller/desired/tenant.js';
import { fingerprintOf } from '../controller/engine/fingerprint.js';
import { endValidationThread } from '../controller/manifests/off-thread.js';
import { directoryDigest, readManifestDirectory, validateManifests } from '../controller/manifests/validate.js';
import { directorySource } from '../controller/source/directory.js';
import { ManifestFileIndex } from '../controller/source/file-index.js';
import { manifestTexts, tenantName, writeManifests } from './manifests.js';
import { ratio } from './measure.js';
import { collect } from './collect.js';

const MB = 2 ** 20;
const mb = (bytes: number) => Math.round((bytes / MB) * 10) / 10;

function memory() {
  collect();
  const usage = process.memoryUsage();
  return { rssMB: mb(usage.rss), heapUsedMB: mb(usage.heapUsed), externalMB: mb(usage.external) };
}

/**
 * Heap in use once what is dropped is collected: a few collections a turn apart, since what a finished
 * scan's file reads held is released only after a turn (one collection right away counts some of it).
 */
async function settledHeapMB(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    collect();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return mb(process.memoryUsage().heapUsed);
}

/** Wall and CPU time of one call (the CPU of the whole process, libuv's file reads included). */
async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; cost: { ms: number; cpuMs: number } }> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const value = await fn();
  const used = process.cpuUsage(cpu);
  return { value, cost: { ms: Math.round(performance.now() - started), cpuMs: Math.round((used.user + used.system) / 1000) } };
}

async function main(): Promise<void> {
  const [mode, countText] = process.argv.slice(2);
  const count = Number(countText);
  if (mode === 'validate') {
    const inputs = manifestTexts(count);
    const before = memory();
    const started = performance.now();
    const cpu = process.cpuUsage();
    const result = validateManifests(inputs);
    const ms = performance.now() - started;
    const used = process.cpuUsage(cpu);
    const peakRssMB = mb(process.resourceUsage().maxRSS * 1024);
    const heap = v8.getHeapStatistics();
    process.stdout.write(JSON.stringify({
      manifests: count, tenants: result.tenants.length, issues: result.issues.length, ms: Math.round(ms), cpuMs: Math.round((used.user + used.system) / 1000), perManifestMs: Math.round((ms / count) * 1000) / 1000,
      before, peakRssMB, heapTotalMBAfter: mb(heap.total_heap_size), peakMallocedMB: mb(heap.peak_malloced_memory),
    }));
    return;
  }
  if (mode === 'memory') {
    const dir = mkdtempSync(join(tmpdir(), 'openclaw-bench-memory-'));
    try {
      writeManifests(dir, count);
      const context = { accountId: '123456789012', partition: 'aws', region: 'us-east-1', bucket: 'openclaw-bench-tenants', iamPath: '/openclaw/tenants/', secretsPrefix: 'openclaw', permissionsBoundaryArn: 'arn:aws:iam::123456789012:policy/openclaw-tenant-boundary' };
      const before = memory();
      const started = performance.now();
      const snapshot = await directorySource(dir).load();
      const desired = new Map(snapshot.tenants.map((t) => [t.name, desiredTenant(t.manifest, context)]));
      const fingerprints = new Map([...desired].map(([name, d]) => [name, fingerprintOf(d)]));
      const loadMs = performance.now() - started;
      const after = memory();
      await endValidationThread();
      const held = memory();
      const peakRssMB = mb(process.resourceUsage().maxRSS * 1024);
      process.stdout.write(JSON.stringify({
        tenants: snapshot.tenants.length, issues: snapshot.issues.length, loadMs: Math.round(loadMs), before, after, held, peakRssMB,
        heldHeapMB: Math.round((after.heapUsedMB - before.heapUsedMB) * 10) / 10,
        perTenantKB: Math.round(((after.heapUsedMB - before.heapUsedMB) * 1024 / count) * 10) / 10,
        derived: desired.size + fingerprints.size,
      }));
      return;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  if (mode === 'poll') {
    const dir = mkdtempSync(join(tmpdir(), 'openclaw-bench-poll-'));
    try {
      writeManifests(dir, count);
      // Files changed within 3 s of a scan are read again by the next one (racily clean): let them age, as a deployed tree has.
      await new Promise((resolve) => setTimeout(resolve, 3_500));
      const display = (file: string) => relative(dir, file);
      const before = await settledHeapMB();
      const index = new ManifestFileIndex(dir);
      // The texts the first scan read go to validation, then are dropped: what is left is what the index holds.
      const first = await timed(async () => ({ reread: (await index.scan()).reread }));
      const indexHeldMB = Math.round(((await settledHeapMB()) - before) * 10) / 10;
      const full = await timed(() => readManifestDirectory(dir, display));
      const unchanged = await timed(() => index.scan());
      const changedFile = join(dir, `${tenantName(1)}.yaml`);
      appendFileSync(changedFile, '# changed\n');
      const oneChanged = await timed(async () => {
        const scan = await index.scan();
        return { ...scan, digest: directoryDigest(dir, scan.files) };
      });
      const sameDigest = oneChanged.value.digest === (await readManifestDirectory(dir, display)).digest;
      process.stdout.write(JSON.stringify({
        files: count, indexHeldMB, firstScan: first.cost,
        fullReread: full.cost,
        unchangedPoll: { ...unchanged.cost, reread: unchanged.value.reread, changed: unchanged.value.changed },
        oneChangedPoll: { ...oneChanged.cost, reread: oneChanged.value.reread, changed: oneChanged.value.changed, sameDigestAsFullReread: sameDigest },
        ratios: { cpu: ratio(full.cost.cpuMs, unchanged.cost.cpuMs, 1), wall: ratio(full.cost.ms, unchanged.cost.ms, 1) },
      }));
      return;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  throw new Error(`unknown mode ${mode}`);
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
