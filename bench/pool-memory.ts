/**
 * Memory and the scheduler as the pooled scenarios measure a controller: in the benchmark's process, or
 * in a controller restarted in a process of its own (restart-child.ts).
 */
import { createSchedulerService } from '../controller/scheduler/service.js';
import { collect } from './collect.js';
import { round } from './limits.js';
import type { BenchController } from './world.js';

export const MB = 2 ** 20;

/** The flags this process's heap runs with (a cap changes how much V8 keeps): a child measured alike gets them too. */
export function heapFlags(): string[] {
  return process.execArgv.filter((flag) => flag.startsWith('--max-') || flag.startsWith('--optimize'));
}

export function memory() {
  const usage = process.memoryUsage();
  return {
    rssMB: round(usage.rss / MB, 1), heapUsedMB: round(usage.heapUsed / MB, 1),
    // What V8 has committed for its heap (used or not), and the flags it runs with (a heap cap changes how much it keeps).
    heapCommittedMB: round(usage.heapTotal / MB, 1), nodeFlags: heapFlags(),
    peakRssMB: round((process.resourceUsage().maxRSS * 1024) / MB, 1),
  };
}

/**
 * The scheduler as `tenantctl run` runs it beside the loop: its entries follow every pass, so the
 * memory measured holds them too. Its timer never fires, so it never leads: no runs are launched
 * while the passes are measured (a leader would also hold a cursor per entry).
 */
export async function followedByScheduler(controller: BenchController): Promise<() => Promise<void>> {
  const service = createSchedulerService(controller.ctx, { timer: { setTimeout: () => () => {} } });
  if ('problem' in service) throw new Error(`the scheduler cannot start: ${service.problem}`);
  await service.start();
  return () => service.stop();
}

/**
 * `fn`'s highest RSS (sampled every 50 ms and at its end), from a process collected just before
 * (--expose-gc), so an earlier scenario's garbage is not counted; `peakRssMB` stays the process's lifetime peak.
 */
export async function rssDuring<T>(fn: () => Promise<T>): Promise<{ value: T; startRssMB: number; passPeakRssMB: number; collected: boolean }> {
  collect();
  const start = process.memoryUsage.rss();
  let peak = start;
  const sample = () => { peak = Math.max(peak, process.memoryUsage.rss()); };
  const timer = setInterval(sample, 50);
  try {
    const value = await fn();
    sample();
    return { value, startRssMB: round(start / MB, 1), passPeakRssMB: round(peak / MB, 1), collected: 'gc' in globalThis };
  } finally {
    clearInterval(timer);
  }
}

