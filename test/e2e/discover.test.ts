import { COLOR_NAMES } from '../../tools/synth/catalog';
import { syntheticCatalog, toInput, type FixtureProduct } from '../support/catalog';
import { startTestServer, type TestServer } from '../support/server';

/**
 * discover end to end (real HTTP, the project's SigLIP, a real Elasticsearch): a held-out product's picture plus a
 * colour modifier, and products to steer towards and away from.
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
});
