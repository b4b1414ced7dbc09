/**
 * Equal subtrees of validated manifests held once: tenants of one tier share one instance of their
 * agents, integrations and storage, every document stays equal (keys in the same order), and what is
 * shared is frozen.
 */
import { describe, expect, it } from 'vitest';
import { deepFreeze, SubtreePool } from '../../../controller/manifests/subtree-pool.js';

function tenant(name: string, schedule = '0 7 * * *', tags: Record<string, string> = { team: 'bakery' }) {
  return {
    metadata: { name },
    spec: {
      contact: { email: `ops@${name}.example` },
      agents: [{ name: 'butler', schedule, enabled: true }],
      storage: { archiveAfterDays: 30, expireAfterDays: 365 },
      costAllocationTags: tags,
    },
  };
}

describe('the equal subtrees of validated manifests', () => {
  it('makes two documents share one instance of each equal subtree, and leaves each document equal to what it was', () => {
    const acme = tenant('acme');
    const globex = tenant('globex');
    const before = structuredClone([acme, globex]);
    new SubtreePool().share([acme, globex]);
    expect([acme, globex]).toEqual(before);
    expect(JSON.stringify([acme, globex])).toBe(JSON.stringify(before));
    expect(globex.spec.agents).toBe(acme.spec.agents);
    expect(globex.spec.storage).toBe(acme.spec.storage);
    expect(globex.spec.costAllocationTags).toBe(acme.spec.costAllocationTags);
    expect(globex.spec.contact).not.toBe(acme.spec.contact);
    expect(globex.spec).not.toBe(acme.spec);
  });

  it('tells apart subtrees whose values differ only in type or order of keys, and shares equal ones at any depth', () => {
    const docs = [
      { a: { n: 1 }, b: { n: '1' }, c: { x: 1, y: 2 }, d: { y: 2, x: 1 }, e: [[1]], f: [1], g: { n: null }, h: { n: 'null' } },
    ];
    new SubtreePool().share(docs);
    const [doc] = docs;
    expect(doc.a).not.toBe(doc.b);
    expect(doc.c).not.toBe(doc.d);
    expect(Object.keys(doc.d)).toEqual(['y', 'x']);
    expect(doc.e).not.toEqual(doc.f);
    // Equal at another depth: shared all the same.
    expect(doc.e[0]).toBe(doc.f);
    expect(doc.g).not.toBe(doc.h);
  });

  it('serves a later batch the instance kept from an earlier one, and keeps only subtrees met twice in a batch', () => {
    const pool = new SubtreePool();
    const first = [tenant('acme'), tenant('globex')];
    pool.share(first);
    const kept = pool.size;
    const later = tenant('initech');
    pool.share([later]);
    expect(later.spec.agents).toBe(first[0].spec.agents);
    expect(later.spec.storage).toBe(first[0].spec.storage);
    // The contact, metadata and spec of each tenant are its own: none is kept, so the pool does not grow with the fleet.
    expect(pool.size).toBe(kept);
    const changed = tenant('hooli', '0 8 * * *');
    pool.share([changed]);
    expect(changed.spec.agents).toEqual([{ name: 'butler', schedule: '0 8 * * *', enabled: true }]);
    expect(changed.spec.agents).not.toBe(first[0].spec.agents);
    expect(pool.size).toBe(kept);
  });

  it('keeps no more subtrees than its limit', () => {
    const pool = new SubtreePool(1);
    pool.share([tenant('acme'), tenant('globex')]);
    expect(pool.size).toBe(1);
  });

  it('freezes each document throughout, so that no tenant can change a subtree another one holds', () => {
    const acme = tenant('acme');
    const globex = tenant('globex');
    new SubtreePool().share([acme, globex]);
    expect(() => {
      acme.spec.agents[0].schedule = '* * * * *';
    }).toThrow(TypeError);
    expect(() => acme.spec.agents.push({ name: 'scout', schedule: '* * * * *', enabled: true })).toThrow(TypeError);
    expect(() => {
      acme.spec.contact.email = 'x@example.com';
    }).toThrow(TypeError);
    expect(globex.spec.agents[0].schedule).toBe('0 7 * * *');
    expect(Object.isFrozen(acme) && Object.isFrozen(acme.metadata)).toBe(true);
  });

  it('shares a subtree below a key named __proto__ without setting any prototype', () => {
    const docs = [JSON.parse('{"tags": {"__proto__": {"a": "b"}}, "other": {"a": "b"}}')];
    new SubtreePool().share(docs);
    expect(Object.getPrototypeOf(docs[0].tags)).toBe(Object.prototype);
    expect(docs[0]).toEqual(JSON.parse('{"tags": {"__proto__": {"a": "b"}}, "other": {"a": "b"}}'));
  });

  it('shares nothing into a document already frozen, and still reuses its subtrees for the next', () => {
    const pool = new SubtreePool();
    const frozen = tenant('acme');
    deepFreeze(frozen);
    const next = tenant('globex');
    pool.share([frozen, next]);
    expect(next.spec.agents).toBe(frozen.spec.agents);
  });
});
