// A stateful double of the part of GitHub's REST API the controller uses: commit statuses per SHA
// (create, list), authentication by token or GitHub App installation token, and the rate-limit headers
// GitHub sends with every answer. Errors are the bodies GitHub returns: 401 "Bad credentials", 404
// "Not Found" for a repository the token cannot see, 422 for an unknown SHA or an invalid state, 403
// "API rate limit exceeded" when the budget is spent. Listens on 127.0.0.1 at a free port.
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { appJwtIssuer } from './git-http.js';

export interface GithubStatus {
  id: number;
  state: string;
  description: string | null;
  target_url: string | null;
  context: string;
  created_at: string;
  creator: string;
}

export interface GithubDouble {
  url: string;
  /** Makes `owner/name` exist with these commits; statuses can be set on them. */
  addRepository(fullName: string, shas: string[]): void;
  addCommit(fullName: string, sha: string): void;
  /** A token that may write statuses to every repository (a personal access token). */
  acceptToken(token: string): void;
  /** Statuses on `sha` of `fullName`, newest first, as GET /repos/{o}/{r}/commits/{sha}/statuses lists them. */
  statuses(fullName: string, sha: string): GithubStatus[];
  /** Requests left in the current window (5,000 by default); at 0 every call is 403 until `resetAt`. */
  setRateLimit(remaining: number, resetAt?: number): void;
  /** A GitHub App whose installation tokens are accepted: its id, installation id and private key (PEM). */
  app: { appId: string; installationId: string; privateKey: string };
  requests: { method: string; path: string; status: number }[];
  close(): Promise<void>;
}

const DOCS = 'https://docs.github.com/rest/commits/statuses#create-a-commit-status';
const STATES = ['error', 'failure', 'pending', 'success'];

export async function startGithubDouble(now: () => number = Date.now): Promise<GithubDouble> {
  const repositories = new Map<string, Map<string, GithubStatus[]>>();
  const tokens = new Map<string, string>();
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  const app = { appId: '4242', installationId: '777', privateKey };
  const requests: GithubDouble['requests'] = [];
  let remaining = 5000;
  let resetAt = Math.floor(now() / 1000) + 3600;
  let nextId = 1;

  const send = (res: ServerResponse, req: IncomingMessage, status: number, body: unknown) => {
    requests.push({ method: req.method ?? '', path: req.url ?? '', status });
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'x-ratelimit-limit': '5000', 'x-ratelimit-remaining': String(Math.max(0, remaining)), 'x-ratelimit-used': String(5000 - Math.max(0, remaining)),
      'x-ratelimit-reset': String(resetAt), 'x-ratelimit-resource': 'core', 'x-github-api-version-selected': '2022-11-28',
    }).end(JSON.stringify(body));
  };
  const error = (res: ServerResponse, req: IncomingMessage, status: number, message: string, documentation = 'https://docs.github.com/rest') =>
    send(res, req, status, { message, documentation_url: documentation, status: String(status) });

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = new URL(req.url ?? '/', 'http://github').pathname;
      const installation = /^\/app\/installations\/(\d+)\/access_tokens$/.exec(path);
      if (req.method === 'POST' && installation) {
        if (installation[1] !== app.installationId || appJwtIssuer(req.headers.authorization, publicKey) !== app.appId) return error(res, req, 401, 'A JSON web token could not be decoded');
        const token = `ghs_${nextId++}${'y'.repeat(32)}`;
        tokens.set(token, `app/${app.appId}`);
        return send(res, req, 201, { token, expires_at: new Date(now() + 3_600_000).toISOString(), permissions: { statuses: 'write', contents: 'read' }, repository_selection: 'all' });
      }
      const given = String(req.headers.authorization ?? '').replace(/^(token|bearer) /i, '');
      const who = tokens.get(given);
      if (!who) return error(res, req, 401, 'Bad credentials');
      if (remaining <= 0) {
        if (Math.floor(now() / 1000) < resetAt) return error(res, req, 403, `API rate limit exceeded for ${who}.`, 'https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting');
        remaining = 5000;
        resetAt = Math.floor(now() / 1000) + 3600;
      }
      remaining -= 1;
      const create = /^\/repos\/([^/]+\/[^/]+)\/statuses\/([^/]+)$/.exec(path);
      const list = /^\/repos\/([^/]+\/[^/]+)\/commits\/([^/]+)\/statuses$/.exec(path);
      const match = create ?? list;
      if (!match) return error(res, req, 404, 'Not Found');
      const commits = repositories.get(match[1]);
      if (!commits) return error(res, req, 404, 'Not Found', DOCS);
      const statuses = commits.get(match[2]);
      if (list && req.method === 'GET') return send(res, req, 200, [...(statuses ?? [])].reverse());
      if (!create || req.method !== 'POST') return error(res, req, 404, 'Not Found');
      if (!statuses) return error(res, req, 422, `No commit found for SHA: ${match[2]}`, DOCS);
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
      } catch {
        return error(res, req, 400, 'Problems parsing JSON');
      }
      if (!STATES.includes(String(body.state))) {
        return send(res, req, 422, { message: 'Validation Failed', errors: [{ resource: 'Status', code: 'custom', field: 'state', message: `state is not included in the list` }], documentation_url: DOCS, status: '422' });
      }
      if (typeof body.description === 'string' && body.description.length > 140) {
        return send(res, req, 422, { message: 'Validation Failed', errors: [{ resource: 'Status', code: 'custom', field: 'description', message: 'description is too long (maximum is 140 characters)' }], documentation_url: DOCS, status: '422' });
      }
      const status: GithubStatus = {
        id: nextId++, state: String(body.state), description: typeof body.description === 'string' ? body.description : null,
        target_url: typeof body.target_url === 'string' ? body.target_url : null, context: typeof body.context === 'string' ? body.context : 'default',
        created_at: new Date(now()).toISOString(), creator: who,
      };
      statuses.push(status);
      return send(res, req, 201, { ...status, url: `/repos/${match[1]}/statuses/${match[2]}` });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    addRepository: (fullName, shas) => void repositories.set(fullName, new Map(shas.map((sha) => [sha, []]))),
    addCommit: (fullName, sha) => void repositories.get(fullName)?.set(sha, []),
    acceptToken: (token) => void tokens.set(token, 'user/ci'),
    statuses: (fullName, sha) => [...(repositories.get(fullName)?.get(sha) ?? [])].reverse(),
    setRateLimit(left, reset) {
      remaining = left;
      if (reset !== undefined) resetAt = Math.floor(reset / 1000);
    },
    app, requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
