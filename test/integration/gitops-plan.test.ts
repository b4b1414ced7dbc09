import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { names } from '../../contract/names.js';
import { createGitWorld, dbStates, observedRevisions, tenantNames, type GitWorld } from '../helpers/gitops.js';

const t = tenantNames('eve', 'fay', 'gus', 'hal');

/** Branch pr-7 off main: adds hal, removes fay (offboarded: deletion policy Delete). Returns its head. */
function openPullRequest(g: GitWorld, tenants: Record<'fay' | 'hal', string>): string {
  g.origin.git('checkout', '--quiet', '-b', 'pr-7', 'main');
  g.put(tenants.hal);
  g.drop(tenants.fay);
  const head = g.origin.commit('add hal, remove fay');
  g.origin.git('checkout', '--quiet', 'main');
  return head;
}

describe('tenantctl plan for a pull request on the git repository', () => {
  let g: GitWorld;
  let main: string;
  let pr7: string;

  beforeAll(async () => {
    g = await createGitWorld();
    g.put(t.eve);
    g.put(t.fay, { deletionPolicy: 'Delete' });
    g.put(t.gus);
    main = g.origin.commit('three tenants');
    await g.world.pass();
    // Someone changed the live state by hand: drift, not part of any pull request.
    await g.admin.query(`ALTER ROLE ${names.pgRuntimeRole(t.eve)} BYPASSRLS`);
    pr7 = openPullRequest(g, t);
  });

  afterAll(async () => {
    await g?.close();
  });

  it('exits 0 and says there is nothing to change when the branch matches the live state', async () => {
    await g.admin.query(`ALTER ROLE ${names.pgRuntimeRole(t.eve)} NOBYPASSRLS`);
    const result = await g.cli(['plan', '--output', 'markdown']);
    await g.admin.query(`ALTER ROLE ${names.pgRuntimeRole(t.eve)} BYPASSRLS`);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain(`### tenantctl plan for commit \`${main.slice(0, 7)}\` (\`${main}\`)`);
    expect(result.stdout).toContain('No changes. The live state matches the manifests.');
  });

  it('prints a review comment for a branch that adds a tenant and removes another: counts, destructive first, drift apart, exit code 2', async () => {
    const head = pr7;
    const result = await g.cli(['plan', '--output', 'markdown'], { OPENCLAW_GIT_BRANCH: 'pr-7', OPENCLAW_MAX_DELETE_FRACTION: '0.5' });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(2);
    const md = result.stdout;
    expect(md.split('\n')[0]).toBe(`### tenantctl plan for commit \`${head.slice(0, 7)}\` (\`${head}\`)`);
    expect(md).toMatch(/\*\*3\*\* to create · \*\*4\*\* to update · \*\*0\*\* to delete · 2 tenant\(s\) changed, 1 offboarded · 1 drift/);
    expect(md).toContain(`- **\`${t.fay}\`** is offboarded: manifest removed, deletion policy Delete; access is revoked now and its data purged after the grace period`);
    expect(md).toContain(`  - \`~\` postgres \`role/${names.pgRuntimeRole(t.fay)}\``);
    expect(md).toContain(`| \`${t.hal}\` | \`+\` create | postgres \`schema/${names.pgSchema(t.hal)}\` |  |`);
    expect(md).toContain(`| \`${t.hal}\` | \`~\` update | postgres \`limits/${names.pgRuntimeRole(t.hal)}\` | connectionLimit, statementTimeout |`);
    const order = ['#### :warning: Destructive changes and offboarding', '#### Changes', '<details><summary>Drift in the live state'].map((heading) => md.indexOf(heading));
    expect(order.every((at) => at >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    const drift = md.slice(order[2]);
    expect(drift).toContain(`- \`${t.eve}\` \`~\` postgres \`role/${names.pgRuntimeRole(t.eve)}\` (bypassrls)`);
    expect(md.slice(0, order[2])).not.toContain(t.eve);

    // A plan changes nothing.
    expect(await dbStates(g.admin, [t.fay, t.hal])).toEqual({ [t.fay]: 'active', [t.hal]: 'gone' });
  });

  it('shows a removal the guard would hold, and how to confirm it', async () => {
    const head = pr7;
    const result = await g.cli(['plan', '--output', 'markdown'], { OPENCLAW_GIT_BRANCH: 'pr-7' });
    expect(result.code).toBe(2);
    expect(result.stdout).toContain('#### :no_entry: Held by the mass-deletion guard');
    expect(result.stdout).toContain(`> revision ${head} would offboard 1 of 3 tenants (33% > 10% allowed)`);
    expect(result.stdout).toContain(`\`tenantctl confirm-deletion ${head}\`, or the annotation \`openclaw.io/confirm-deletion: "${head}"\` on a remaining tenant`);
    expect(result.stdout).not.toContain('Destructive changes and offboarding');
  });

  it('exits 1 with the errors when the branch holds an invalid manifest', async () => {
    g.origin.git('checkout', '--quiet', '-b', 'pr-8', main);
    g.origin.write(`tenants/${t.hal}.yaml`, 'apiVersion: openclaw.io/v1alpha1\nkind: Tenant\nmetadata:\n  name: x\n');
    g.origin.commit('broken');
    g.origin.git('checkout', '--quiet', 'main');

    const result = await g.cli(['plan', '--output', 'markdown'], { OPENCLAW_GIT_BRANCH: 'pr-8' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`tenants/${t.hal}.yaml:`);
    expect(result.stdout).toBe('');
  });
});

// Applying changes main and the live state the plans above read: its own repository, database and tenants.
describe('tenantctl apply after a pull request is merged', () => {
  const m = tenantNames('eve', 'fay', 'gus', 'hal');
  let g: GitWorld;

  beforeAll(async () => {
    g = await createGitWorld();
    g.put(m.eve);
    g.put(m.fay, { deletionPolicy: 'Delete' });
    g.put(m.gus);
    g.origin.commit('three tenants');
    await g.world.pass();
    openPullRequest(g, m);
  });

  afterAll(async () => {
    await g?.close();
  });

  it('applies the merged branch with `tenantctl apply` and records the merge commit', async () => {
    g.origin.git('merge', '--quiet', '--no-ff', '-m', 'Merge pull request #7', 'pr-7');
    const merge = g.origin.head();

    const result = await g.cli(['apply'], { OPENCLAW_MAX_DELETE_FRACTION: '0.5' });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Plan for revision ${merge}:`);
    expect(await dbStates(g.admin, [m.eve, m.fay, m.gus, m.hal])).toEqual({ [m.eve]: 'active', [m.fay]: 'revoked', [m.gus]: 'active', [m.hal]: 'active' });
    expect(await observedRevisions(g.world, [m.gus, m.hal])).toEqual({ [m.gus]: merge, [m.hal]: merge });
  });
});
