import type { RetrievalQuery } from '../../src/catalog/product-index';
import { MAX_DEPTH, NUM_CANDIDATES } from '../../src/search/pipeline/windows';
import { SearchService } from '../../src/search/search.service';
import { FakeEmbedder, FakeImageSource, InMemoryProductIndex, storedDoc, unit } from '../support/fakes';

/**
 * The products a query starts from are left out of the kNN filter and dropped from its hits by the pipeline
 * (retrieval.ts): the answers must be the ones the filter gave, page by page, to the last candidate.
 */
const DIMS = 4;
const ids = (r: { hits: { product: { id: string } }[] }) => r.hits.map((h) => h.product.id);
const pad = (i: number) => String(i).padStart(4, '0');
const vectorSides = (index: InMemoryProductIndex) => index.callsOf('retrieve').map(([q]) => (q as RetrievalQuery).vector!);

function setup(docs: ReturnType<typeof storedDoc>[]) {
  const index = new InMemoryProductIndex(docs);
  return { index, search: new SearchService(index, new FakeEmbedder(), new FakeImageSource()) };
}

const seed = storedDoc('seed', unit(DIMS, 1), { color: 'blue' });
const line = (n: number) => Array.from({ length: n }, (_, i) => storedDoc(`p${pad(i)}`, unit(DIMS, 0.99 - i / (n * 2)), { color: i % 2 ? 'red' : 'blue' }));

describe('similarProducts drops its seed instead of filtering it out of the kNN', () => {
  it('asks for one more hit with the seed left in the kNN, keeps it excluded everywhere else, and never returns it', async () => {
    const { index, search } = setup([seed, ...line(30)]);
    const r = await search.similarProducts('seed', { first: 5 });
    expect(ids(r)).toEqual(['p0000', 'p0001', 'p0002', 'p0003', 'p0004']);
    const [q] = index.callsOf('retrieve')[0] as [RetrievalQuery];
    // The first window of a page of 5 is 10 hits (windows.ts), plus the seed's position.
    expect([q.restriction.excludeIds, q.vector!.unfiltered, q.vector!.from, q.vector!.size]).toEqual([['seed'], ['seed'], 0, 10 + 1]);
    expect(index.callsOf('retrieve')).toHaveLength(1);
  });

  it('pages through the list exactly as one page would, when a twin of the seed ranks above it', async () => {
    // Equal scores keep insertion order, so the twin comes first and the seed second.
    const twin = storedDoc('twin', unit(DIMS, 1));
    const { search } = setup([twin, seed, ...line(40)]);
    const whole = ids(await search.similarProducts('seed', { first: 41 }));
    expect(whole).toEqual(['twin', ...line(40).map((d) => d.id)]);
    const paged: string[] = [];
    let after: string | undefined;
    do {
      const r = await search.similarProducts('seed', { first: 6, after });
      paged.push(...ids(r));
      after = r.pageInfo.hasNextPage ? r.pageInfo.endCursor : undefined;
    } while (after);
    expect(paged).toEqual(whole);
  });

  it('fills the page when the seed itself does not pass the filter', async () => {
    const { search } = setup([seed, ...line(30)]);
    const r = await search.similarProducts('seed', { first: 4, filter: { colors: ['red'] } });
    expect([ids(r), r.exhaustive, r.pageInfo.hasNextPage]).toEqual([['p0001', 'p0003', 'p0005', 'p0007'], true, true]);
  });

  it('still serves NUM_CANDIDATES products besides the seed, down to the last page', async () => {
    const docs = line(NUM_CANDIDATES + 5);
    const { index, search } = setup([seed, ...docs]);
    const served: string[] = [];
    let after: string | undefined;
    for (let page = 0; page < MAX_DEPTH / 250; page++) {
      const r = await search.similarProducts('seed', { first: 250, after });
      served.push(...ids(r));
      after = r.pageInfo.endCursor;
    }
    expect(served).toEqual(docs.slice(0, MAX_DEPTH).map((d) => d.id));
    // The list is one position longer than the candidate set: the seed's.
    const last = vectorSides(index).at(-1)!;
    expect([last.numCandidates, last.unfiltered, last.from + last.size]).toEqual([NUM_CANDIDATES, ['seed'], NUM_CANDIDATES + 1]);
  });

  it('keeps the filter with collapsing, and for exclusions the caller or a rule asked for', async () => {
    const { index, search } = setup([seed, ...line(30)]);
    await search.similarProducts('seed', { first: 5, collapse: true });
    expect(vectorSides(index)[0]!.unfiltered).toBeUndefined();
    const r = await search.recommendations(['p0000', 'p0001'], ['p0029'], { first: 3, excludeIds: ['p0002', 'p0001'] });
    expect(ids(r)).toEqual(['seed', 'p0003', 'p0004']);
    const q = index.callsOf('retrieve').at(-1)![0] as RetrievalQuery;
    expect([q.restriction.excludeIds, q.vector!.unfiltered]).toEqual([['p0000', 'p0001', 'p0029', 'p0002'], ['p0000', 'p0029']]);
  });
});
