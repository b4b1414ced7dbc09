import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { execForm, isIgnored, parseDockerfile, stagesOf, type Stage } from './lib/dockerfile.js';
import { REPO_ROOT } from './lib/paths.js';

const instructions = parseDockerfile(readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8'));
const stages = stagesOf(instructions);
const final = stages[stages.length - 1];
/** The stage that compiles the TypeScript (npm run build). */
const build = stages.find((s) => s.instructions.some((i) => i.keyword === 'RUN' && /\bnpm run build\b/.test(i.args)));
const inFinal = (keyword: string) => final.instructions.filter((i) => i.keyword === keyword);
const dockerignore = readFileSync(join(REPO_ROOT, '.dockerignore'), 'utf8');
const packageJson = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };

describe('Dockerfile', () => {
  it('builds in several stages, each from an exactly pinned, supported Node LTS image (22, the SDK no longer supports 20)', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const aliases = new Set(stages.map((s) => s.alias).filter(Boolean));
    for (const { base } of stages.filter((s) => !aliases.has(s.base))) {
      expect(base).toMatch(/^node:(22|24)\.\d+\.\d+-[a-z]+(-slim)?(@sha256:[0-9a-f]{64})?$/);
      expect(base).not.toMatch(/latest|lts|current/);
    }
  });

  it('installs production dependencies exactly as locked, with npm ci --omit=dev', () => {
    const runs = instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);
    expect(runs.some((run) => /\bnpm ci\b[^&]*--omit=dev/.test(run))).toBe(true);
    expect(runs.filter((run) => /\bnpm (install|i)\b/.test(run))).toEqual([]);
    // The image runs compiled JavaScript (the controller and the agents' `node agents/run.js`): tsx is for development only.
    expect(packageJson.dependencies.tsx).toBeUndefined();
  });

  it('compiles in a build stage with npm run build, and the runtime image holds only the compiled tree', () => {
    expect(build?.alias).toBeDefined();
    expect(build).not.toBe(final);
    const fromBuild = inFinal('COPY').filter((i) => i.args.includes(`--from=${build!.alias}`));
    expect(fromBuild.map((i) => i.args.split(/\s+/).slice(1))).toEqual([['/build/dist/', './']]);
    expect(build!.instructions.filter((i) => i.keyword === 'WORKDIR').map((i) => i.args)).toEqual(['/build']);
  });

  it('runs as a non-root user', () => {
    const users = inFinal('USER').map((i) => i.args.split(':')[0]);
    expect(users.length).toBeGreaterThan(0);
    expect(['root', '0']).not.toContain(users[users.length - 1]);
  });

  it('checks /healthz on port 8080 with node itself, since a slim image has no curl', () => {
    const [healthcheck] = inFinal('HEALTHCHECK');
    expect(healthcheck).toBeDefined();
    const command = execForm(healthcheck.args);
    expect(command[0]).toBe('node');
    expect(command.join(' ')).toMatch(/127\.0\.0\.1.*8080.*\/healthz/);
  });

  it('exposes 8080 and starts the controller by default, so agents only override the command', () => {
    expect(inFinal('EXPOSE').map((i) => i.args)).toEqual(['8080']);
    expect(execForm(inFinal('CMD')[0].args)).toEqual(['node', 'bin/tenantctl.js', 'run']);
    expect(inFinal('ENTRYPOINT')).toEqual([]);
  });

  it('compiles the code and its runtime files, copies package.json (ES modules) into the final image, and never the tenant manifests', () => {
    const sourcesOf = (stage: Stage) => stage.instructions.filter((i) => i.keyword === 'COPY' && !i.args.includes('--from=')).flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    expect(sourcesOf(build!)).toEqual(expect.arrayContaining(['tsconfig.json', 'tsconfig.build.json', 'scripts/build.mjs', 'bin/', 'contract/', 'controller/', 'agents/', 'crds/', 'migrations/']));
    expect(sourcesOf(final)).toEqual(['package.json', 'package-lock.json']);
    for (const stage of stages) expect(sourcesOf(stage).filter((s) => s === '.' || s.startsWith('tenants'))).toEqual([]);
  });

  it('keeps tenants, tests, local state and secrets out of the build context with .dockerignore', () => {
    for (const path of ['tenants/acme.yaml', 'test/unit/x.test.ts', '.git/config', 'node_modules/pg/index.js', '.openclaw/secrets.json', '.env', 'terraform/main.tf', 'controller/x.test.ts']) {
      expect(isIgnored(dockerignore, path), path).toBe(true);
    }
    for (const path of ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'scripts/build.mjs', 'bin/tenantctl.js', 'controller/main.ts', 'contract/catalog.ts', 'agents/run.ts', 'crds/tenants.openclaw.io.yaml', 'migrations/tenant/001.sql']) {
      expect(isIgnored(dockerignore, path), path).toBe(false);
    }
  });
});
