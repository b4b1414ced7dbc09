import { fileURLToPath } from 'node:url';

/**
 * The entry of a benchmark's child process, a module beside the one that starts it (`parent`, its
 * import.meta.url): from source, the TypeScript file with tsx registered; in the compiled benchmark
 * (`npm run bench:compiled`), its JavaScript, without tsx, so that both processes run compiled code.
 */
export function childEntry(parent: string, name: string): { file: string; execArgv: string[] } {
  const compiled = !parent.endsWith('.ts');
  return {
    file: fileURLToPath(new URL(`./${name}.${compiled ? 'js' : 'ts'}`, parent)),
    execArgv: compiled ? [] : ['--import', 'tsx'],
  };
}
