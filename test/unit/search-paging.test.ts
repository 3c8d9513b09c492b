import { SearchMode } from '../../src/catalog/product';
import { CursorProblem, InvalidCursorError, PageDepthExceededError } from '../../src/common/errors';
import { SearchService } from '../../src/search/search.service';
import { FakeEmbedder, FakeImageSource, InMemoryProductIndex, storedDoc, unit } from '../support/fakes';

/** Cursor pagination and browsing through SearchService, against the in-memory index. */
const DIMS = 4;

function setup(docs: ReturnType<typeof storedDoc>[]) {
  const index = new InMemoryProductIndex(docs);
  const embedder = new FakeEmbedder('fake-model@00000000', DIMS).text('mug', unit(DIMS, 1));
  return { index, search: new SearchService(index, embedder, new FakeImageSource()) };
}

const ids = (r: { hits: { product: { id: string } }[] }) => r.hits.map((h) => h.product.id);

/** Every page of a query, following endCursor until hasNextPage is false. */
async function allPages(next: (after?: string) => Promise<{ hits: { product: { id: string } }[]; pageInfo: { hasNextPage: boolean; endCursor?: string } }>) {
  const pages: string[][] = [];
  let after: string | undefined;
  for (let i = 0; i < 50; i++) {
    const r = await next(after);
    pages.push(ids(r));
    if (!r.pageInfo.hasNextPage) return pages;
    after = r.pageInfo.endCursor;
  }
  throw new Error('no last page');
}

describe('cursor pagination', () => {
  // Twelve identical images (equal scores), inserted in reverse id order so the engine's tie order is not id order.
  const twins = Array.from({ length: 12 }, (_, i) => storedDoc(`t${String(11 - i).padStart(2, '0')}`, unit(DIMS, 0.5)));
  const docs = [storedDoc('seed', unit(DIMS, 1)), storedDoc('best', unit(DIMS, 0.9)), ...twins, storedDoc('worst', unit(DIMS, 0.1))];

  it('pages never repeat or skip across equal scores: ties are ordered by id', async () => {
    const { search } = setup(docs);
    const pages = await allPages((after) => search.similarProducts('seed', { first: 5, after }));
    expect(pages).toEqual([
      ['best', 't00', 't01', 't02', 't03'],
      ['t04', 't05', 't06', 't07', 't08'],
      ['t09', 't10', 't11', 'worst'],
    ]);
  });

  it('gives the same pages whatever page size came before', async () => {
    const { search } = setup(docs);
    const first = await search.similarProducts('seed', { first: 2 });
    const rest = await search.similarProducts('seed', { first: 100, after: first.pageInfo.endCursor });
    expect([...ids(first), ...ids(rest)]).toEqual(['best', ...twins.map((d) => d.id).sort(), 'worst']);
    expect(rest.pageInfo).toEqual({ hasNextPage: false, endCursor: expect.any(String) });
  });

  it('pages hybrid results tier by tier without repeats', async () => {
    const many = Array.from({ length: 70 }, (_, i) => storedDoc(`m${String(i).padStart(2, '0')}`, unit(DIMS, 1 - i / 100), { title: i % 3 === 0 ? 'Red mug' : 'Plain thing' }));
    const { search } = setup(many);
    const pages = await allPages((after) => search.searchByText('mug', SearchMode.HYBRID, { first: 9, after }));
    const flat = pages.flat();
    expect(new Set(flat).size).toBe(flat.length);
    expect(flat.length).toBe(70);
    // Tier 1 (ranks 1-50 of each side) comes first: m00 is first by vector and among the keyword matches.
    expect(flat[0]).toBe('m00');
  });

  it('refuses a cursor of another query, of a rebuilt index, or an edited one, with typed errors', async () => {
    const { index, search } = setup(docs);
    const { pageInfo } = await search.similarProducts('seed', { first: 2 });
    await expect(search.similarProducts('best', { first: 2, after: pageInfo.endCursor })).rejects.toEqual(
      new InvalidCursorError(CursorProblem.OTHER_QUERY),
    );
    await expect(search.similarProducts('seed', { first: 2, after: pageInfo.endCursor, filter: { inStock: true } })).rejects.toEqual(
      new InvalidCursorError(CursorProblem.OTHER_QUERY),
    );
    await expect(search.similarProducts('seed', { first: 2, after: `${pageInfo.endCursor}x` })).rejects.toEqual(
      new InvalidCursorError(CursorProblem.MALFORMED),
    );
    index.generation = 'in-memory-2';
    await expect(search.similarProducts('seed', { first: 2, after: pageInfo.endCursor })).rejects.toEqual(
      new InvalidCursorError(CursorProblem.STALE_INDEX),
    );
  });

  it('bounds the depth at 1,000 with a typed error, before any work', async () => {
    const many = [storedDoc('seed', unit(DIMS, 1)), ...Array.from({ length: 1100 }, (_, i) => storedDoc(`d${i}`, unit(DIMS, 0.5 - i / 10_000)))];
    const { index, search } = setup(many);
    let after: string | undefined;
    let served = 0;
    for (let i = 0; i < 10; i++) {
      const r = await search.similarProducts('seed', { first: 100, after });
      served += r.hits.length;
      after = r.pageInfo.endCursor;
      expect(r.pageInfo.hasNextPage).toBe(i < 9);
    }
    expect(served).toBe(1000);
    const calls = index.calls.length;
    await expect(search.similarProducts('seed', { first: 1, after })).rejects.toEqual(new PageDepthExceededError(1000, 1001));
    expect(index.calls.length).toBe(calls);
  });

  it('after a write between pages, continues right after the last product served', async () => {
    const { index, search } = setup(docs);
    const page1 = await search.similarProducts('seed', { first: 3 });
    expect(ids(page1)).toEqual(['best', 't00', 't01']);
    await index.bulkUpsert([storedDoc('new-best', unit(DIMS, 0.95))]);
    const page2 = await search.similarProducts('seed', { first: 3, after: page1.pageInfo.endCursor });
    expect(ids(page2)).toEqual(['t02', 't03', 't04']);
  });
});

describe('browse', () => {
  const docs = [
    storedDoc('c', [1, 0, 0, 0], { title: 'Cup', price: 5 }),
    storedDoc('a', [1, 0, 0, 0], { title: 'Bowl', price: 9 }),
    storedDoc('b', [1, 0, 0, 0], { title: 'Apron' }),
    storedDoc('d', [1, 0, 0, 0], { title: 'Dish', price: 5, inStock: false }),
  ];

  it('lists the catalog in a field order, ties by id, products without the field last, with the total count', async () => {
    const { search } = setup(docs);
    const pages: string[][] = [];
    let after: string | undefined;
    let totals: number[] = [];
    for (;;) {
      const r = await search.browse({ sort: { field: 'price', descending: false }, first: 3, after });
      pages.push(r.products.map((p) => p.id));
      totals.push(r.totalCount);
      if (!r.pageInfo.hasNextPage) break;
      after = r.pageInfo.endCursor;
    }
    expect(pages).toEqual([['c', 'd', 'a'], ['b']]);
    expect(totals).toEqual([4, 4]);
    const byTitle = await search.browse({ sort: { field: 'title', descending: true }, first: 10, filter: { inStock: true } });
    expect([byTitle.products.map((p) => p.id), byTitle.totalCount]).toEqual([['c', 'a', 'b'], 3]);
  });

  it('refuses a cursor of another filter or sort', async () => {
    const { search } = setup(docs);
    const r = await search.browse({ sort: { field: 'id', descending: false }, first: 1 });
    await expect(search.browse({ sort: { field: 'id', descending: true }, first: 1, after: r.pageInfo.endCursor })).rejects.toEqual(
      new InvalidCursorError(CursorProblem.OTHER_QUERY),
    );
  });
});
