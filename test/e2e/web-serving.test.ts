import { ABUSE_CASES } from '../corpus/http-abuse';
import { syntheticCatalog, toInput, type FixtureProduct } from '../support/catalog';
import { persistedUrl } from '../support/persisted';
import { startTestServer, TEST_API_KEY, type TestServer } from '../support/server';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';

/**
 * What the server does for browsers, over real HTTP without a browser: widget modules with cache headers, CORS for
 * an allowlisted storefront (reads without a key, writes never), and GET persisted queries a CDN can cache.
 */
const ROOT = path.resolve(__dirname, '../..');
const SHOP = 'http://shop.example.test';
const OTHER = 'http://evil.example.test';
const N = 12;

describe('serving the widgets and their queries', () => {
  let server: TestServer;
  let catalog: FixtureProduct[];
  let base: string;

  beforeAll(async () => {
    if (!existsSync(path.join(ROOT, 'dist/public/widgets/v1/widgets.js'))) {
      execFileSync('npx', ['tsx', 'scripts/build-web.ts'], { cwd: ROOT, stdio: 'ignore' });
    }
    catalog = await syntheticCatalog(99, N);
    server = await startTestServer({ CORS_ALLOWED_ORIGINS: SHOP, READS_REQUIRE_API_KEY: 'true', PERSISTED_QUERY_MAX_AGE_S: '42' });
    base = server.url.replace(/\/graphql$/, '');
    const res = await server.gql(`mutation($inputs: [ProductInput!]!) { ingestProducts(inputs: $inputs, refresh: true) { summary { created failed } } }`, {
      inputs: catalog.map((p) => toInput(p)),
    });
    expect(res.body.data!.ingestProducts.summary).toEqual({ created: N, failed: 0 });
  });
  afterAll(async () => server?.stop());

  describe('widget modules', () => {
    it('serves entry modules with a day of caching, chunks immutable, both with a content ETag and 304', async () => {
      const entry = await fetch(`${base}/widgets/v1/widgets.js`);
      expect(entry.status).toBe(200);
      expect(entry.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      expect(entry.headers.get('cache-control')).toBe('public, max-age=86400, stale-while-revalidate=604800');
      expect(entry.headers.get('access-control-allow-origin')).toBe('*');
      const chunk = /from"\.\/(chunk-[A-Z0-9]+\.js)"/.exec(await entry.text())![1];
      const c = await fetch(`${base}/widgets/v1/${chunk}`, { headers: { 'accept-encoding': 'gzip' } });
      expect(c.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      const etag = c.headers.get('etag')!;
      expect(etag).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
      const again = await fetch(`${base}/widgets/v1/${chunk}`, { headers: { 'if-none-match': etag } });
      expect(again.status).toBe(304);
    });

    it('refuses paths outside the folder and unknown files', async () => {
      expect((await fetch(`${base}/widgets/v1/..%2f..%2fpackage.json`)).status).toBe(404);
      expect((await fetch(`${base}/widgets/v1/nope.js`)).status).toBe(404);
      expect((await fetch(`${base}/widgets/v1/widgets.js`, { method: 'POST' })).status).toBe(405);
    });
  });

  describe('pages', () => {
    it('serves the demo shop, with / leading there and a browser at the endpoint led to the explorer', async () => {
      const home = await fetch(`${base}/`, { redirect: 'manual' });
      expect(home.headers.get('location')).toBe('/demo/');
      const demo = await fetch(`${base}/demo/`);
      expect(demo.status).toBe(200);
      expect(demo.headers.get('cache-control')).toBe('no-cache');
      expect(await demo.text()).toContain('<script type="module" src="/widgets/v1/widgets.js"></script>');
      const browser = await fetch(server.url, { headers: { accept: 'text/html' }, redirect: 'manual' });
      expect(browser.headers.get('location')).toBe('/explorer/');
    });
  });

  describe('CORS', () => {
    it('answers an allowed origin’s preflight for reads, without allowing a key header', async () => {
      const res = await fetch(server.url, { method: 'OPTIONS', headers: { origin: SHOP, 'access-control-request-method': 'POST' } });
      expect(res.status).toBe(204);
      expect(res.headers.get('access-control-allow-origin')).toBe(SHOP);
      expect(res.headers.get('access-control-allow-headers')).not.toMatch(/authorization|x-api-key/i);
    });

    it('lets an allowed origin read without a key, while reads without an origin still need one', async () => {
      const query = JSON.stringify({ query: `{ product(id: "${catalog[0].record.id}") { id } }` });
      const withOrigin = await fetch(server.url, { method: 'POST', headers: { origin: SHOP, 'content-type': 'application/json' }, body: query });
      expect(withOrigin.status).toBe(200);
      expect(withOrigin.headers.get('access-control-allow-origin')).toBe(SHOP);
      expect(await withOrigin.json()).toEqual({ data: { product: { id: catalog[0].record.id } } });
      const anonymous = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: query });
      expect(anonymous.status).toBe(401);
    });

    it('refuses a disallowed origin outright', async () => {
      const res = await fetch(server.url, { method: 'POST', headers: { origin: OTHER, 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' });
      expect(res.status).toBe(403);
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
      const preflight = await fetch(server.url, { method: 'OPTIONS', headers: { origin: OTHER, 'access-control-request-method': 'POST' } });
      expect(preflight.status).toBe(403);
    });

    it('never writes cross-origin, even with a valid key', async () => {
      const res = await fetch(server.url, {
        method: 'POST',
        headers: { origin: SHOP, 'content-type': 'application/json', authorization: `Bearer ${TEST_API_KEY}` },
        body: JSON.stringify({ query: `mutation { deleteProduct(id: "${catalog[1].record.id}") { __typename } }` }),
      });
      const body = (await res.json()) as { errors?: { extensions: { code: string } }[] };
      expect(body.errors?.[0].extensions.code).toBe('UNAUTHORIZED');
      const still = await server.gql(`{ product(id: "${catalog[1].record.id}") { id } }`);
      expect(still.body.data).toEqual({ product: { id: catalog[1].record.id } });
    });

    it('keeps CSRF protection for requests from the server’s own pages', async () => {
      const same = await fetch(`${server.url}?query=%7B__typename%7D`, { headers: { origin: base, authorization: `Bearer ${TEST_API_KEY}` } });
      expect(same.status).toBe(400);
      expect(await same.text()).toMatch(/CSRF|preflight/i);
    });

    it.each(ABUSE_CASES.filter((c) => /CSRF|mutation over GET/.test(c.name)).map((c) => [c.name, c] as const))(
      'still refuses %s from an allowed origin',
      async (_name, c) => {
        const res = await fetch(server.url + (c.search ?? ''), {
          method: c.method ?? 'POST',
          headers: { ...(c.headers ?? {}), origin: SHOP, authorization: `Bearer ${TEST_API_KEY}` },
          body: c.body === undefined ? undefined : typeof c.body === 'string' ? c.body : JSON.stringify(c.body),
        });
        expect(res.status).toBe(c.status);
      },
    );
  });

  describe('persisted GET queries', () => {
    const similar = () => persistedUrl(server.url, 'SimilarProducts', { id: catalog[2].record.id, first: 3, filters: null });

    it('answers with data, a configurable max-age, Vary: Origin and an ETag; 304 on If-None-Match', async () => {
      const res = await fetch(similar(), { headers: { origin: SHOP } });
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('public, max-age=42');
      expect(res.headers.get('vary')).toMatch(/Origin/);
      expect(res.headers.get('access-control-allow-origin')).toBe(SHOP);
      const body = (await res.json()) as any;
      expect(body.data.similarProducts.__typename).toBe('ProductHits');
      expect(body.data.similarProducts.hits).toHaveLength(3);
      const etag = res.headers.get('etag')!;
      const again = await fetch(similar(), { headers: { origin: SHOP, 'if-none-match': etag } });
      expect(again.status).toBe(304);
      expect(await again.text()).toBe('');
    });

    it('changes its ETag when the catalog changes, and serves the new data', async () => {
      const first = await fetch(similar(), { headers: { origin: SHOP } });
      const etag = first.headers.get('etag')!;
      const top = ((await first.json()) as any).data.similarProducts.hits[0].product;
      const target = catalog.find((p) => p.record.id === top.id)!;
      const write = await server.gql(`mutation($input: ProductInput!) { ingestProduct(input: $input, refresh: true) { __typename } }`, {
        input: toInput(target, { title: 'Renamed For The ETag Test' }),
      });
      expect(write.body.data).toEqual({ ingestProduct: { __typename: 'IngestSuccess' } });
      const after = await fetch(similar(), { headers: { origin: SHOP, 'if-none-match': etag } });
      expect(after.status).toBe(200);
      expect(after.headers.get('etag')).not.toBe(etag);
      expect(((await after.json()) as any).data.similarProducts.hits[0].product.title).toBe('Renamed For The ETag Test');
    });

    it('keeps typed results cacheable and does not cache failures', async () => {
      const missing = await fetch(persistedUrl(server.url, 'SimilarProducts', { id: 'no-such-product', first: 3 }), { headers: { origin: SHOP } });
      expect(((await missing.json()) as any).data.similarProducts).toMatchObject({ __typename: 'ProductNotFound', productId: 'no-such-product' });
      expect(missing.headers.get('cache-control')).toBe('public, max-age=42');
      const bad = await fetch(persistedUrl(server.url, 'SimilarProducts', { id: 'x', first: 1000 }), { headers: { origin: SHOP } });
      expect(bad.headers.get('cache-control')).toBe('no-store');
      expect(JSON.stringify(await bad.json())).toMatch(/BAD_USER_INPUT/);
    });

    it('serves only the fixed set of documents', async () => {
      const unknown = await fetch(persistedUrl(server.url, 'SimilarProducts', { id: 'x', first: 1 }, 'f'.repeat(64)), { headers: { origin: SHOP } });
      expect(unknown.status).toBe(404);
      expect(await unknown.text()).toMatch(/PERSISTED_QUERY_NOT_FOUND/);
      const malformed = await fetch(`${server.url}?extensions=%7B&variables=%7B%7D`, { headers: { origin: SHOP } });
      expect(malformed.status).toBe(400);
    });

    it('needs the key without an allowed origin when reads require one', async () => {
      expect((await fetch(similar())).status).toBe(401);
      expect((await fetch(similar(), { headers: { authorization: `Bearer ${TEST_API_KEY}` } })).status).toBe(200);
    });
  });
});
