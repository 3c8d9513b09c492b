import { nearDuplicate, syntheticCatalog, toInput, type FixtureProduct } from '../support/catalog';
import { serveBytes, startFixtureServer, type FixtureServer } from '../support/fixture-server';
import { startTestServer, type TestServer } from '../support/server';

/**
 * The product end to end: real HTTP, the real GraphQL server, the project's SigLIP and a real Elasticsearch.
 * Every path a storefront uses, and the typed failures it must be able to branch on.
 */
const SEED = 424242;
const N = 48;

const HIT_FIELDS = 'hits { score similarity product { id title category color brand price inStock tags } }';

describe('GraphQL API end to end', () => {
  let server: TestServer;
  let cdn: FixtureServer;
  let catalog: FixtureProduct[];
  let duplicateOf0: Buffer;

  beforeAll(async () => {
    catalog = await syntheticCatalog(SEED, N);
    duplicateOf0 = await nearDuplicate(SEED, N, 0, 'reencode');
    cdn = await startFixtureServer({
      '/img/new-product.jpg': serveBytes(duplicateOf0),
      '/img/not-an-image.jpg': serveBytes(Buffer.from('<html><body>hi</body></html>'), 'image/jpeg'),
    });
    server = await startTestServer();
    const res = await server.gql(
      `mutation($inputs: [ProductInput!]!) { ingestProducts(inputs: $inputs, refresh: true) { summary { created updated unchanged failed } } }`,
      { inputs: catalog.map((p) => toInput(p)) },
    );
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data!.ingestProducts.summary).toEqual({ created: N, updated: 0, unchanged: 0, failed: 0 });
  });

  afterAll(async () => {
    await server?.stop();
    await cdn?.close();
  });

  describe('ingest', () => {
    const INGEST = `mutation($input: ProductInput!) { ingestProduct(input: $input, refresh: true) {
      __typename
      ... on IngestSuccess { status product { id title imageUrl updatedAt } }
      ... on ErrorResult { errorCode message }
    } }`;

    it('ingests a product by URL, idempotently, and finds it as similar to its look-alike and by text', async () => {
      const input = {
        id: 'new-1',
        title: 'Limited Edition Harbor Tote',
        description: 'A brand new product from our URL ingest test',
        category: catalog[0].record.category,
        color: catalog[0].record.color,
        brand: 'Harbor',
        price: 42,
        image: { url: cdn.url('/img/new-product.jpg') },
      };
      const first = await server.gql(INGEST, { input });
      expect(first.body.data!.ingestProduct).toMatchObject({
        __typename: 'IngestSuccess',
        status: 'CREATED',
        product: { id: 'new-1', imageUrl: cdn.url('/img/new-product.jpg') },
      });
      const again = await server.gql(INGEST, { input });
      expect(again.body.data!.ingestProduct).toMatchObject({ status: 'UNCHANGED' });
      // Unchanged means unchanged: not even the timestamp moved.
      expect(again.body.data!.ingestProduct.product.updatedAt).toBe(first.body.data!.ingestProduct.product.updatedAt);

      const similar = await server.gql(
        `query($id: ID!) { similarProducts(id: $id, first: 5) { __typename ... on ProductHits { ${HIT_FIELDS} } } }`,
        { id: catalog[0].record.id },
      );
      const hits = similar.body.data!.similarProducts.hits;
      expect(hits[0].product.id).toBe('new-1');
      expect(hits[0].similarity).toBeGreaterThan(0.95);

      const text = await server.gql(`query { searchByText(q: "harbor tote", first: 5) { ${HIT_FIELDS} } }`);
      // First: keyword rank 1, plus its vector rank inside the fusion window (without that it would tie at 1/61).
      expect(text.body.data!.searchByText.hits[0].product.id).toBe('new-1');
    });

    it('reports an undecodable image as a typed result and writes nothing', async () => {
      const res = await server.gql(INGEST, {
        input: { id: 'bad-image', title: 'Broken', image: { url: cdn.url('/img/not-an-image.jpg') } },
      });
      expect(res.body.data!.ingestProduct).toMatchObject({ __typename: 'ImageUndecodable', errorCode: 'IMAGE_UNDECODABLE' });
      const inline = await server.gql(INGEST, {
        input: { id: 'bad-image', title: 'Broken', image: { base64: Buffer.from('GIF89a-truncated').toString('base64') } },
      });
      expect(inline.body.data!.ingestProduct.__typename).toBe('ImageUndecodable');
      const lookup = await server.gql(`{ product(id: "bad-image") { id } }`);
      expect(lookup.body.data!.product).toBeNull();
    });

    it('refuses private image URLs that are not allowlisted', async () => {
      const res = await server.gql(INGEST, {
        input: { id: 'ssrf', title: 'Metadata', image: { url: 'http://169.254.169.254/latest/meta-data/' } },
      });
      expect(res.body.data!.ingestProduct.__typename).toBe('ImageUrlForbidden');
    });

    it('updates on change, keeps versions monotonic, and reports partial bulk failures per item', async () => {
      const base = toInput(catalog[1], { id: 'versioned', version: 10 });
      const bulk = await server.gql(
        `mutation($inputs: [ProductInput!]!) { ingestProducts(inputs: $inputs) {
          results { __typename ... on IngestSuccess { status } ... on ErrorResult { errorCode } }
          summary { created updated unchanged failed } } }`,
        {
          inputs: [
            base,
            { ...toInput(catalog[2]), id: 'broken-in-bulk', image: { base64: 'AAAA' } },
            { ...toInput(catalog[3]), id: 'no-image', image: {} },
          ],
        },
      );
      expect(bulk.body.data!.ingestProducts.results.map((r: any) => r.__typename)).toEqual([
        'IngestSuccess',
        'ImageUndecodable',
        'InvalidInput',
      ]);
      expect(bulk.body.data!.ingestProducts.summary).toEqual({ created: 1, updated: 0, unchanged: 0, failed: 2 });

      const newer = await server.gql(INGEST, { input: { ...base, title: 'Renamed', version: 11 } });
      expect(newer.body.data!.ingestProduct.status).toBe('UPDATED');
      const older = await server.gql(INGEST, { input: { ...base, title: 'Old name', version: 9 } });
      expect(older.body.data!.ingestProduct).toMatchObject({ __typename: 'StaleVersion', errorCode: 'STALE_VERSION' });
      const stored = await server.gql(`{ product(id: "versioned") { title version } }`);
      expect(stored.body.data!.product).toEqual({ title: 'Renamed', version: 11 });
    });

    it('deletes, and reports deleting an unknown product as ProductNotFound', async () => {
      const DELETE = `mutation($id: ID!) { deleteProduct(id: $id) { __typename ... on DeleteSuccess { id } ... on ProductNotFound { productId } } }`;
      expect((await server.gql(DELETE, { id: 'versioned' })).body.data!.deleteProduct).toEqual({ __typename: 'DeleteSuccess', id: 'versioned' });
      expect((await server.gql(DELETE, { id: 'versioned' })).body.data!.deleteProduct).toEqual({
        __typename: 'ProductNotFound',
        productId: 'versioned',
      });
    });

    it('deletes with refresh: true so that searches stop returning the product before the answer', async () => {
      const target = catalog[20].record.id;
      const hitIds = async () => {
        const res = await server.gql(`query($id: ID!) { similarProducts(id: $id, first: ${N}) { ... on ProductHits { hits { product { id } } } } }`, {
          id: catalog[21].record.id,
        });
        return res.body.data!.similarProducts.hits.map((h: any) => h.product.id);
      };
      expect(await hitIds()).toContain(target);
      const res = await server.gql(`mutation($id: ID!) { deleteProduct(id: $id, refresh: true) { __typename } }`, { id: target });
      expect(res.body.data!.deleteProduct).toEqual({ __typename: 'DeleteSuccess' });
      expect(await hitIds()).not.toContain(target);
    });

    it('needs an API key for every write', async () => {
      for (const key of [null, 'wrong-key']) {
        const res = await server.gql(`mutation { deleteProduct(id: "${catalog[5].record.id}") { __typename } }`, {}, { key });
        expect(res.body.data).toBeNull();
        expect(res.body.errors![0].extensions!.code).toBe('UNAUTHORIZED');
      }
      expect((await server.gql(`{ product(id: "${catalog[5].record.id}") { id } }`)).body.data!.product).not.toBeNull();
    });
  });

  describe('queries', () => {
    it('loads products by id with a single mget per request', async () => {
      const spy = jest.spyOn(server.services.index, 'getMany');
      try {
        const ids = catalog.slice(0, 4).map((p) => p.record.id);
        const res = await server.gql(
          `query($ids: [ID!]!, $a: ID!, $b: ID!) { products(ids: $ids) { id } a: product(id: $a) { id } b: product(id: $b) { id } }`,
          { ids: [...ids, 'nope'], a: ids[0], b: 'also-nope' },
        );
        expect(res.body.data!.products.map((p: any) => p?.id ?? null)).toEqual([...ids, null]);
        expect(res.body.data!.a).toEqual({ id: ids[0] });
        expect(res.body.data!.b).toBeNull();
        expect(spy).toHaveBeenCalledTimes(1);
      } finally {
        spy.mockRestore();
      }
    });

    it('similarProducts excludes the product, honours filters inside the kNN and returns `first` hits', async () => {
      const target = catalog[7].record;
      const res = await server.gql(
        `query($id: ID!, $f: ProductFilterInput) { similarProducts(id: $id, first: 6, filters: $f) { ... on ProductHits { ${HIT_FIELDS} } } }`,
        { id: target.id, f: { inStock: true, maxPrice: 1000 } },
      );
      const hits = res.body.data!.similarProducts.hits;
      const eligible = catalog.filter((p) => p.record.id !== target.id && p.record.inStock).length;
      expect(hits).toHaveLength(Math.min(6, eligible));
      expect(hits.map((h: any) => h.product.id)).not.toContain(target.id);
      expect(hits.every((h: any) => h.product.inStock)).toBe(true);
      const scores = hits.map((h: any) => h.score);
      expect([...scores].sort((a, b) => b - a)).toEqual(scores);
      expect(hits.map((h: any) => h.similarity)).toEqual(scores.map((s: number) => expect.closeTo(2 * s - 1, 5)));

      const category = target.category;
      const sameCategory = await server.gql(
        `query($id: ID!, $c: String!) { similarProducts(id: $id, first: 3, filters: { categories: [$c] }) { ... on ProductHits { ${HIT_FIELDS} } } }`,
        { id: target.id, c: category },
      );
      const sameCategoryCount = catalog.filter((p) => p.record.id !== target.id && p.record.category === category).length;
      expect(sameCategoryCount).toBeGreaterThan(0);
      expect(sameCategory.body.data!.similarProducts.hits.map((h: any) => h.product.category)).toEqual(
        Array(Math.min(3, sameCategoryCount)).fill(category),
      );
    });

    it('similarProducts of an unknown id is a typed ProductNotFound', async () => {
      const res = await server.gql(`{ similarProducts(id: "ghost") { __typename ... on ProductNotFound { productId errorCode } } }`);
      expect(res.body.data!.similarProducts).toEqual({ __typename: 'ProductNotFound', productId: 'ghost', errorCode: 'PRODUCT_NOT_FOUND' });
    });

    it('searchByText finds products by colour, pattern and category in every mode, with filters on both sides', async () => {
      const r = catalog[3].record;
      const q = `${r.color} ${r.pattern} ${r.category}`;
      for (const mode of ['HYBRID', 'VECTOR', 'KEYWORD']) {
        const res = await server.gql(`query($q: String!) { searchByText(q: $q, mode: ${mode}, first: 10) { ${HIT_FIELDS} } }`, { q });
        const hits = res.body.data!.searchByText.hits;
        expect(hits).toHaveLength(10);
        // The product the query describes comes first in every mode.
        expect([mode, hits[0].product.id, hits[0].product.category]).toEqual([mode, r.id, r.category]);
        if (mode === 'KEYWORD') expect(hits.map((h: any) => h.similarity)).toEqual(Array(10).fill(null));
        // Elasticsearch scores dot_product as (1 + cos) / 2; the API reports the cosine.
        else if (mode === 'VECTOR') expect(hits.map((h: any) => h.similarity)).toEqual(hits.map((h: any) => expect.closeTo(2 * h.score - 1, 5)));
        else expect(typeof hits[0].similarity).toBe('number');
      }
      const filtered = await server.gql(
        `query($q: String!, $b: String!) { searchByText(q: $q, first: 10, filters: { brands: [$b] }) { ${HIT_FIELDS} } }`,
        { q, b: r.brand },
      );
      // The brand has fewer than 10 products, all inside the fusion window: every one of them, and nothing else.
      const hits = filtered.body.data!.searchByText.hits;
      const ofBrand = catalog.filter((p) => p.record.brand === r.brand).map((p) => p.record.id);
      expect(ofBrand.length).toBeLessThan(10);
      expect(hits.map((h: any) => h.product.id).sort()).toEqual(ofBrand.sort());
      expect(hits.map((h: any) => h.product.brand)).toEqual(Array(ofBrand.length).fill(r.brand));
    });

    it('searchByImage puts the pictured product first, from base64 or URL', async () => {
      const QUERY = `query($image: ImageInput!) { searchByImage(image: $image, first: 3) { __typename ... on ProductHits { ${HIT_FIELDS} } ... on ErrorResult { errorCode } } }`;
      const inline = await server.gql(QUERY, { image: { base64: catalog[9].jpeg.toString('base64') } });
      expect(inline.body.data!.searchByImage.hits[0].product.id).toBe(catalog[9].record.id);
      // The same bytes: cosine 1 up to int8 quantisation (0.99987 measured).
      expect(inline.body.data!.searchByImage.hits[0].similarity).toBeGreaterThan(0.999);
      const byUrl = await server.gql(QUERY, { image: { url: cdn.url('/img/new-product.jpg') } });
      // new-1 was ingested from these very bytes; catalog[0] is the image they re-encode.
      expect(byUrl.body.data!.searchByImage.hits.slice(0, 2).map((h: any) => h.product.id)).toEqual(['new-1', catalog[0].record.id]);
      const bad = await server.gql(QUERY, { image: { url: cdn.url('/img/missing.jpg') } });
      expect(bad.body.data!.searchByImage).toEqual({ __typename: 'ImageFetchFailed', errorCode: 'IMAGE_FETCH_FAILED' });
    });

    it('recommendations combine viewed products, exclude them, and report unknown ids', async () => {
      const viewed = [catalog[10].record.id, catalog[11].record.id];
      const RECS = `query($p: [ID!]!, $n: [ID!]) { recommendations(productIds: $p, negativeIds: $n, first: 8) { unknownIds ${HIT_FIELDS} } }`;
      // The control: without feedback, the best match of the viewed products. Dismissing it must remove it.
      const control = (await server.gql(RECS, { p: viewed })).body.data!.recommendations;
      expect(control.hits).toHaveLength(8);
      const negative = control.hits[0].product.id;
      for (const id of viewed) expect(control.hits.map((h: any) => h.product.id)).not.toContain(id);

      const res = await server.gql(RECS, { p: [...viewed, 'unknown-1'], n: [negative, 'unknown-2'] });
      const rec = res.body.data!.recommendations;
      expect(rec.unknownIds).toEqual(['unknown-1', 'unknown-2']);
      expect(rec.hits).toHaveLength(8);
      const ids = rec.hits.map((h: any) => h.product.id);
      for (const id of [...viewed, negative]) expect(ids).not.toContain(id);

      // Asked for more than the catalog holds, only the exclusion keeps the dismissed product out (steering alone
      // would merely rank it lower): the same products as without feedback, minus that one.
      const ALL = `query($p: [ID!]!, $n: [ID!]) { recommendations(productIds: $p, negativeIds: $n, first: 100) { hits { product { id } } } }`;
      const idsOf = (r: any) => r.body.data!.recommendations.hits.map((h: any) => h.product.id).sort();
      const everything = idsOf(await server.gql(ALL, { p: viewed }));
      expect(everything).toContain(negative);
      expect(idsOf(await server.gql(ALL, { p: viewed, n: [negative] }))).toEqual(everything.filter((id: string) => id !== negative));

      const onlyUnknown = await server.gql(`{ recommendations(productIds: ["nobody"]) { unknownIds hits { score } } }`);
      expect(onlyUnknown.body.data!.recommendations).toEqual({ unknownIds: ['nobody'], hits: [] });
    });

    it('bounds page sizes and list lengths in the argument types', async () => {
      const res = await server.gql(`{ similarProducts(id: "x", first: 1000000) { __typename } }`);
      expect(res.body.errors![0].extensions!.code).toBe('BAD_USER_INPUT');
      const tooLong = await server.gql(`query($q: String!) { searchByText(q: $q) { hits { score } } }`, { q: 'x'.repeat(600) });
      expect(tooLong.body.errors![0].extensions!.code).toBe('BAD_USER_INPUT');
    });
  });
});
