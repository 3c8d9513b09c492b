import { pickProduct } from '../../src/catalog/product';
import { collapseGroups } from '../../src/search/pipeline/collapse';
import type { Ranked } from '../../src/search/pipeline/ranked';
import { SearchService } from '../../src/search/search.service';
import { FakeEmbedder, FakeImageSource, InMemoryProductIndex, inlineImage, storedDoc, unit } from '../support/fakes';

const DIMS = 4;
const ids = (r: { items?: { product: { id: string } }[]; hits?: { product: { id: string } }[] }) => (r.items ?? r.hits)!.map((h) => h.product.id);

describe('collapseGroups', () => {
  const ranked = (rows: [id: string, group: string][], settled: number, complete = false): Ranked => ({
    items: rows.map(([id, groupId]) => ({ product: pickProduct(storedDoc(id, [1], { groupId })), score: 0 })),
    settled,
    complete,
  });

  it('keeps the first product of each group, in the order the groups first appear', () => {
    const r = collapseGroups(ranked([['a1', 'A'], ['a2', 'A'], ['b1', 'B'], ['a3', 'A'], ['c1', 'C']], 5, true));
    expect([ids(r), r.settled, r.complete]).toEqual([['a1', 'b1', 'c1'], 3, true]);
  });

  it('settles a group only when its best product lies in the settled input', () => {
    expect(collapseGroups(ranked([['a1', 'A'], ['a2', 'A'], ['b1', 'B'], ['c1', 'C']], 3)).settled).toBe(2);
    expect(collapseGroups(ranked([['a1', 'A'], ['a2', 'A'], ['b1', 'B']], 2)).settled).toBe(1);
  });
});

describe('SearchService with several images and groups', () => {
  it('finds a product by its best-matching image and says which one matched', async () => {
    const index = new InMemoryProductIndex([
      storedDoc('front-only', unit(DIMS, 0.8)),
      storedDoc('two-views', unit(DIMS, 0.1), { images: [{ vector: unit(DIMS, 0.1), sha256: 'f' }, { vector: unit(DIMS, 0.95), sha256: 'b', url: 'https://cdn/back.jpg' }] }),
    ]);
    const embedder = new FakeEmbedder().image('photo', unit(DIMS, 1));
    const r = await new SearchService(index, embedder, new FakeImageSource()).searchByImage(inlineImage('photo'), { first: 2 });
    expect(r.hits.map((h) => [h.product.id, h.similarity, h.matchedImage])).toEqual([
      ['two-views', 0.95, { index: 1, url: 'https://cdn/back.jpg' }],
      ['front-only', 0.8, { index: 0, url: undefined }],
    ]);
  });

  it('collapses to the best product per group, with the group size under the filters', async () => {
    // Group A has five variants nearer than anything else; naively the first page would be all A.
    const docs = [
      storedDoc('seed', unit(DIMS, 1)),
      ...Array.from({ length: 5 }, (_, i) => storedDoc(`a${i}`, unit(DIMS, 0.99 - i / 1000), { groupId: 'A', inStock: i !== 4 })),
      storedDoc('b0', unit(DIMS, 0.9), { groupId: 'B' }),
      storedDoc('b1', unit(DIMS, 0.5), { groupId: 'B' }),
      storedDoc('c0', unit(DIMS, 0.8)),
    ];
    const search = new SearchService(new InMemoryProductIndex(docs), new FakeEmbedder(), new FakeImageSource());
    const r = await search.similarProducts('seed', { first: 2, collapse: true, filter: { inStock: true } });
    expect(r.hits.map((h) => [h.product.id, h.groupSize])).toEqual([
      ['a0', 4],
      ['b0', 2],
    ]);
    const next = await search.similarProducts('seed', { first: 2, collapse: true, filter: { inStock: true }, after: r.pageInfo.endCursor });
    expect([ids(next), next.pageInfo.hasNextPage]).toEqual([['c0'], false]);
    // A cursor of the uncollapsed list is another query's.
    await expect(search.similarProducts('seed', { first: 2, filter: { inStock: true }, after: r.pageInfo.endCursor })).rejects.toMatchObject({ code: 'INVALID_CURSOR' });
  });
});
