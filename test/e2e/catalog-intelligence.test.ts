import { syntheticCatalog, toInput } from '../support/catalog';
import { startTestServer, type TestServer } from '../support/server';

/** Catalog QA and the model-upgrade report over HTTP: the resolvers, their bounds and the admin key. */
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
  const catalog = await syntheticCatalog(1234, 6);
  // p-000000 states a colour its photo does not show.
  const wrong = catalog[0]!.record.color === 'blue' ? 'yellow' : 'blue';
  const inputs = catalog.map((p, i) => toInput(p, i === 0 ? { color: wrong } : {}));
  const r = await server.gql(`mutation ($inputs: [ProductInput!]!) { ingestProducts(inputs: $inputs, refresh: true) { summary { created } } }`, { inputs });
  expect(r.body.data).toEqual({ ingestProducts: { summary: { created: 6 } } });
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

describe('attributeConflicts', () => {
  it('lists the product whose photo contradicts its stated colour, with the tags the model read', async () => {
    const r = await server.gql(`{
      attributeConflicts(name: "color", first: 5) {
        __typename
        ... on AttributeConflictPage { totalCount hasNextPage items { stated predicted confidence product { id predictedTags } } }
      }
    }`);
    const page = r.body.data!.attributeConflicts;
    expect(page.__typename).toBe('AttributeConflictPage');
    expect(page.items.map((i: { product: { id: string } }) => i.product.id)).toContain('p-000000');
    const item = page.items.find((i: { product: { id: string } }) => i.product.id === 'p-000000');
    expect(item.stated).not.toBe(item.predicted);
    expect(item.confidence).toBeGreaterThanOrEqual(0.5);
    expect(item.product.predictedTags.some((t: string) => t.startsWith('category:'))).toBe(true);
  });

  it('answers a foreign cursor with a typed InvalidInput, and bounds first', async () => {
    const bad = await server.gql(`{ attributeConflicts(name: "color", after: "eA") { __typename } }`);
    expect(bad.body.data).toEqual({ attributeConflicts: { __typename: 'InvalidInput' } });
    const big = await server.gql(`{ attributeConflicts(name: "color", first: 1000) { __typename } }`);
    expect(big.body.errors?.[0]?.message).toMatch(/Argument Validation Error/);
  });
});

describe('compareModels', () => {
  it('needs the API key, and is null while no shadow index is being built', async () => {
    const anonymous = await server.gql(`{ compareModels { sampleSize } }`, {}, { key: null });
    expect(anonymous.body.errors![0]!.extensions!.code).toBe('UNAUTHORIZED');
    const admin = await server.gql(`{ compareModels { sampleSize } }`);
    expect(admin.body).toEqual({ data: { compareModels: null } });
  });
});
