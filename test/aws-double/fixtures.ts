// Shared fixtures for the double's own tests.
import { expect } from 'vitest';
import { createDoubleClients } from './clients.js';
import { createAwsDouble, createManualClock, seededRandom, type AwsDoubleOptions } from './index.js';

export function setup(options: AwsDoubleOptions = {}) {
  const clock = createManualClock();
  const double = createAwsDouble({ now: clock.now, sleep: clock.sleep, random: seededRandom(42), ...options });
  return { clock, double, ...createDoubleClients(double) };
}

/** The rejection of `promise`, which must reject. */
export async function rejection(promise: Promise<unknown>): Promise<Error & { $fault?: string; $metadata?: { httpStatusCode?: number } }> {
  const error: unknown = await promise.then(() => undefined, (e: unknown) => e);
  expect(error, 'expected the call to fail').toBeInstanceOf(Error);
  if (!(error instanceof Error)) throw new Error('expected the call to fail with an Error');
  return error;
}

export const TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

export function identityPolicy(resource = 'arn:aws:s3:::bucket/tenants/a/*', actions: string[] = ['s3:GetObject']): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'Own', Effect: 'Allow', Action: actions, Resource: resource }] });
}
