import type { StoredRule } from '../../src/catalog/merchandising';
import { ContradictoryRulesError, InvalidInputError, RuleConflictKind, RuleNotFoundError } from '../../src/common/errors';
import { MAX_STORED_RULES, MerchandisingService } from '../../src/search/merchandising.service';
import { InMemoryRuleStore } from '../support/fakes';

/** MerchandisingService against an in-memory rule store: the checks on save, the cap, and the read cache. */

/** The in-memory store, recording the limit of every list() and able to answer a list() with a promise of the test's. */
class RecordingStore extends InMemoryRuleStore {
  readonly limits: number[] = [];
  readonly pending: { resolve: (r: StoredRule[]) => void; reject: (e: Error) => void }[] = [];
  holdLists = false;

  override list(limit: number): Promise<StoredRule[]> {
    this.limits.push(limit);
    if (!this.holdLists) return super.list(limit);
    this.reads++;
    return new Promise((resolve, reject) => this.pending.push({ resolve, reject }));
  }
}

const T0 = Date.parse('2025-03-01T12:00:00.000Z');
const rule = (id: string, extra: Partial<StoredRule> = {}): Omit<StoredRule, 'updatedAt'> => ({ id, priority: 0, enabled: true, context: {}, ...extra });

function setup(ttl = 1000) {
  const store = new RecordingStore();
  let clock = T0;
  const service = new MerchandisingService(store, { cacheTtlMs: ttl, now: () => clock });
  return { store, service, tick: (ms: number) => (clock += ms) };
}

describe('MerchandisingService.save', () => {
  it('stores the rule stamped with the time of the save, and returns what it stored', async () => {
    const { store, service, tick } = setup();
    tick(1500);
    const saved = await service.save(rule('r1', { hides: ['a'], description: 'why' }));
    const expected = { id: 'r1', priority: 0, enabled: true, context: {}, hides: ['a'], description: 'why', updatedAt: '2025-03-01T12:00:01.500Z' };
    expect(saved).toEqual(expected);
    expect([...store.rules.values()]).toEqual([expected]);
  });

  it('stamps with the wall clock when no clock is given', async () => {
    const store = new InMemoryRuleStore();
    const before = Date.now();
    const saved = await new MerchandisingService(store, { cacheTtlMs: 0 }).save(rule('r'));
    const at = Date.parse(saved.updatedAt);
    expect(at >= before && at <= Date.now()).toBe(true);
  });

  it('refuses a malformed boost or a contradiction before touching the store', async () => {
    const { store, service } = setup();
    await expect(service.save(rule('b', { boosts: [{ weight: 1 }] }))).rejects.toEqual(
      new InvalidInputError('Boost 1 must give exactly one of filters and recencyHalfLifeDays', 'rules.boosts'),
    );
    await expect(service.save(rule('c', { pins: [{ id: 'x', position: 1 }, { id: 'y', position: 1 }] }))).rejects.toEqual(
      new ContradictoryRulesError([{ kind: RuleConflictKind.POSITION_TAKEN, position: 1 }]),
    );
    expect([store.reads, store.rules.size]).toEqual([0, 0]);
  });

  it(`caps a catalog at ${MAX_STORED_RULES} rules: a new one is refused, an existing one may still be replaced`, async () => {
    expect(MAX_STORED_RULES).toBe(500);
    const { store, service } = setup();
    const ids = Array.from({ length: MAX_STORED_RULES - 1 }, (_, i) => `r${String(i).padStart(3, '0')}`);
    for (const id of ids) await store.save({ ...rule(id), updatedAt: 'x' });
    // 499 stored: one more fits.
    await service.save(rule('r499'));
    expect(store.rules.size).toBe(500);
    const refused = await service.save(rule('r500')).catch((e: unknown) => e);
    expect(refused).toEqual(new InvalidInputError('A catalog has at most 500 stored rules; delete one first', 'id'));
    expect((refused as InvalidInputError).field).toBe('id');
    expect(store.rules.has('r500')).toBe(false);
    await service.save(rule('r000', { priority: 7 }));
    expect([store.rules.size, store.rules.get('r000')?.priority]).toEqual([500, 7]);
    // Every read asks the store for the whole capped list.
    expect(new Set(store.limits)).toEqual(new Set([500]));
  });
});

describe('MerchandisingService.delete', () => {
  it('deletes, and reports a missing rule by its id', async () => {
    const { store, service } = setup();
    await service.save(rule('r'));
    await expect(service.delete('r')).resolves.toBeUndefined();
    expect(store.rules.size).toBe(0);
    const err = await service.delete('r').catch((e: unknown) => e);
    expect(err).toEqual(new RuleNotFoundError('r'));
    expect((err as RuleNotFoundError).message).toBe('No merchandising rule with id "r"');
  });
});

describe('MerchandisingService read cache', () => {
  it('serves the cached list until exactly the TTL has passed', async () => {
    const { store, service, tick } = setup(1000);
    await store.save({ ...rule('a'), updatedAt: 'x' });
    expect((await service.all()).map((r) => r.id)).toEqual(['a']);
    await store.save({ ...rule('b'), updatedAt: 'x' });
    tick(999);
    expect([(await service.all()).map((r) => r.id), store.reads]).toEqual([['a'], 1]);
    tick(1);
    expect([(await service.all()).map((r) => r.id), store.reads]).toEqual([['a', 'b'], 2]);
    expect(store.limits).toEqual([500, 500]);
  });

  it('reads every time with a TTL of 0', async () => {
    const { store, service } = setup(0);
    await service.all();
    await service.all();
    expect(store.reads).toBe(2);
  });

  it('shares one load between concurrent readers', async () => {
    const { store, service } = setup();
    const [a, b] = await Promise.all([service.all(), service.all()]);
    expect([a, store.reads]).toEqual([[], 1]);
    expect(b).toBe(a);
  });

  it('list() reads the store every time, bypassing the cache', async () => {
    const { store, service } = setup();
    await service.all();
    await store.save({ ...rule('a'), updatedAt: 'x' });
    expect((await service.list()).map((r) => r.id)).toEqual(['a']);
    expect((await service.list()).map((r) => r.id)).toEqual(['a']);
    expect([store.reads, store.limits]).toEqual([3, [500, 500, 500]]);
  });

  it('empties the cache on save and on delete, a delete of a missing rule included', async () => {
    const { store, service } = setup();
    await service.all();
    await service.save(rule('a'));
    expect((await service.all()).map((r) => r.id)).toEqual(['a']);
    // Another replica deletes it; this one still has it cached until its own delete (of something else) fails.
    await store.delete('a');
    expect((await service.all()).map((r) => r.id)).toEqual(['a']);
    await expect(service.delete('nope')).rejects.toEqual(new RuleNotFoundError('nope'));
    expect((await service.all()).map((r) => r.id)).toEqual([]);
  });

  it('forgets a failed load, so the next reader tries again within the TTL', async () => {
    const { store, service } = setup();
    store.holdLists = true;
    const first = service.all();
    store.pending[0]!.reject(new Error('store down'));
    await expect(first).rejects.toThrow('store down');
    const second = service.all();
    expect(store.reads).toBe(2);
    store.pending[1]!.resolve([{ ...rule('a'), updatedAt: 'x' }]);
    expect((await second).map((r) => r.id)).toEqual(['a']);
    store.holdLists = false;
    await service.all();
    expect(store.reads).toBe(2);
  });

  it('a failed load that was already replaced does not empty the newer cache', async () => {
    const { store, service, tick } = setup(1000);
    store.holdLists = true;
    const stale = service.all();
    tick(1000);
    const fresh = service.all();
    expect(store.reads).toBe(2);
    store.pending[1]!.resolve([{ ...rule('a'), updatedAt: 'x' }]);
    await fresh;
    store.pending[0]!.reject(new Error('late failure'));
    await expect(stale).rejects.toThrow('late failure');
    store.holdLists = false;
    expect((await service.all()).map((r) => r.id)).toEqual(['a']);
    expect(store.reads).toBe(2);
  });
});
