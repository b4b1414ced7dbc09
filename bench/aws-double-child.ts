/**
 * The benchmark's AWS double in a process of its own (started by aws-double-process.ts with
 * `node --expose-gc --import tsx bench/aws-double-child.ts SETUP_JSON` and an IPC channel): the double
 * made as the world makes it, served over HTTP on 127.0.0.1 (test/aws-double/http), its URL sent to the
 * parent, then one reply to each command. The double's log of every call and the server's log of every
 * request are folded into counts each second, so that 100,000 PutObject inputs are not kept.
 * It exits when told to stop, or when its IPC channel closes (the parent gone).
 */
import { isRecord } from '../contract/json.js';
import { startAwsDoubleServer } from '../test/aws-double/http/index.js';
import { CallTally, createBenchDouble, dropBuckets, processUsage, type DoubleSetup } from './aws-double-host.js';
import { CHILD_COMMANDS, type ChildCommand, type ChildMessage } from './aws-double-process.js';

function readSetup(text: string | undefined): DoubleSetup {
  const value: unknown = JSON.parse(text ?? 'null');
  if (!isRecord(value)) throw new Error(`expected the world's double setup as a JSON object, got ${text}`);
  const { latencyMs, iamMaxRoles, bucket, boundaryPolicyArn, cluster, taskDefinitions } = value;
  if (typeof latencyMs !== 'number' || typeof iamMaxRoles !== 'number' || typeof bucket !== 'string' || typeof boundaryPolicyArn !== 'string' || typeof cluster !== 'string'
    || !Array.isArray(taskDefinitions) || !taskDefinitions.every((t) => typeof t === 'string')) {
    throw new Error(`the world's double setup needs latencyMs, iamMaxRoles, bucket, boundaryPolicyArn, cluster and taskDefinitions, got ${text}`);
  }
  return { latencyMs, iamMaxRoles, bucket, boundaryPolicyArn, cluster, taskDefinitions };
}

const isCommand = (value: unknown): value is ChildCommand => CHILD_COMMANDS.some((c) => c === value);

async function main(): Promise<void> {
  if (!process.send) throw new Error('aws-double-child.ts runs as a child process with an IPC channel (bench/aws-double-process.ts)');
  const send = (message: ChildMessage) => process.send?.(message);
  const double = createBenchDouble(readSetup(process.argv[2]));
  const server = await startAwsDoubleServer(double);
  const tally = new CallTally();
  const fold = () => {
    tally.fold(double);
    server.requests.splice(0);
  };
  const folding = setInterval(fold, 1_000);
  process.on('disconnect', () => process.exit(0));
  process.on('message', (message: unknown) => {
    if (!isRecord(message) || typeof message.id !== 'number' || !isCommand(message.command)) return;
    const { id, command } = message;
    try {
      if (command === 'reset-calls') {
        tally.reset(double);
        send({ kind: 'reply', id, value: null });
      } else if (command === 'usage') {
        send({ kind: 'reply', id, value: processUsage(double, tally) });
      } else if (command === 'bucket-share') {
        send({ kind: 'reply', id, value: dropBuckets(double, tally) });
      } else {
        clearInterval(folding);
        void server.close().finally(() => process.exit(0));
      }
    } catch (error) {
      send({ kind: 'reply', id, error: error instanceof Error ? error.message : String(error) });
    }
  });
  send({ kind: 'ready', url: server.url });
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
