import { CursorProblem, InvalidCursorError } from '../../src/common/errors';
import type { BrowseQuery } from '../../src/catalog/product-index';
import { browseCatalog, type BrowseRequest } from '../../src/search/browse';
import { decodeCursor, fingerprint } from '../../src/search/pipeline/cursor';
import { InMemoryProductIndex, storedDoc } from '../support/fakes';

/** browseCatalog against the in-memory index: pages, cursors and their refusals, facets. */

const docs = [
  storedDoc('c', [1], { price: 5, brand: 'Acme', inStock: true }),
  storedDoc('a', [1], { price: 9, brand: 'Zeta', inStock: true }),
  storedDoc('e', [1], { price: 2, brand: 'Acme', inStock: false }),
  storedDoc('b', [1], { brand: 'Zeta', inStock: true }),
  storedDoc('d', [1], { price: 5, brand: 'Acme', inStock: true }),
];
const byPrice = { field: 'price' as const, descending: false };
const ids = (r: { products: { id: string }[] }) => r.products.map((p) => p.id);

function setup() {
  const index = new InMemoryProductIndex(docs);
  const browse = (req: BrowseRequest) => browseCatalog(index, req, { price: [5] });
  return { index, browse, queries: () => index.callsOf('browse').map(([q]) => q as BrowseQuery) };
}

describe('browseCatalog', () => {
  it('pages by search_after, asking the index for one more than the page, with a cursor of (query, generation, last sort values)', async () => {
    const { browse, queries } = setup();
    const p1 = await browse({ sort: byPrice, first: 2 });
    expect([ids(p1), p1.pageInfo.hasNextPage, p1.totalCount, p1.facets]).toEqual([['e', 'c'], true, 5, []]);
    const query = fingerprint({ filter: undefined, sort: byPrice });
    expect(decodeCursor(p1.pageInfo.endCursor!, 'browse')).toEqual({ kind: 'browse', query, generation: fingerprint('in-memory-1'), after: [5, 'c'] });

    const p2 = await browse({ sort: byPrice, first: 2, after: p1.pageInfo.endCursor });
    expect([ids(p2), p2.pageInfo.hasNextPage]).toEqual([['d', 'a'], true]);
    expect(decodeCursor(p2.pageInfo.endCursor!, 'browse').after).toEqual([9, 'a']);

    // Exactly one product left: a full page of one, and no next page.
    const p3 = await browse({ sort: byPrice, first: 1, after: p2.pageInfo.endCursor });
    expect([ids(p3), p3.pageInfo.hasNextPage, p3.totalCount]).toEqual([['b'], false, 5]);
    expect(decodeCursor(p3.pageInfo.endCursor!, 'browse').after).toEqual([null, 'b']);

    expect(queries()).toEqual([
      { restriction: { filter: undefined }, sort: byPrice, size: 3, after: undefined, facets: [] },
      { restriction: { filter: undefined }, sort: byPrice, size: 3, after: [5, 'c'], facets: [] },
      { restriction: { filter: undefined }, sort: byPrice, size: 2, after: [9, 'a'], facets: [] },
    ]);
  });

  it('a page that ends the list exactly has no next page; a null `after` is the first page', async () => {
    const { browse } = setup();
    const all = await browse({ sort: { field: 'id', descending: true }, first: 5, after: null as unknown as undefined });
    expect([ids(all), all.pageInfo.hasNextPage]).toEqual([['e', 'd', 'c', 'b', 'a'], false]);
    const short = await browse({ sort: { field: 'id', descending: true }, first: 4 });
    expect([ids(short), short.pageInfo.hasNextPage]).toEqual([['e', 'd', 'c', 'b'], true]);
  });

  it('passes the filter down and counts under it', async () => {
    const { browse, queries } = setup();
    const r = await browse({ sort: byPrice, first: 10, filter: { brands: ['acme'] } });
    expect([ids(r), r.totalCount, r.pageInfo.hasNextPage]).toEqual([['e', 'c', 'd'], 3, false]);
    expect(queries()[0]!.restriction).toEqual({ filter: { brands: ['acme'] } });
  });

  it('an empty result has no cursor', async () => {
    const { browse } = setup();
    const r = await browse({ sort: byPrice, first: 3, filter: { brands: ['none'] } });
    expect(r).toEqual({ products: [], pageInfo: { hasNextPage: false, endCursor: undefined }, totalCount: 0, facets: [] });
  });

  it('refuses a cursor of another filter or another sort, but not of another page size', async () => {
    const { browse } = setup();
    const filter = { inStock: true };
    const after = (await browse({ sort: byPrice, first: 1, filter })).pageInfo.endCursor;
    const otherQuery = new InvalidCursorError(CursorProblem.OTHER_QUERY);
    await expect(browse({ sort: byPrice, first: 1, after })).rejects.toEqual(otherQuery);
    await expect(browse({ sort: byPrice, first: 1, filter: { inStock: false }, after })).rejects.toEqual(otherQuery);
    await expect(browse({ sort: { field: 'price', descending: true }, first: 1, filter, after })).rejects.toEqual(otherQuery);
    await expect(browse({ sort: { field: 'id', descending: false }, first: 1, filter, after })).rejects.toEqual(otherQuery);
    expect(ids(await browse({ sort: byPrice, first: 2, filter, after }))).toEqual(['d', 'a']);
    await expect(browse({ sort: byPrice, first: 1, filter, after: 'not-a-cursor' })).rejects.toEqual(new InvalidCursorError(CursorProblem.MALFORMED));
  });

  it('refuses a cursor of an index rebuilt since, unless nothing is left to page', async () => {
    const { index, browse } = setup();
    const after = (await browse({ sort: byPrice, first: 1 })).pageInfo.endCursor;
    index.generation = 'in-memory-2';
    await expect(browse({ sort: byPrice, first: 1, after })).rejects.toEqual(new InvalidCursorError(CursorProblem.STALE_INDEX));
    // An empty index reports no generation: the cursor cannot be checked, and there is nothing to page anyway.
    index.docs.clear();
    expect(await browse({ sort: byPrice, first: 1, after })).toEqual({
      products: [],
      pageInfo: { hasNextPage: false, endCursor: undefined },
      totalCount: 0,
      facets: [],
    });
  });

  it('counts facets in the order asked, each field once, a filtered field without its own filter', async () => {
    const { browse, queries } = setup();
    const r = await browse({ sort: byPrice, first: 1, filter: { brands: ['zeta'] }, facets: ['price', 'brand', 'price'] });
    expect(r.facets).toEqual([
      {
        field: 'price',
        values: [
          { value: '*-5', count: 0, from: undefined, to: 5 },
          { value: '5-*', count: 1, from: 5, to: undefined },
        ],
      },
      { field: 'brand', values: [{ value: 'acme', count: 3 }, { value: 'zeta', count: 2 }] },
    ]);
    expect(queries()[0]!.facets).toEqual([
      { restriction: { filter: { brands: ['zeta'] } }, facets: [{ field: 'price', size: 20, ranges: [5] }] },
      { restriction: { filter: {} }, facets: [{ field: 'brand', size: 20 }] },
    ]);
  });
});
