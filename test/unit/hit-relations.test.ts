import { pickProduct, type ProductDocument, type ScoredProduct } from '../../src/catalog/product';
import { labelRelations, relationsOf } from '../../src/search/pipeline/relations';
import type { Candidate } from '../../src/search/pipeline/ranked';
import { storedDoc } from '../support/fakes';
import { basis, near } from '../support/fakes/in-memory-duplicate-catalog';

const T = { duplicate: 0.99, variant: 0.9 };

describe('relationsOf', () => {
  it('labels each hit by its nearest stored image, exactly at the cut points', () => {
    const ref = basis(0);
    expect(
      relationsOf(
        ref,
        [[near(ref, 0.995, 1)], [near(ref, 0.99, 1)], [near(ref, 0.9899, 2)], [near(ref, 0.9, 3)], [near(ref, 0.8999, 3)], [basis(5)]],
        T,
      ),
    ).toEqual(['DUPLICATE', 'DUPLICATE', 'VARIANT', 'VARIANT', 'SIMILAR', 'SIMILAR']);
  });

  it('takes the best of a product images, and leaves hits without vectors unlabelled', () => {
    const ref = basis(0);
    expect(relationsOf(ref, [[basis(4), near(ref, 0.95, 2)], [], undefined], T)).toEqual(['VARIANT', undefined, undefined]);
  });
});

describe('labelRelations', () => {
  const ref = basis(0);
  /** Stored images: x a duplicate of the reference, y a variant; z was deleted since. */
  const stored = new Map<string, ProductDocument>([
    ['x', storedDoc('x', near(ref, 0.995, 1))],
    ['y', storedDoc('y', near(ref, 0.95, 2))],
  ]);
  function setup(exact: Record<string, number>) {
    const calls: string[][] = [];
    const index = {
      getDocuments: async (ids: string[]) => {
        calls.push(ids);
        return new Map(ids.flatMap((id) => (stored.has(id) ? [[id, stored.get(id)!] as const] : [])));
      },
    };
    const page: Candidate[] = ['x', 'w', 'y', 'z'].map((id) => {
      const product = pickProduct(storedDoc(id, [1]));
      return { product, score: 0.5, vector: { rank: 1, similarity: exact[id] ?? 0.5, ...(id in exact ? { exact: true } : {}) } };
    });
    const hits: ScoredProduct[] = page.map((c) => ({ product: c.product, score: c.score }));
    return { index, calls, page, hits };
  }
  const relations = (hits: ScoredProduct[]) => hits.map((h) => ('relation' in h ? h.relation : 'none'));

  it('cuts exact hits from their similarity and reads back the vectors of the others only, in page order', async () => {
    const { index, calls, page, hits } = setup({ w: 0.91 });
    await labelRelations(index, T, { reference: ref, referenceIsQuery: true }, page, hits);
    expect(calls).toEqual([['x', 'y', 'z']]);
    expect(relations(hits)).toEqual(['DUPLICATE', 'VARIANT', 'VARIANT', 'none']);
  });

  it('reads nothing back when every hit is exact', async () => {
    const { index, calls, page, hits } = setup({ x: 0.2, w: 0.99, y: 0.9, z: 0.89 });
    await labelRelations(index, T, { reference: ref, referenceIsQuery: true }, page, hits);
    expect([calls, relations(hits)]).toEqual([[], ['SIMILAR', 'DUPLICATE', 'VARIANT', 'SIMILAR']]);
  });

  it('ignores exact similarities when the query vector is not the reference (a modified query)', async () => {
    const { index, calls, page, hits } = setup({ x: 0.2, w: 0.99 });
    await labelRelations(index, T, { reference: ref, referenceIsQuery: false }, page, hits);
    expect([calls, relations(hits)]).toEqual([[['x', 'w', 'y', 'z']], ['DUPLICATE', 'none', 'VARIANT', 'none']]);
  });

  it('labels nothing without calibrated thresholds, a reference, or hits', async () => {
    for (const [thresholds, query] of [
      [undefined, { reference: ref, referenceIsQuery: true }],
      [T, { referenceIsQuery: true }],
    ] as const) {
      const { index, calls, page, hits } = setup({ w: 0.99 });
      await labelRelations(index, thresholds, query, page, hits);
      expect([calls, relations(hits)]).toEqual([[], ['none', 'none', 'none', 'none']]);
    }
    const { index, calls } = setup({});
    await labelRelations(index, T, { reference: ref }, [], []);
    expect(calls).toEqual([]);
  });
});
