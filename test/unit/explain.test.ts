import { SearchMode } from '../../src/catalog/product';
import { MerchandisingService } from '../../src/search/merchandising.service';
import { SearchService } from '../../src/search/search.service';
import { FakeEmbedder, FakeImageSource, InMemoryProductIndex, InMemoryRuleStore, storedDoc, unit } from '../support/fakes';

/** `explain: true`: the typed breakdown of every hit, and what the rules did, with literal values. */
const DIMS = 4;

describe('explain', () => {
  it('gives both sides of a hybrid hit with their ranks and reciprocal-rank contributions, adding up to the score', async () => {
    // X is third by vector and second by keywords; C first by keywords and fourth by vector, which fuses a hair higher.
    const docs = [
      storedDoc('A', unit(DIMS, 0.99), { title: 'Plain mug' }),
      storedDoc('B', unit(DIMS, 0.98), { title: 'Plain cup' }),
      storedDoc('X', unit(DIMS, 0.97), { title: 'Striped tote' }),
      storedDoc('C', unit(DIMS, 0.1), { title: 'Striped tote', description: 'striped tote' }),
    ];
    const embedder = new FakeEmbedder().text('striped tote', unit(DIMS, 1));
    const search = new SearchService(new InMemoryProductIndex(docs), embedder, new FakeImageSource());
    const r = await search.searchByText('striped tote', SearchMode.HYBRID, { first: 2, explain: true });
    expect(r.hits.map((h) => [h.product.id, h.explain])).toEqual([
      ['C', { vector: { similarity: 0.1, rank: 4, rrf: 1 / 64 }, keyword: { score: 6, rank: 1, rrf: 1 / 61 }, boosts: [], finalScore: 1 / 64 + 1 / 61 }],
      ['X', { vector: { similarity: 0.97, rank: 3, rrf: 1 / 63 }, keyword: { score: 4, rank: 2, rrf: 1 / 62 }, boosts: [], finalScore: 1 / 63 + 1 / 62 }],
    ]);
    expect(r.hits.map((h) => h.score)).toEqual(r.hits.map((h) => h.explain!.finalScore));
    expect(r.explanation).toEqual({ rulesApplied: [], hidden: [], droppedPins: [] });
  });

  it('names the rule behind every boost, pin and hide, and the diversity penalty', async () => {
    const docs = [
      storedDoc('seed', unit(DIMS, 1), { category: 'mug' }),
      storedDoc('a', unit(DIMS, 0.9, 1), { brand: 'Acme', category: 'mug' }),
      storedDoc('a2', unit(DIMS, 0.89, 1), { category: 'mug' }),
      storedDoc('b', unit(DIMS, 0.8, 2), { category: 'mug' }),
      storedDoc('z', unit(DIMS, 0.1, 3), { category: 'mug' }),
    ];
    const store = new InMemoryRuleStore();
    const rules = new MerchandisingService(store, { cacheTtlMs: 0 });
    await rules.save({ id: 'r1', priority: 1, enabled: true, context: { categories: ['mug'] }, pins: [{ id: 'z', position: 2 }], hides: ['a2'] });
    const search = new SearchService(new InMemoryProductIndex(docs), new FakeEmbedder(), new FakeImageSource(), { facetRanges: {} }, rules);
    const r = await search.similarProducts('seed', {
      first: 3,
      explain: true,
      diversity: 0.5,
      rules: { boosts: [{ filter: { brands: ['acme'] }, weight: 0.1 }], pins: [{ id: 'a2', position: 1 }] },
    });
    const QUERY = { source: 'QUERY' };
    const R1 = { source: 'STORED', ruleId: 'r1' };
    expect(r.hits.map((h) => [h.product.id, h.explain!.boosts, h.explain!.pin, h.explain!.mmrPenalty, h.explain!.relevance])).toEqual([
      ['a', [{ rule: QUERY, boostIndex: 0, weight: 0.1, contribution: 0.1 }], undefined, 0, 0.95],
      ['z', [], { rule: R1, position: 2 }, undefined, undefined],
      // b's image (axis 2) is orthogonal to a's (axis 1) apart from their shared axis 0: cos = 0.9 × 0.8.
      ['b', [], undefined, 0.36, 0.9],
    ]);
    expect(r.hits[1]!.explain!.vector).toEqual({ similarity: 0.1 });
    expect(r.explanation).toEqual({
      rulesApplied: [QUERY, R1],
      hidden: [{ productId: 'a2', rule: R1 }],
      droppedPins: [{ productId: 'a2', position: 1, rule: QUERY, reason: 'HIDDEN' }],
    });
  });

  it('is absent unless asked for, and never changes the ranking or the cursor', async () => {
    const docs = [storedDoc('seed', unit(DIMS, 1)), storedDoc('a', unit(DIMS, 0.9)), storedDoc('b', unit(DIMS, 0.8))];
    const search = new SearchService(new InMemoryProductIndex(docs), new FakeEmbedder(), new FakeImageSource());
    const plain = await search.similarProducts('seed', { first: 1 });
    const explained = await search.similarProducts('seed', { first: 1, explain: true });
    expect([plain.hits[0]!.explain, plain.explanation]).toEqual([undefined, undefined]);
    const next = await search.similarProducts('seed', { first: 1, explain: true, after: plain.pageInfo.endCursor });
    expect([explained.hits[0]!.product.id, next.hits[0]!.product.id]).toEqual(['a', 'b']);
  });
});
