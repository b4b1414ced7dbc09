/**
 * Runs in a child process of its own (node --expose-gc --import tsx bench/scale-child.ts MODE COUNT),
 * so that its memory is the scenario's alone, and prints one JSON object.
 *
 * validate: validateManifests over COUNT in-memory manifests (all three layers), time and peak RSS.
 * memory:   COUNT manifest files loaded by the directory source and their desired state derived and
 *           held, as the controller holds them between passes (snapshot, desired map, fingerprints):
 *           right after the load (`after`, the validation thread still alive) and once that thread
 *           has ended, as it does when idle (`held`, what the controller keeps between revisions).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import v8 from 'node:v8';
import { desiredTenant } from '../controller/desired/tenant.js';
import { fingerprintOf } from '../controller/engine/fingerprint.js';
import { endValidationThread } from '../controller/manifests/off-thread.js';
import { validateManifests } from '../controller/manifests/validate.js';
import { directorySource } from '../controller/source/directory.js';
import { manifestTexts, writeManifests } from './manifests.js';

const MB = 2 ** 20;
const mb = (bytes: number) => Math.round((bytes / MB) * 10) / 10;
const gc = () => (globalThis as { gc?: () => void }).gc?.();

function memory() {
  gc();
  const usage = process.memoryUsage();
  return { rssMB: mb(usage.rss), heapUsedMB: mb(usage.heapUsed), externalMB: mb(usage.external) };
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
  throw new Error(`unknown mode ${mode}`);
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
