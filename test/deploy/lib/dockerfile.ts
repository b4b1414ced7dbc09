/** A Dockerfile as a list of instructions grouped in stages, and .dockerignore matching. */

export interface Instruction {
  /** Upper-case keyword: FROM, RUN, COPY, ... */
  keyword: string;
  /** Everything after the keyword, continuation lines joined, comments inside continuations removed. */
  args: string;
  line: number;
}

export interface Stage {
  /** The image after build arguments are substituted, e.g. node:20.20.2-bookworm-slim. */
  base: string;
  alias?: string;
  instructions: Instruction[];
}

export function parseDockerfile(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const trimmed = lines[i].trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const start = i;
    let joined = trimmed;
    while (joined.endsWith('\\') && i + 1 < lines.length) {
      joined = joined.slice(0, -1);
      const next = lines[++i].trim();
      if (!next.startsWith('#')) joined += ` ${next}`;
    }
    const [keyword, ...rest] = joined.split(/\s+/);
    instructions.push({ keyword: keyword.toUpperCase(), args: rest.join(' ').trim(), line: start + 1 });
  }
  return instructions;
}

/** Stages in order, FROM images resolved against the ARG defaults declared before the first FROM. */
export function stagesOf(instructions: Instruction[]): Stage[] {
  const args = new Map<string, string>();
  const stages: Stage[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'ARG' && stages.length === 0) {
      const [name, value = ''] = instruction.args.split('=');
      args.set(name.trim(), value.trim());
    } else if (instruction.keyword === 'FROM') {
      const [image, as, alias] = instruction.args.replace(/--platform=\S+\s+/, '').split(/\s+/);
      const base = image.replace(/\$\{?(\w+)\}?/g, (_, name: string) => args.get(name) ?? '');
      stages.push({ base, alias: as?.toUpperCase() === 'AS' ? alias : undefined, instructions: [] });
    } else if (stages.length > 0) {
      stages[stages.length - 1].instructions.push(instruction);
    }
  }
  return stages;
}

/** The JSON (exec) form of CMD / HEALTHCHECK CMD / ENTRYPOINT, as an array. */
export function execForm(args: string): string[] {
  const json = args.slice(args.indexOf('['));
  const parsed: unknown = JSON.parse(json);
  if (!Array.isArray(parsed)) throw new Error(`not an exec form: ${args}`);
  return parsed.map(String);
}

function patternToRegex(pattern: string): RegExp {
  const body = pattern.replace(/^\/+|\/+$/g, '').split('').map((char, index, chars) => {
    if (char === '*') {
      if (chars[index + 1] === '*') return '';
      return chars[index - 1] === '*' ? '.*' : '[^/]*';
    }
    if (char === '?') return '[^/]';
    return char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }).join('');
  // A pattern that matches a folder matches everything in it.
  return new RegExp(`^${body}(/.*)?$`);
}

/** Whether .dockerignore `rules` keep `path` out of the build context (the last matching rule wins). */
export function isIgnored(rules: string, path: string): boolean {
  let ignored = false;
  for (const raw of rules.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const negated = line.startsWith('!');
    if (patternToRegex(negated ? line.slice(1) : line).test(path)) ignored = !negated;
  }
  return ignored;
}
