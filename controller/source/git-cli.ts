import { execFile } from 'node:child_process';
import { askpassEnv, type GitCredentials } from './git-credentials.js';
import { safeDecode } from '../text.js';

/** What one git command may print: the manifests of thousands of tenants fit easily. */
const MAX_OUTPUT = 256 * 1024 * 1024;

/**
 * `https://user:token@host/x` → `https://***@host/x`, anywhere in a text: for logs, status
 * and error messages. scp-like `git@host:path` carries no secret and is left as it is.
 */
export function redactUrl(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/\s@]+@/gi, '$1***@');
}

/** The user-info parts of a URL (raw and decoded), to scrub from whatever git prints. */
function secretsOf(url: string): string[] {
  const match = /^[a-z][a-z0-9+.-]*:\/\/([^/\s@]+)@/i.exec(url);
  if (!match) return [];
  const parts = match[1].split(':').filter((part) => part.length >= 3);
  return [...new Set(parts.flatMap((part) => [part, safeDecode(part)]))];
}

/** Variables of the controller's environment that git never needs and never gets. */
const WITHHELD = ['DATABASE_URL', 'PGPASSWORD', 'OPENCLAW_GIT_TOKEN', 'OPENCLAW_GITHUB_APP_PRIVATE_KEY', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'];

export interface RunOptions {
  noGitDir?: boolean;
  /** The command talks to the remote: credentials go along (through askpass), when there are any. */
  remote?: boolean;
}

export interface GitCommand {
  run(args: string[], options?: RunOptions): Promise<Buffer>;
  text(args: string[]): Promise<string>;
  /** Contents of blobs by object id, in order, with one `cat-file --batch` process. */
  blobs(oids: string[]): Promise<Buffer[]>;
  /** What each `<commit>:<path>` is, symbolic links inside the tree followed (`cat-file --batch-check --follow-symlinks`). */
  objects(names: string[]): Promise<ObjectInfo[]>;
}

/** An object found by path, or why none was: a link out of the tree, to nothing, in a loop, through a file. */
export type ObjectInfo =
  | { found: true; oid: string; type: string; size: number }
  | { found: false; reason: 'missing' | 'symlink' | 'dangling' | 'loop' | 'notdir' };

/**
 * The git CLI through execFile with an argument array (never a shell), no terminal
 * prompt, a timeout, and error messages taken from git's stderr with credentials scrubbed
 * (execFile's own message repeats the command line, URL included, so it is never used).
 */
export function gitCommand(options: { gitDir: string; url: string; timeoutMs: number; credentials?: GitCredentials; askpassDir?: string }): GitCommand {
  const secrets = secretsOf(options.url);
  const scrub = (text: string) => secrets.reduce((out, secret) => out.split(secret).join('***'), redactUrl(text));
  const env: NodeJS.ProcessEnv = {
    ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !WITHHELD.includes(name))),
    GIT_TERMINAL_PROMPT: '0',
    GIT_ASKPASS: process.env.GIT_ASKPASS ?? 'true',
    LC_ALL: 'C',
    // ssh must never wait for a passphrase or a host-key answer either.
    ...(process.env.GIT_SSH_COMMAND || process.env.GIT_SSH ? {} : { GIT_SSH_COMMAND: 'ssh -o BatchMode=yes' }),
  };

  async function run(args: string[], runOptions: RunOptions & { input?: string } = {}): Promise<Buffer> {
    let argv = runOptions.noGitDir ? args : ['--git-dir', options.gitDir, ...args];
    let childEnv = env;
    if (runOptions.remote && options.credentials) {
      const auth = await askpassEnv(options.credentials, options.askpassDir ?? options.gitDir);
      if (auth.OPENCLAW_GIT_ASKPASS_PASSWORD && !secrets.includes(auth.OPENCLAW_GIT_ASKPASS_PASSWORD)) secrets.push(auth.OPENCLAW_GIT_ASKPASS_PASSWORD);
      childEnv = { ...env, ...auth };
      // Only these credentials: no helper configured on the machine answers first.
      argv = ['-c', 'credential.helper=', ...argv];
    }
    return new Promise((resolve, reject) => {
      const child = execFile('git', argv, { env: childEnv, timeout: options.timeoutMs, killSignal: 'SIGKILL', maxBuffer: MAX_OUTPUT, encoding: 'buffer' }, (error, stdout, stderr) => {
        if (!error) return resolve(stdout);
        const detail = error.killed ? `git ${args[0]} timed out after ${options.timeoutMs} ms`
          : error.code === 'ENOENT' ? 'the git CLI is not installed'
          : lastLines(stderr.toString('utf8')) || `git ${args[0]} exited with ${String(error.code)}`;
        reject(new Error(scrub(detail)));
      });
      if (runOptions.input !== undefined) child.stdin?.end(runOptions.input);
    });
  }

  return {
    run: (args, runOptions) => run(args, runOptions),
    text: async (args) => (await run(args)).toString('utf8'),
    async blobs(oids) {
      const out = await run(['cat-file', '--batch'], { input: `${oids.join('\n')}\n` });
      const contents: Buffer[] = [];
      let pos = 0;
      for (const oid of oids) {
        const eol = out.indexOf(0x0a, pos);
        const [, type, size] = out.subarray(pos, eol).toString('utf8').split(' ');
        if (type !== 'blob') throw new Error(`object ${oid} is ${type ?? 'unreadable'}, not a blob`);
        contents.push(out.subarray(eol + 1, eol + 1 + Number(size)));
        pos = eol + 1 + Number(size) + 1;
      }
      return contents;
    },
    async objects(names) {
      const out = await run(['cat-file', '--batch-check', '--follow-symlinks'], { input: `${names.join('\n')}\n` });
      const infos: ObjectInfo[] = [];
      let pos = 0;
      for (let i = 0; i < names.length; i++) {
        const eol = out.indexOf(0x0a, pos);
        const line = out.subarray(pos, eol).toString('utf8');
        pos = eol + 1;
        const words = line.split(' ');
        if (line.endsWith(' missing')) {
          infos.push({ found: false, reason: 'missing' });
        } else if (words.length === 2 && (words[0] === 'symlink' || words[0] === 'dangling' || words[0] === 'loop' || words[0] === 'notdir')) {
          // Followed by the link's text (or the name) and a newline.
          pos += Number(words[1]) + 1;
          infos.push({ found: false, reason: words[0] });
        } else {
          infos.push({ found: true, oid: words[0], type: words[1], size: Number(words[2]) });
        }
      }
      return infos;
    },
  };
}

/** The useful end of git's stderr ("fatal: …"), on one line. */
function lastLines(stderr: string): string {
  return stderr.trim().split('\n').map((line) => line.trim()).filter(Boolean).slice(-3).join('; ');
}
