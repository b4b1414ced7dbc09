// A git server over smart HTTP (git http-backend as CGI) that wants HTTP Basic credentials, and a
// double of GitHub's installation-token endpoint that checks the App's JWT, for tests of how the git
// source authenticates. Both listen on 127.0.0.1 at a free port.
import { spawn } from 'node:child_process';
import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';

export interface Listening {
  url: string;
  close(): Promise<void>;
}

async function listen(server: Server): Promise<Listening> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

async function body(stream: AsyncIterable<Buffer | string>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** Serves the repository at `repoDir` as `<url>/repo.git` to whoever sends `username:password` for one of `passwords()`. */
export async function gitHttpServer(repoDir: string, username: string, passwords: () => string[]): Promise<Listening & { logins: string[] }> {
  const logins: string[] = [];
  const server = createServer(async (req, res) => {
    const header = req.headers.authorization ?? '';
    const [user, ...rest] = Buffer.from(header.replace(/^Basic /, ''), 'base64').toString('utf8').split(':');
    if (!header.startsWith('Basic ') || user !== username || !passwords().includes(rest.join(':'))) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="git"' }).end();
      return;
    }
    logins.push(header);
    const url = new URL(req.url ?? '/', 'http://git');
    const input = await body(req);
    const cgi = spawn('git', ['http-backend'], {
      env: {
        ...process.env, GIT_PROJECT_ROOT: dirname(repoDir), GIT_HTTP_EXPORT_ALL: '1', REQUEST_METHOD: req.method,
        PATH_INFO: url.pathname.replace(/^\/repo\.git/, `/${repoDir.split('/').pop()}/.git`), QUERY_STRING: url.search.slice(1),
        CONTENT_TYPE: req.headers['content-type'] ?? '', REMOTE_USER: user, REMOTE_ADDR: '127.0.0.1',
        GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1',
      },
    });
    // The backend may answer and exit without reading its input (a refused or empty request): its
    // output is the answer, and the pipe closing under the write is not an error of the server's.
    cgi.stdin.on('error', (error: NodeJS.ErrnoException) => { if (error.code !== 'EPIPE') throw error; });
    cgi.stdin.end(input);
    const out = await body(cgi.stdout);
    const split = out.indexOf('\r\n\r\n');
    const headers: Record<string, string> = {};
    let status = 200;
    for (const line of out.subarray(0, split).toString('latin1').split('\r\n')) {
      const [name, ...value] = line.split(':');
      if (name.toLowerCase() === 'status') status = Number.parseInt(value.join(':').trim(), 10);
      else headers[name] = value.join(':').trim();
    }
    res.writeHead(status, headers).end(out.subarray(split + 4));
  });
  return { ...(await listen(server)), logins };
}

/** The App id (`iss`) of a JWT signed (RS256) with the key whose public half is `publicKey`, as GitHub checks an App's JWT. */
export function appJwtIssuer(authorization: string | undefined, publicKey: string): string | undefined {
  const jwt = (authorization ?? '').replace(/^(Bearer|bearer) /, '');
  const [head, claims, signature] = jwt.split('.');
  const signed = head && claims && signature && verify('RSA-SHA256', Buffer.from(`${head}.${claims}`), createPublicKey(publicKey), Buffer.from(signature, 'base64url'));
  const payload = signed ? JSON.parse(Buffer.from(claims, 'base64url').toString('utf8')) as { iss?: unknown } : undefined;
  return payload?.iss === undefined ? undefined : String(payload.iss);
}

/**
 * GitHub's `POST /app/installations/{id}/access_tokens`: answers a fresh token to a JWT signed (RS256)
 * with the App's private key and issued by its id, 401 to anything else.
 */
export async function githubTokenDouble(appId: string, installationId: string): Promise<Listening & { privateKey: string; issued: string[] }> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  const issued: string[] = [];
  const server = createServer(async (req, res) => {
    await body(req);
    if (req.method !== 'POST' || req.url !== `/app/installations/${installationId}/access_tokens` || appJwtIssuer(req.headers.authorization, publicKey) !== appId) {
      res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'A JSON web token could not be decoded' }));
      return;
    }
    const token = `ghs_${issued.length}${'x'.repeat(30)}`;
    issued.push(token);
    res.writeHead(201, { 'content-type': 'application/json' })
      .end(JSON.stringify({ token, expires_at: new Date(Date.now() + 3_600_000).toISOString(), permissions: { contents: 'read' }, repository_selection: 'selected' }));
  });
  return { ...(await listen(server)), privateKey, issued };
}
