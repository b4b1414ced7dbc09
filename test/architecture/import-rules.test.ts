import { describe, expect, it } from 'vitest';
import { cycles, edgesBetween, importGraph } from './imports.js';

const graph = importGraph();
const under = (...prefixes: string[]) => (file: string) => prefixes.some((prefix) => file.startsWith(prefix));

describe('the import rules of docs/ARCHITECTURE.md, read from the source', () => {
  it('reads the imports it checks (a graph of the contract, the controller and the agents, with their known edges)', () => {
    expect(graph.size).toBeGreaterThan(100);
    expect(graph.get('controller/engine/reconciler.ts')).toContain('controller/engine/planner.ts');
    expect(graph.get('controller/cli/run.ts')).toContain('controller/main.ts');
    expect(graph.get('agents/runtime/runner.ts')).toContain('contract/logger.ts');
  });

  it('has no import cycle', () => {
    expect(cycles(graph)).toEqual([]);
  });

  it('lets only the CLI import the composition root: every other part declares the context it needs', () => {
    expect(edgesBetween(graph, (f) => !under('controller/cli')(f), (f) => f === 'controller/main.ts')).toEqual([]);
  });

  it('keeps the engine free of resource kinds, providers, the database, the scheduler, onboarding and the servers', () => {
    expect(edgesBetween(graph, under('controller/engine/'), under(
      'controller/resources/', 'controller/providers/', 'controller/db/', 'controller/scheduler/', 'controller/integrations/',
      'controller/status/http', 'controller/status/routes', 'controller/status/metrics', 'controller/cli', 'controller/main.ts', 'controller/runtime.ts',
    ))).toEqual([]);
  });

  it('lets a resource module use only the engine’s module contract, nothing above it', () => {
    const engineInternals = (f: string) => f.startsWith('controller/engine/') && f !== 'controller/engine/types.ts';
    expect(edgesBetween(graph, under('controller/resources/'), (f) => engineInternals(f) || under(
      'controller/scheduler/', 'controller/status/', 'controller/integrations/', 'controller/cli', 'controller/main.ts', 'controller/runtime.ts',
    )(f))).toEqual([]);
  });

  it('keeps manifests and desired state pure: no I/O layer below them', () => {
    expect(edgesBetween(graph, under('controller/desired/', 'controller/manifests/'), under(
      'controller/engine/', 'controller/resources/', 'controller/providers/', 'controller/db/', 'controller/scheduler/', 'controller/status/',
      'controller/integrations/', 'controller/cli', 'controller/main.ts',
    ))).toEqual([]);
  });

  it('has controller/ and agents/ share only contract/, which imports neither', () => {
    expect(edgesBetween(graph, under('agents/'), under('controller/'))).toEqual([]);
    expect(edgesBetween(graph, under('controller/'), under('agents/'))).toEqual([]);
    expect(edgesBetween(graph, under('contract/'), under('controller/', 'agents/'))).toEqual([]);
  });

  it('lets no provider build a resource module: the composition root composes them on the provider’s APIs', () => {
    expect(edgesBetween(graph, under('controller/providers/'), under('controller/resources/'))).toEqual([]);
  });

  it('lets only the composition root use compose/ (platform, modules, launchers), and the scheduler no provider implementation', () => {
    expect(edgesBetween(graph, (f) => f !== 'controller/main.ts' && !under('controller/compose/')(f), under('controller/compose/'))).toEqual([]);
    expect(edgesBetween(graph, under('controller/scheduler/'), under('controller/providers/aws/provider.ts', 'controller/providers/local/', 'controller/compose/'))).toEqual([]);
  });
});
