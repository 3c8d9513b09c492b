import { ES_URL } from '../support/es';
import { countBy } from '../support/load';
import { startTestServer, type TestServer } from '../support/server';
import { TcpProxy } from '../support/tcp-proxy';

/**
 * A slow Elasticsearch: a loopback proxy in front of the shared node holds every answer for seconds. Deadlines must
 * hold, and beyond the in-flight bound the server must shed load at once instead of queueing without end.
 */
describe('a slow Elasticsearch', () => {
  const es = new URL(ES_URL);
  const proxy = new TcpProxy({ host: es.hostname, port: Number(es.port || 9200) });
  let server: TestServer | undefined;

  const timed = async (s: TestServer, query: string) => {
    const t0 = performance.now();
    const res = await s.gql(query, undefined, { key: null });
    return { ms: performance.now() - t0, codes: res.body.errors?.map((e) => e.extensions?.code), data: res.body.data, status: res.status };
  };
  const boot = async (env: Record<string, string>) => {
    proxy.latency(0);
    // No background re-tagging scan at boot: the shedding test counts every request slot.
    server = await startTestServer({ ES_URL: proxy.url, ES_MAX_RETRIES: '2', RETAG_ON_BOOT: 'false', ...env });
    return server;
  };

  beforeAll(() => proxy.open());
  afterEach(async () => {
    proxy.latency(0);
    await server?.stop();
    server = undefined;
  });
  afterAll(() => proxy.close());

  it('ES_REQUEST_TIMEOUT_MS ends an Elasticsearch call once, not once per retry: SEARCH_BACKEND_UNAVAILABLE', async () => {
    const s = await boot({ ES_REQUEST_TIMEOUT_MS: '1000', REQUEST_TIMEOUT_MS: '20000' });
    proxy.latency(4000);
    const r = await timed(s, `{ products(ids: ["slow-1"]) { id } }`);
    expect(r.codes).toEqual(['SEARCH_BACKEND_UNAVAILABLE']);
    expect(r.ms).toBeGreaterThanOrEqual(1000);
    expect(r.ms).toBeLessThan(2000); // a retried timeout would take 2 s or more
  });

  it('REQUEST_TIMEOUT_MS holds when Elasticsearch is slower than the whole deadline', async () => {
    const s = await boot({ ES_REQUEST_TIMEOUT_MS: '30000', REQUEST_TIMEOUT_MS: '1500' });
    proxy.latency(6000);
    const r = await timed(s, `{ products(ids: ["slow-2"]) { id } similarProducts(id: "slow-2") { __typename } }`);
    expect([r.status, r.codes, r.data]).toEqual([200, ['REQUEST_TIMEOUT'], null]);
    expect(r.ms).toBeGreaterThanOrEqual(1500);
    expect(r.ms).toBeLessThan(3500);
  });

  it('sheds load past ES_MAX_IN_FLIGHT + ES_MAX_QUEUED with an immediate OVERLOADED', async () => {
    const s = await boot({ ES_REQUEST_TIMEOUT_MS: '30000', REQUEST_TIMEOUT_MS: '30000', ES_MAX_IN_FLIGHT: '4', ES_MAX_QUEUED: '4' });
    const LATENCY = 4000;
    proxy.latency(LATENCY);
    const shots = await Promise.all(Array.from({ length: 30 }, (_, i) => timed(s, `{ products(ids: ["slow-${i}"]) { id } }`)));
    const outcome = (r: (typeof shots)[number]) => (r.codes ? r.codes.join(',') : JSON.stringify(r.data));
    // 4 run, 4 wait for a slot and run next, 22 are refused without waiting for Elasticsearch at all.
    expect(countBy(shots, outcome)).toEqual({ '{"products":[null]}': 8, OVERLOADED: 22 });
    const refused = shots.filter((r) => r.codes?.[0] === 'OVERLOADED');
    const served = shots.filter((r) => !r.codes).map((r) => r.ms).sort((a, b) => a - b);
    expect(Math.max(...refused.map((r) => r.ms))).toBeLessThan(LATENCY);
    expect(served[0]).toBeGreaterThanOrEqual(LATENCY);
    expect(served[7]).toBeGreaterThanOrEqual(2 * LATENCY); // the queued four waited for a slot
    proxy.latency(0);
    expect((await timed(s, `{ products(ids: ["slow-after"]) { id } }`)).data).toEqual({ products: [null] });
  });
});
