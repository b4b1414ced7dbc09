/** The worker side of off-thread.ts: validates what it is sent, one request at a time. */
import { parentPort } from 'node:worker_threads';
import type { ValidationRequest, ValidationReply } from './off-thread.js';
import { validateFile } from './validate.js';

const port = parentPort;
if (!port) throw new Error('validation-thread.ts runs only as a worker thread');
port.on('message', (request: ValidationRequest) => {
  const reply: ValidationReply = { id: request.id, json: JSON.stringify(request.inputs.map(validateFile)) };
  port.postMessage(reply);
});
