/**
 * Reads the Terraform configuration under terraform/ as data, through @cdktf/hcl2json (HCL's own parser,
 * compiled to WASM), so tests can check structure without a terraform binary or provider downloads.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { getReferencesInExpression, parse } from '@cdktf/hcl2json';
import { REPO_ROOT, TERRAFORM_DIR } from './paths.js';

export { REPO_ROOT, TERRAFORM_DIR };

/** The body of one block, as hcl2json gives it: nested blocks are arrays, expressions are "${...}" strings. */
export type Block = Record<string, any>;

export interface TfModule {
  /** "root", or the module's folder name under terraform/modules/. */
  name: string;
  dir: string;
  variables: Map<string, Block>;
  outputs: Map<string, Block>;
  /** Module calls by name. */
  modules: Map<string, Block>;
  /** Resources by "type.name". */
  resources: Map<string, Block>;
  /** Data sources by "type.name". */
  data: Map<string, Block>;
  locals: Map<string, unknown>;
  /** provider "aws" { ... } blocks. */
  providers: Block[];
  /** terraform { ... } blocks. */
  settings: Block[];
  /** Every "${...}" expression string of the module, with the file it is in. */
  expressions: { file: string; text: string }[];
}

export interface TfStack {
  root: TfModule;
  /** Child modules by folder name. */
  children: Map<string, TfModule>;
}

function addNamed(target: Map<string, Block>, section: Record<string, Block[]> | undefined, prefix = ''): void {
  for (const [name, blocks] of Object.entries(section ?? {})) {
    if (target.has(prefix + name)) throw new Error(`${prefix + name} is declared twice`);
    target.set(prefix + name, blocks[0]);
  }
}

function collectExpressions(value: unknown, file: string, into: { file: string; text: string }[]): void {
  if (typeof value === 'string') {
    if (value.includes('${')) into.push({ file, text: value });
  } else if (Array.isArray(value)) {
    for (const item of value) collectExpressions(item, file, into);
  } else if (value && typeof value === 'object') {
    for (const item of Object.values(value)) collectExpressions(item, file, into);
  }
}

export async function loadModule(dir: string, name: string): Promise<TfModule> {
  const module: TfModule = {
    name, dir,
    variables: new Map(), outputs: new Map(), modules: new Map(), resources: new Map(), data: new Map(),
    locals: new Map(), providers: [], settings: [], expressions: [],
  };
  const files = readdirSync(dir).filter((file) => file.endsWith('.tf')).sort();
  for (const file of files) {
    const json = await parse(file, readFileSync(join(dir, file), 'utf8'));
    addNamed(module.variables, json.variable);
    addNamed(module.outputs, json.output);
    addNamed(module.modules, json.module);
    for (const [type, byName] of Object.entries<Record<string, Block[]>>(json.resource ?? {})) addNamed(module.resources, byName, `${type}.`);
    for (const [type, byName] of Object.entries<Record<string, Block[]>>(json.data ?? {})) addNamed(module.data, byName, `${type}.`);
    for (const block of (json.locals ?? []) as Block[]) for (const [key, value] of Object.entries(block)) module.locals.set(key, value);
    module.providers.push(...((json.provider?.aws ?? []) as Block[]));
    module.settings.push(...((json.terraform ?? []) as Block[]));
    collectExpressions(json, `${relative(REPO_ROOT, dir)}/${file}`, module.expressions);
  }
  return module;
}

let cached: Promise<TfStack> | undefined;

/** The root module and every module under terraform/modules/, parsed once per test file. */
export function loadStack(): Promise<TfStack> {
  cached ??= (async () => {
    const root = await loadModule(TERRAFORM_DIR, 'root');
    const children = new Map<string, TfModule>();
    const modulesDir = join(TERRAFORM_DIR, 'modules');
    for (const name of readdirSync(modulesDir).sort()) children.set(name, await loadModule(join(modulesDir, name), name));
    return { root, children };
  })();
  return cached;
}

export function allModules(stack: TfStack): TfModule[] {
  return [stack.root, ...stack.children.values()];
}

/** The child module a module call points at ("./modules/<name>"). */
export function childOf(stack: TfStack, call: Block): TfModule {
  const match = /^\.\/modules\/([\w-]+)$/.exec(String(call.source));
  const child = match ? stack.children.get(match[1]) : undefined;
  if (!child) throw new Error(`module source ${String(call.source)} is not a folder under terraform/modules/`);
  return child;
}

/** Meta-arguments of a module call, which are not inputs. */
export const MODULE_META_ARGUMENTS = new Set(['source', 'version', 'providers', 'count', 'for_each', 'depends_on']);

export interface TfReference {
  kind: 'var' | 'local' | 'module' | 'data' | 'resource';
  /** var/local name, module name, or "type.name" of a resource or data source. */
  target: string;
  /** For module references: the output read. */
  attribute?: string;
  file: string;
}

/** Every reference to a variable, local, module output, data source or resource in a module's expressions. */
export async function referencesOf(module: TfModule): Promise<TfReference[]> {
  const found: TfReference[] = [];
  for (const { file, text } of module.expressions) {
    for (const { value } of await getReferencesInExpression(file, text)) {
      const parts = value.split('.');
      if (parts[0] === 'var' || parts[0] === 'local') found.push({ kind: parts[0], target: parts[1], file });
      else if (parts[0] === 'module') found.push({ kind: 'module', target: parts[1], attribute: parts[2], file });
      else if (parts[0] === 'data') found.push({ kind: 'data', target: `${parts[1]}.${parts[2]}`, file });
      else if (/^aws_/.test(parts[0])) found.push({ kind: 'resource', target: `${parts[0]}.${parts[1]}`, file });
    }
  }
  return found;
}

/** "${var.x}" → "var.x"; anything else unchanged. */
export function unwrap(expression: unknown): unknown {
  return typeof expression === 'string' ? expression.replace(/^\$\{([\s\S]*)\}$/, '$1') : expression;
}

/** Blocks of a nested block type, as an array whatever hcl2json gave (absent, one, or many). */
export function blocks(parent: Block | undefined, type: string): Block[] {
  const value = parent?.[type];
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}
