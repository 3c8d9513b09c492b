import { decodeCursor, encodeCursor } from '../../src/search/pipeline/cursor';
import { COLOR_NAMES } from '../../tools/synth/catalog';
import { syntheticCatalog, toInput, type FixtureProduct } from '../support/catalog';
import { startTestServer, type TestServer } from '../support/server';

/**
 * discover end to end (real HTTP, the project's SigLIP, a real Elasticsearch): a held-out product's picture plus a
 * colour modifier, and every bad input a list can get, each answered with a typed, explained error (never a 500).
 */
const SEED = 8181;
const N = 80;
/** The last products are never ingested: their pictures are the queries. */
const HELD_OUT = 10;

const DISCOVER = `query($input: DiscoverInput!, $first: Int, $after: String, $rules: MerchandisingRulesInput, $facets: [FacetField!]) {
  discover(input: $input, first: $first, after: $after, rules: $rules, facets: $facets) {
    __typename
    ... on DiscoverHits { unknownIds hits { product { id category color } } pageInfo { hasNextPage endCursor } }
    ... on InvalidInput { errorCode field message }
    ... on InvalidCursor { errorCode problem message }
    ... on PageDepthExceeded { errorCode maxDepth requestedDepth }
    ... on ContradictoryRules { errorCode message conflicts { kind productId position } }
  }
}`;

describe('discover end to end', () => {
  let server: TestServer;
  let catalog: FixtureProduct[];
  let indexed: FixtureProduct[];
  const run = async (v: Record<string, unknown>) => {
    const res = await server.gql(DISCOVER, { first: 10, ...v });
    expect(res.status).toBe(200);
    return res.body.data!.discover;
  };

  beforeAll(async () => {
    catalog = await syntheticCatalog(SEED, N);
    indexed = catalog.slice(0, N - HELD_OUT);
    server = await startTestServer();
    const res = await server.gql(`mutation($i: [ProductInput!]!) { ingestProducts(inputs: $i, refresh: true) { summary { failed } } }`, { i: indexed.map((p) => toInput(p)) });
    expect(res.body.data!.ingestProducts.summary.failed).toBe(0);
  });
  afterAll(async () => server?.stop());

  it('a held-out picture + another colour ranks that colour above the picture\'s own (and the picture alone does not)', async () => {
    const has = (category: string, color: string) => indexed.some((p) => p.record.category === category && p.record.color === color);
    // The first held-out product whose category is in the catalog in its own colour and in another.
    const query = catalog.slice(N - HELD_OUT).find((p) => COLOR_NAMES.some((c) => c !== p.record.color && has(p.record.category, c)) && has(p.record.category, p.record.color))!;
    const { category, color } = query.record;
    const target = COLOR_NAMES.find((c) => c !== color && has(category, c))!;
    const rank = (hits: any[], c: string) => hits.findIndex((h) => h.product.category === category && h.product.color === c);
    const image = { base64: query.jpeg.toString('base64') };

    const plain = await run({ input: { image }, first: 50 });
    expect(rank(plain.hits, color)).toBeLessThan(rank(plain.hits, target));
    const modified = await run({ input: { image, modifier: `but in ${target}` }, first: 50 });
    expect(rank(modified.hits, target)).toBeGreaterThanOrEqual(0);
    expect(rank(modified.hits, target)).toBeLessThan(rank(modified.hits, color));
    expect(modified.hits[0].product).toMatchObject({ category, color: target });
  });

  it('steers with positive and negative products, reporting the unknown ones', async () => {
    const [a, b] = indexed;
    const r = await run({ input: { positiveIds: [a!.record.id, 'ghost'], negativeIds: [b!.record.id] } });
    expect(r.__typename).toBe('DiscoverHits');
    expect(r.unknownIds).toEqual(['ghost']);
    expect(r.hits.map((h: any) => h.product.id)).not.toContain(a!.record.id);
    expect(r.hits.map((h: any) => h.product.id)).not.toContain(b!.record.id);
  });

  describe('bad input', () => {
    it('a discover with nothing to search from, or a modifier with nothing to modify, is InvalidInput naming the field', async () => {
      expect(await run({ input: {} })).toEqual({
        __typename: 'InvalidInput',
        errorCode: 'INVALID_INPUT',
        field: 'input',
        message: 'Give at least one of image, text, keywords and positiveIds to search from',
      });
      expect(await run({ input: { modifier: 'red', keywords: 'mug' } })).toMatchObject({ __typename: 'InvalidInput', field: 'modifier' });
    });

    it('N over the cap and a modifier weight out of range are BAD_USER_INPUT naming the argument and its bound', async () => {
      const res = await server.gql(DISCOVER, { input: { text: 'mug' }, first: 101 });
      expect(res.status).toBe(200);
      expect(res.body.errors![0]!.extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        validationErrors: [{ property: 'first', constraints: { max: 'first must not be greater than 100' } }],
      });
      const weight = await server.gql(DISCOVER, { input: { text: 'mug', modifier: 'red', modifierWeight: 9 } });
      expect(JSON.stringify(weight.body.errors![0]!.extensions)).toContain('modifierWeight must not be greater than 4');
    });

    it('an unknown facet field is refused before any work, naming the enum', async () => {
      const res = await server.gql(DISCOVER, { input: { text: 'mug' }, facets: ['MATERIAL'] });
      expect(res.status).toBe(400);
      expect(res.body.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
      expect(res.body.errors![0]!.message).toMatch(/MATERIAL.*FacetField/);
    });

    it('a cursor of another query, or of another index generation, is InvalidCursor saying which; too deep is PageDepthExceeded', async () => {
      const page = await run({ input: { text: 'red mug' }, first: 3 });
      const after = page.pageInfo.endCursor;
      expect(await run({ input: { text: 'red mug', modifier: 'striped' }, first: 3, after })).toMatchObject({ __typename: 'InvalidCursor', problem: 'OTHER_QUERY' });
      // The same query's cursor as a rebuilt index (npm run reindex) would leave it: same query, another generation.
      const stale = encodeCursor({ ...decodeCursor(after, 'search'), generation: 'an-index-since-replaced' });
      expect(await run({ input: { text: 'red mug' }, first: 3, after: stale })).toMatchObject({
        __typename: 'InvalidCursor',
        errorCode: 'INVALID_CURSOR',
        problem: 'STALE_INDEX',
      });
      expect((await run({ input: { text: 'red mug' }, first: 3, after })).__typename).toBe('DiscoverHits');
      const deep = encodeCursor({ ...decodeCursor(after, 'search'), offset: 995 });
      expect(await run({ input: { text: 'red mug' }, first: 10, after: deep })).toEqual({
        __typename: 'PageDepthExceeded',
        errorCode: 'PAGE_DEPTH_EXCEEDED',
        maxDepth: 1000,
        requestedDepth: 1005,
      });
    });

    it('contradictory rules are ContradictoryRules listing every conflict', async () => {
      const id = indexed[3]!.record.id;
      const r = await run({ input: { text: 'mug' }, rules: { pins: [{ id, position: 1 }, { id: indexed[4]!.record.id, position: 1 }], hides: [id] } });
      expect(r).toMatchObject({ __typename: 'ContradictoryRules', errorCode: 'CONTRADICTORY_RULES' });
      expect(r.conflicts).toEqual(
        expect.arrayContaining([
          { kind: 'PINNED_AND_HIDDEN', productId: id, position: null },
          { kind: 'POSITION_TAKEN', productId: null, position: 1 },
        ]),
      );
    });
  });
});
