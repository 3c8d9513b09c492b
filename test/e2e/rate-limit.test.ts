import { parse } from 'graphql';
import { fieldExtensionsEstimator, getComplexity, simpleEstimator } from 'graphql-query-complexity';
import { buildAppSchema } from '../../src/resolvers';
import { sha256Hex } from '../../src/server/auth';
import { persistedUrl } from '../support/persisted';
import { parsePrometheus, sampleValue } from '../support/prometheus';
import { startTestServer, TEST_API_KEY, type TestServer } from '../support/server';

/**
 * Rate limits over real HTTP with small budgets: the exact number of requests each budget lets through, then 429
 * with Retry-After and a RATE_LIMITED error; clients (addresses, keys) are independent; expensive reads cost more.
 */
const BUDGETS = {
  RATE_LIMIT_ENABLED: 'true',
  RATE_LIMIT_WINDOW_S: '60', // nothing refills during the test
  RATE_LIMIT_ANONYMOUS_POINTS: '12',
  RATE_LIMIT_KEY_POINTS: '15',
  RATE_LIMIT_WRITE_POINTS: '11',
  RATE_LIMIT_COST_PER_POINT: '100',
  GRAPHQL_MAX_COST: '1000', // the costliest request: 1 + 1000/100 = 11 points, within every budget
};
const KEYS = ['reads-key-a-0123456789', 'reads-key-b-0123456789', 'writes-key-c-0123456789', 'writes-key-d-0123456789'];
const API_KEY_SHA256 = [TEST_API_KEY, ...KEYS].map(sha256Hex).join(',');

const CHEAP = '{ product(id: "x") { id } }';
const MAP = '{ catalogMap { totalProducts } }';
const DELETE = 'mutation { deleteProduct(id: "x") { __typename } }';

interface Reply {
  status: number;
  retryAfter: string | null;
  code?: unknown;
}

async function post(server: TestServer, query: string, o: { ip?: string; xff?: string; key?: string } = {}): Promise<Reply> {
  const res = await fetch(server.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(o.xff ?? o.ip ? { 'x-forwarded-for': o.xff ?? o.ip! } : {}),
      ...(o.key ? { authorization: `Bearer ${o.key}` } : {}),
    },
    body: JSON.stringify({ query }),
  });
  const body = (await res.json()) as { errors?: { extensions?: { code?: unknown } }[] };
  return { status: res.status, retryAfter: res.headers.get('retry-after'), code: body.errors?.[0]?.extensions?.code };
}

async function times(n: number, send: () => Promise<Reply>): Promise<Reply[]> {
  const out: Reply[] = [];
  for (let i = 0; i < n; i++) out.push(await send());
  return out;
}

const statuses = (replies: Reply[]) => replies.map((r) => r.status);

describe('rate limits behind one trusted proxy', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ ...BUDGETS, TRUST_PROXY: '1', API_KEY_SHA256 });
  });
  afterAll(async () => server?.stop());

  async function limitedCount(budget: string): Promise<number> {
    return sampleValue(parsePrometheus((await server.metrics.render()).body), 'rate_limited_requests_total', { budget }) ?? 0;
  }

  it('lets an address make 12 cheap reads, then answers 429 RATE_LIMITED with Retry-After', async () => {
    const before = await limitedCount('anonymous');
    const replies = await times(14, () => post(server, CHEAP, { ip: '203.0.113.1' }));
    expect(statuses(replies)).toEqual([...Array(12).fill(200), 429, 429]);
    for (const r of replies.slice(12)) {
      expect(r.code).toBe('RATE_LIMITED');
      expect(Number(r.retryAfter)).toBeGreaterThanOrEqual(1);
      expect(Number(r.retryAfter)).toBeLessThanOrEqual(60);
    }
    expect((await limitedCount('anonymous')) - before).toBe(2);
    // A persisted GET from the same address is refused before it runs, with the same header.
    const get = await fetch(persistedUrl(server.url, 'Products', { ids: ['x'] }), { headers: { 'x-forwarded-for': '203.0.113.1' } });
    expect(get.status).toBe(429);
    expect(get.headers.get('retry-after')).toMatch(/^\d+$/);
    // Another address is untouched.
    expect((await post(server, CHEAP, { ip: '203.0.113.2' })).status).toBe(200);
  });

  it('believes only the entry the trusted proxy added, not what the client wrote before it', async () => {
    const replies = await times(13, async () => post(server, CHEAP, { xff: `198.51.100.${Math.floor(Math.random() * 250)}, 203.0.113.3` }));
    expect(statuses(replies)).toEqual([...Array(12).fill(200), 429]);
  });

  it('gives each API key its own budget, and bills a wrong key to its address', async () => {
    expect(statuses(await times(16, () => post(server, CHEAP, { ip: '203.0.113.4', key: KEYS[0] })))).toEqual([...Array(15).fill(200), 429]);
    expect((await post(server, CHEAP, { ip: '203.0.113.4', key: KEYS[1] })).status).toBe(200);
    expect((await post(server, CHEAP, { ip: '203.0.113.4' })).status).toBe(200); // the address's own budget is separate
    const wrong = await times(13, () => post(server, CHEAP, { ip: '203.0.113.5', key: `wrong-${Math.random()}` }));
    expect(statuses(wrong)).toEqual([...Array(12).fill(200), 429]);
  });

  it('limits writes per key: 11 mutations, then 429 for that key only', async () => {
    const replies = await times(12, () => post(server, DELETE, { ip: '203.0.113.6', key: KEYS[2] }));
    expect(statuses(replies)).toEqual([...Array(11).fill(200), 429]);
    expect(replies[11].code).toBe('RATE_LIMITED');
    expect(replies[11].retryAfter).toMatch(/^\d+$/);
    expect((await post(server, DELETE, { ip: '203.0.113.6', key: KEYS[3] })).status).toBe(200);
    // The key's read budget still has 15 - 12 = 3 points.
    expect(statuses(await times(4, () => post(server, CHEAP, { ip: '203.0.113.6', key: KEYS[2] })))).toEqual([200, 200, 200, 429]);
  });

  it('charges expensive reads by their query cost', async () => {
    const schema = await buildAppSchema();
    const cost = (query: string) =>
      getComplexity({ schema, query: parse(query), variables: {}, estimators: [fieldExtensionsEstimator(), simpleEstimator({ defaultComplexity: 1 })] });
    const mapPoints = 1 + Math.floor(cost(MAP) / 100);
    expect(1 + Math.floor(cost(CHEAP) / 100)).toBe(1);
    expect(mapPoints).toBeGreaterThanOrEqual(6); // the catalog map costs at least six cheap reads
    const maps = await times(3, () => post(server, MAP, { ip: '203.0.113.7' }));
    expect(statuses(maps)).toEqual([...Array(Math.floor(12 / mapPoints)).fill(200), ...Array(3 - Math.floor(12 / mapPoints)).fill(429)]);
    // After one map, what is left of the budget buys exactly that many cheap reads.
    expect((await post(server, MAP, { ip: '203.0.113.8' })).status).toBe(200);
    const rest = 12 - mapPoints;
    expect(statuses(await times(rest + 1, () => post(server, CHEAP, { ip: '203.0.113.8' })))).toEqual([...Array(rest).fill(200), 429]);
  });

  it('does not serve /metrics on the main port without METRICS_API_KEY_SHA256', async () => {
    expect((await fetch(server.url.replace('/graphql', '/metrics'))).status).toBe(404);
  });
});

describe('rate limits without a trusted proxy', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ ...BUDGETS, API_KEY_SHA256 });
  });
  afterAll(async () => server?.stop());

  it('ignores X-Forwarded-For: every claimed address shares the socket address budget', async () => {
    const replies = await times(13, async () => post(server, CHEAP, { xff: `203.0.113.${Math.floor(Math.random() * 250)}` }));
    expect(statuses(replies)).toEqual([...Array(12).fill(200), 429]);
  });
});
