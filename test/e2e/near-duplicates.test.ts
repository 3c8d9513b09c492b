import { nearDuplicate, syntheticCatalog, toInput } from '../support/catalog';
import { startTestServer, type TestServer } from '../support/server';
import type { VariantKind } from '../../tools/synth/render';

/** Near-duplicate detection: re-encoded, resized, cropped and watermarked copies of a product image find each other. */
const SEED = 5150;
const N = 40;
const KINDS: VariantKind[] = ['reencode', 'resize', 'crop', 'watermark'];

describe('near-duplicate detection', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
    const catalog = await syntheticCatalog(SEED, N);
    const variants = await Promise.all(KINDS.map((k) => nearDuplicate(SEED, N, 3, k)));
    const inputs = [
      ...catalog.map((p) => toInput(p)),
      ...variants.map((jpeg, i) => toInput({ record: catalog[3].record, jpeg }, { id: `dup-${KINDS[i]}` })),
    ];
    const res = await server.gql(`mutation($i: [ProductInput!]!) { ingestProducts(inputs: $i, refresh: true) { summary { failed } } }`, { i: inputs });
    expect(res.body.data!.ingestProducts.summary.failed).toBe(0);
  });
  afterAll(async () => server?.stop());

  it('ranks every variant above all other products, with cosine close to 1', async () => {
    const res = await server.gql(`{ similarProducts(id: "p-000003", first: 4) { ... on ProductHits { hits { similarity product { id } } } } }`);
    const hits = res.body.data!.similarProducts.hits;
    expect(hits.map((h: any) => h.product.id).sort()).toEqual(KINDS.map((k) => `dup-${k}`).sort());
    // The tiny model is less invariant to crops and watermarks than a real SigLIP; ranking is the contract here.
    for (const h of hits) expect(h.similarity).toBeGreaterThan(0.8);
  });
});
