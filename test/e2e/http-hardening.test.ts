import { ABUSE_CASES } from '../corpus/http-abuse';
import { startTestServer, TEST_API_KEY, type TestServer } from '../support/server';

/** What the open internet will send. Each case must be refused cleanly, with the right status, and leak nothing. */
describe('HTTP and GraphQL hardening', () => {
  let server: TestServer;

  beforeAll(async () => {
    // Rate limits on at their production budgets: the limiter must change none of these answers.
    server = await startTestServer({ ES_API_KEY: 'c2VjcmV0LWVzLWtleQ==', GRAPHQL_MAX_DEPTH: '4', RATE_LIMIT_ENABLED: 'true' });
  });
  afterAll(async () => server?.stop());

  it.each(ABUSE_CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const headers: Record<string, string> =
      c.headers ?? (c.method === 'GET' ? {} : { 'content-type': 'application/json' });
    const res = await fetch(server.url + (c.search ?? ''), {
      method: c.method ?? 'POST',
      headers,
      body: c.body === undefined ? undefined : typeof c.body === 'string' ? c.body : JSON.stringify(c.body),
    });
    const text = await res.text();
    expect({ status: res.status, text: text.slice(0, 300) }).toMatchObject({ status: c.status });
    if (c.expect) expect(text).toMatch(c.expect);
    expect(text).not.toMatch(/\bat .+\.(ts|js):\d+/); // no stack frames
    expect(text).not.toContain('c2VjcmV0LWVzLWtleQ'); // Elasticsearch credentials never leave
  });

  it('answers probes', async () => {
    const health = await fetch(server.url.replace('/graphql', '/healthz'));
    expect(health.status).toBe(200);
    const ready = await fetch(server.url.replace('/graphql', '/readyz'));
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', checks: { elasticsearch: expect.stringMatching(/green|yellow/) } });
  });

  it('refuses bodies over the cap without reading them into memory', async () => {
    const res = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }', pad: 'x'.repeat(26 * 1024 * 1024) }),
    });
    expect(res.status).toBe(413);
  });

  it('keeps introspection on outside production', async () => {
    const res = await server.gql(`{ __schema { queryType { name } } }`);
    expect(res.body.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
  });
});

describe('in production', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ NODE_ENV: 'production' });
  });
  afterAll(async () => server?.stop());

  it('turns introspection off', async () => {
    const res = await server.gql(`{ __schema { queryType { name } } }`);
    expect(res.body.errors?.[0].message).toMatch(/introspection/i);
  });

  it('offers no field suggestions', async () => {
    const res = await server.gql(`{ similarProduct(id: "x") { __typename } }`);
    expect(JSON.stringify(res.body)).not.toMatch(/Did you mean/);
  });

  it('still needs the key for writes and serves reads without one', async () => {
    const write = await server.gql(`mutation { deleteProduct(id: "x") { __typename } }`, {}, { key: null });
    expect(write.body.errors![0].extensions!.code).toBe('UNAUTHORIZED');
    const withKey = await server.gql(`mutation { deleteProduct(id: "x") { __typename } }`, {}, { key: TEST_API_KEY });
    expect(withKey.body.data).toEqual({ deleteProduct: { __typename: 'ProductNotFound' } });
    const read = await server.gql(`{ product(id: "x") { id } }`, {}, { key: null });
    expect(read.body.data).toEqual({ product: null });
  });
});

describe('with READS_REQUIRE_API_KEY', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ READS_REQUIRE_API_KEY: 'true' });
  });
  afterAll(async () => server?.stop());

  it('answers 401 to anonymous reads and serves keyed ones', async () => {
    expect((await server.gql(`{ product(id: "x") { id } }`, {}, { key: null })).status).toBe(401);
    expect((await server.gql(`{ product(id: "x") { id } }`)).body.data).toEqual({ product: null });
  });
});
