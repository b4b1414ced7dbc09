// Object bodies: what PutObject accepts (string, bytes, Node stream, Blob) and what GetObject returns
// (a Node Readable carrying the SDK's one-shot transformToString / transformToByteArray / transformToWebStream).
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';

export async function toBuffer(body: unknown): Promise<Buffer> {
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof Uint8Array) return Buffer.from(body);
  if (body instanceof ArrayBuffer) return Buffer.from(new Uint8Array(body));
  if (typeof Blob !== 'undefined' && body instanceof Blob) return Buffer.from(await body.arrayBuffer());
  if (typeof (body as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function') {
    const chunks: Buffer[] = [];
    for await (const chunk of body as AsyncIterable<string | Uint8Array>) {
      chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));
    }
    return Buffer.concat(chunks);
  }
  throw new TypeError(`aws-double: unsupported PutObject Body of type ${typeof body}`);
}

export function etagOf(data: Buffer): string {
  return `"${createHash('md5').update(data).digest('hex')}"`;
}

export type SdkBody = Readable & {
  transformToString(encoding?: string): Promise<string>;
  transformToByteArray(): Promise<Uint8Array>;
  transformToWebStream(): ReadableStream;
};

/** A streaming body like the SDK's: it can be transformed once, as a real response stream can. */
export function sdkBody(data: Buffer): SdkBody {
  let used = false;
  const once = () => {
    if (used) throw new Error('The stream has already been transformed.');
    used = true;
  };
  return Object.assign(Readable.from([Buffer.from(data)]), {
    transformToString: async (encoding = 'utf8') => (once(), data.toString(Buffer.isEncoding(encoding) ? encoding : 'utf8')),
    transformToByteArray: async () => (once(), new Uint8Array(data)),
    transformToWebStream: () => (once(), new Blob([new Uint8Array(data)]).stream()),
  });
}
