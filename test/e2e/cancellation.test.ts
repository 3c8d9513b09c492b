import type * as http from 'node:http';
import { startFixtureServer, type FixtureServer } from '../support/fixture-server';
import { startTestServer, TEST_API_KEY, type TestServer } from '../support/server';

/**
 * Cancellation end to end, over real sockets: a request whose client disconnects, or whose deadline passes, must stop
 * the image download it started (the CDN sees its connection closed) and never reach the model.
 */

/** Well above anything the assertions allow, so only cancellation can close the CDN connection in time. */
const FETCH_TIMEOUT_MS = 20_000;
const QUERY = `query($image: ImageInput!) { searchByImage(image: $image) { __typename } }`;

interface StalledRequest {
  closed: Promise<number>;
}

describe('cancellation over real HTTP', () => {
  let cdn: FixtureServer;
  let server: TestServer;
  let withDeadline: TestServer;
  let stalled: ((r: StalledRequest) => void)[] = [];

  /** Resolves when the CDN receives the next request; its `closed` resolves with the time its socket closed. */
  const nextStalled = () => new Promise<StalledRequest>((resolve) => stalled.push(resolve));

  beforeAll(async () => {
    cdn = await startFixtureServer({
      // A CDN that accepts the request and never answers (a slow-loris from our side of the fence).
      '/stall.jpg': (req: http.IncomingMessage) => {
        const closed = new Promise<number>((resolve) => req.socket.once('close', () => resolve(Date.now())));
        stalled.shift()?.({ closed });
      },
    });
    [server, withDeadline] = await Promise.all([
      startTestServer({ IMAGE_FETCH_TIMEOUT_MS: String(FETCH_TIMEOUT_MS) }),
      startTestServer({ IMAGE_FETCH_TIMEOUT_MS: String(FETCH_TIMEOUT_MS), REQUEST_TIMEOUT_MS: '700' }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([server?.stop(), withDeadline?.stop()]);
    await cdn?.close();
  });

  afterEach(() => {
    stalled = [];
  });

  it('a client that disconnects closes the image download at once, and no embedding runs for it', async () => {
    const before = server.services.embedder.stats;
    const client = new AbortController();
    const atCdn = nextStalled();
    const response = fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_API_KEY}` },
      body: JSON.stringify({ query: QUERY, variables: { image: { url: cdn.url('/stall.jpg') } } }),
      signal: client.signal,
    }).catch((e: unknown) => e);
    const download = await atCdn;

    const abortedAt = Date.now();
    client.abort();
    expect(await response).toMatchObject({ name: 'AbortError' });
    const closedAfter = (await download.closed) - abortedAt;
    expect(closedAfter).toBeLessThan(1000);

    expect(server.services.embedder.stats).toEqual(before);
    // The server is unharmed and serves the next request.
    expect((await server.gql(`{ product(id: "nope") { id } }`)).body).toEqual({ data: { product: null } });
  });

  it('a request past REQUEST_TIMEOUT_MS answers REQUEST_TIMEOUT and closes its image download', async () => {
    const before = withDeadline.services.embedder.stats;
    const atCdn = nextStalled();
    const started = Date.now();
    const res = await withDeadline.gql(QUERY, { image: { url: cdn.url('/stall.jpg') } });
    const answeredAt = Date.now();
    expect(res.body.errors?.map((e) => e.extensions?.code)).toEqual(['REQUEST_TIMEOUT']);
    expect(res.body.errors![0]!.message).toBe('The request took longer than the server allows');
    expect(answeredAt - started).toBeGreaterThanOrEqual(650);
    expect(answeredAt - started).toBeLessThan(FETCH_TIMEOUT_MS / 4);
    expect((await (await atCdn).closed) - answeredAt).toBeLessThan(1000);
    expect(withDeadline.services.embedder.stats).toEqual(before);
  });
});
