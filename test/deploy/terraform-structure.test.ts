import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  MODULE_META_ARGUMENTS, TERRAFORM_DIR, allModules, blocks, childOf, loadStack, referencesOf, unwrap,
} from './lib/terraform.js';

const stack = await loadStack();
const modules = allModules(stack);
const references = new Map(await Promise.all(modules.map(async (m) => [m.name, await referencesOf(m)] as const)));

describe('terraform modules', () => {
  it('has the root module and the networking, database, storage, compute, email, monitoring and security modules', () => {
    expect([...stack.children.keys()]).toEqual(['compute', 'database', 'email', 'monitoring', 'networking', 'security', 'storage']);
    expect([...stack.root.modules.values()].map((call) => childOf(stack, call).name).sort())
      .toEqual(['compute', 'database', 'email', 'monitoring', 'networking', 'security', 'storage']);
  });

  it('passes every declared input of each module from the root module, and nothing undeclared', () => {
    const problems: string[] = [];
    for (const [name, call] of stack.root.modules) {
      const child = childOf(stack, call);
      const passed = Object.keys(call).filter((key) => !MODULE_META_ARGUMENTS.has(key));
      for (const input of child.variables.keys()) if (!passed.includes(input)) problems.push(`module.${name}: input ${input} is not passed`);
      for (const input of passed) if (!child.variables.has(input)) problems.push(`module.${name}: ${input} is passed but not declared in modules/${child.name}`);
    }
    expect(problems).toEqual([]);
  });

  it('uses every declared variable, in the root module and in each module', () => {
    const unused = modules.flatMap((m) => {
      const used = new Set(references.get(m.name)!.filter((r) => r.kind === 'var').map((r) => r.target));
      return [...m.variables.keys()].filter((v) => !used.has(v)).map((v) => `${m.name}: var.${v}`);
    });
    expect(unused).toEqual([]);
  });

  it('types and describes every variable', () => {
    const problems = modules.flatMap((m) => [...m.variables].flatMap(([name, body]) => [
      ...(body.type === undefined ? [`${m.name}: var.${name} has no type`] : []),
      ...(typeof body.description !== 'string' || body.description.length < 10 ? [`${m.name}: var.${name} has no description`] : []),
    ]));
    expect(problems).toEqual([]);
  });

  it('validates every root variable that can hold a wrong value (all but booleans)', () => {
    const unvalidated = [...stack.root.variables]
      .filter(([, body]) => unwrap(body.type) !== 'bool' && blocks(body, 'validation').length === 0)
      .map(([name]) => name);
    expect(unvalidated).toEqual([]);
  });

  it('declares every variable, local, resource and data source that an expression refers to', () => {
    const problems = modules.flatMap((m) => references.get(m.name)!.flatMap((ref) => {
      const declared = ref.kind === 'var' ? m.variables.has(ref.target)
        : ref.kind === 'local' ? m.locals.has(ref.target)
          : ref.kind === 'resource' ? m.resources.has(ref.target)
            : ref.kind === 'data' ? m.data.has(ref.target)
              : m.modules.has(ref.target);
      return declared ? [] : [`${ref.file}: ${ref.kind} ${ref.target} is not declared`];
    }));
    expect(problems).toEqual([]);
  });

  it('reads only outputs that the called module declares', () => {
    const problems = references.get('root')!.filter((ref) => ref.kind === 'module').flatMap((ref) => {
      const call = stack.root.modules.get(ref.target);
      if (!call) return [`module.${ref.target} does not exist`];
      return childOf(stack, call).outputs.has(ref.attribute ?? '') ? [] : [`${ref.file}: module.${ref.target}.${ref.attribute} is not an output of the module`];
    });
    expect(problems).toEqual([]);
  });

  it('declares no provider in the modules, so every module inherits the root provider and its default tags', () => {
    expect([...stack.children.values()].filter((m) => m.providers.length > 0).map((m) => m.name)).toEqual([]);
  });

  it('keeps state in S3 with the native lockfile, encrypted, and pins Terraform and the AWS provider', () => {
    const settings = stack.root.settings;
    const backend = settings.flatMap((s) => blocks(s.backend, 's3'));
    expect(backend).toHaveLength(1);
    expect(backend[0]).toMatchObject({ use_lockfile: true, encrypt: true });
    expect(settings.find((s) => s.required_version)?.required_version).toMatch(/>=\s*1\.1[1-9]/);
    const providers = settings.flatMap((s) => blocks(s, 'required_providers'));
    expect(providers[0]?.aws).toMatchObject({ source: 'hashicorp/aws', version: expect.stringMatching(/^~> 5\.\d+$/) });
  });

  it('commits the lock file of the AWS provider, with a checksum of the build the workflows run', () => {
    const lock = readFileSync(join(TERRAFORM_DIR, '.terraform.lock.hcl'), 'utf8');
    const aws = /provider "registry\.terraform\.io\/hashicorp\/aws" \{([\s\S]*?)\n\}/.exec(lock)?.[1] ?? '';
    expect(aws).toMatch(/version\s+=\s+"5\.\d+\.\d+"/);
    expect(aws).toMatch(/"h1:[A-Za-z0-9+/]{43}="/);
    expect(readFileSync(join(TERRAFORM_DIR, '.gitignore'), 'utf8')).not.toMatch(/lock/);
  });

  const terraform = spawnSync('terraform', ['version'], { encoding: 'utf8' });
  it.skipIf(terraform.status !== 0)('is formatted as `terraform fmt` writes it (needs a terraform binary on PATH)', () => {
    const result = spawnSync('terraform', ['fmt', '-check', '-recursive', '-diff'], {
      cwd: TERRAFORM_DIR, encoding: 'utf8', env: { ...process.env, TF_CLI_CONFIG_FILE: '/dev/null' },
    });
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});
