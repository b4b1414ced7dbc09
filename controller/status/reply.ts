import type { FastifyReply } from 'fastify';

/** A JSON answer that no cache keeps, one line with a trailing newline. */
export function sendJson(reply: FastifyReply, status: number, body: unknown): void {
  void reply.code(status).header('cache-control', 'no-store').type('application/json; charset=utf-8').send(`${JSON.stringify(body)}\n`);
}
