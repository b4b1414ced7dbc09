/**
 * Contract tests of the AWS double: each case under contract/ is a request and the response AWS's API
 * reference documents for it (its example, or its response elements and errors), transcribed for the
 * controller's own names. The double must answer with the documented fields, of the documented types,
 * and fail with the documented error code and HTTP status. Fields a documented response shows that the
 * double does not model are listed in the case (`notModelled`, with why), so the list can only shrink.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createAwsDouble, createManualClock, seededRandom, type AwsDouble, type ServiceName } from './index.js';

interface Call { operation: string; input: Record<string, unknown> }
interface Case extends Call {
  name: string;
  documented: string;
  given?: Call[];
  output?: Record<string, unknown>;
  error?: { code: string; status: number };
  notModelled?: Record<string, string>;
  /** Members whose keys are data (version ids, metadata names): compared as `path{}`. */
  maps?: string[];
}
interface World {
  buckets?: { name: string; versioning?: 'Enabled' | 'Suspended' }[];
  clusters?: string[];
  taskDefinitions?: { family: string; containerNames: string[] }[];
  sesIdentities?: string[];
  sesConfigurationSets?: string[];
}
interface ContractFile { service: ServiceName; reference: string; world?: World; cases: Case[] }

const DIR = join(import.meta.dirname, 'contract');
const FILES: ContractFile[] = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort()
  .map((f) => JSON.parse(readFileSync(join(DIR, f), 'utf8')));
const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

/** Every field path of a response (`a.b[].c`) with the kind of its value; timestamps as documented (ISO text) or as the SDK gives them (Date). */
function shape(value: unknown, maps: readonly string[] = [], path = '', into = new Map<string, string>()): Map<string, string> {
  if (Array.isArray(value)) {
    into.set(path, 'array');
    for (const item of value) shape(item, maps, `${path}[]`, into);
  } else if (value instanceof Date || (typeof value === 'string' && ISO_TIME.test(value))) {
    into.set(path, 'timestamp');
  } else if (value !== null && typeof value === 'object') {
    if (path) into.set(path, 'object');
    const map = maps.includes(path);
    for (const [key, child] of Object.entries(value)) {
      if (key !== '$metadata') shape(child, maps, map ? `${path}{}` : path ? `${path}.${key}` : key, into);
    }
  } else {
    into.set(path, typeof value);
  }
  return into;
}

/** `$given[0].tasks[0].taskArn` in an input: that value of the output of the first given call. */
function resolve(input: unknown, outputs: unknown[]): unknown {
  if (typeof input === 'string' && input.startsWith('$given')) {
    return input.slice('$given'.length).split(/[.[\]]+/).filter(Boolean)
      .reduce<unknown>((at, key) => (at !== null && typeof at === 'object' ? Reflect.get(at, /^\d+$/.test(key) ? Number(key) : key) : undefined), outputs);
  }
  if (Array.isArray(input)) return input.map((item) => resolve(item, outputs));
  if (input !== null && typeof input === 'object') return Object.fromEntries(Object.entries(input).map(([k, v]) => [k, resolve(v, outputs)]));
  return input;
}

function doubleFor(world: World = {}): AwsDouble {
  const clock = createManualClock(Date.UTC(2025, 0, 6, 7, 0, 0));
  const double = createAwsDouble({ now: clock.now, sleep: clock.sleep, random: seededRandom(1) });
  for (const bucket of world.buckets ?? []) double.state.s3.createBucket(bucket.name, { versioning: bucket.versioning });
  for (const cluster of world.clusters ?? []) double.state.ecs.createCluster(cluster);
  for (const definition of world.taskDefinitions ?? []) double.state.ecs.registerTaskDefinition(definition.family, { containerNames: definition.containerNames });
  for (const identity of world.sesIdentities ?? []) double.state.ses.verifyIdentity(identity);
  for (const name of world.sesConfigurationSets ?? []) double.state.ses.createConfigurationSet(name);
  return double;
}

async function failure(call: Promise<unknown>): Promise<{ name: string; status: unknown }> {
  try {
    await call;
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    return { name: error.name, status: Reflect.get(Reflect.get(error, '$metadata') ?? {}, 'httpStatusCode') };
  }
  throw new Error('the call succeeded; the documentation says it fails');
}

describe.each(FILES.map((file) => [file.service, file] as const))('the AWS double’s %s against AWS’s API reference', (service, file) => {
  it.each(file.cases.map((c) => [c.name, c] as const))('%s', async (_name, contract) => {
    const double = doubleFor(file.world);
    const outputs: unknown[] = [];
    for (const step of contract.given ?? []) outputs.push(await double.invoke(service, step.operation, resolve(step.input, outputs)));
    const call = double.invoke(service, contract.operation, resolve(contract.input, outputs));
    if (contract.error) {
      const { code, status } = contract.error;
      expect(await failure(call)).toEqual({ name: expect.stringMatching(new RegExp(`^${code}(Exception)?$`)), status });
      return;
    }
    const answered = shape(await call, contract.maps);
    const documented = shape(contract.output ?? {}, contract.maps);
    const missing = Object.fromEntries([...documented].filter(([path, kind]) => answered.get(path) !== kind).map(([path, kind]) => [path, `${kind}, answered ${answered.get(path) ?? 'nothing'}`]));
    expect(Object.keys(missing).sort(), JSON.stringify(missing)).toEqual(Object.keys(contract.notModelled ?? {}).sort());
    if (documented.size === 0) expect([...answered.keys()]).toEqual([]);
  });
});
