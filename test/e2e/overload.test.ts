import sharp from 'sharp';
import { startTestServer, type TestServer } from '../support/server';

/**
 * Load shedding over real HTTP: one decode worker and no waiting line, so while one large upload decodes every other
 * image request is refused at once with 503 + Retry-After and a coded GraphQL error, never queued.
 */
describe('image decode admission over HTTP', () => {
  let server: TestServer;
  let photo: string;

  beforeAll(async () => {
    server = await startTestServer({ IMAGE_WORKERS: '1', IMAGE_QUEUE_MAX: '0' });
    const noise = { type: 'gaussian' as const, mean: 128, sigma: 40 };
    // ~12 MP: a few hundred ms of decode + resize, long enough for the other requests to find the worker busy.
    photo = (await sharp({ create: { width: 4000, height: 3000, channels: 3, background: '#888', noise } }).jpeg({ quality: 80 }).toBuffer()).toString('base64');
  });
  afterAll(() => server?.stop());

  const post = (query: string, variables: Record<string, unknown>) =>
    fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });

  it('answers 503 + Retry-After with a coded OVERLOADED error when the line is full, and serves what it admitted', async () => {
    const q = `query($img: ImageInput!) { searchByImage(image: $img, first: 3) { __typename } }`;
    const responses = await Promise.all(Array.from({ length: 6 }, () => post(q, { img: { base64: photo } })));
    const bodies = await Promise.all(responses.map((r) => r.json() as Promise<any>));
    const shed = responses.map((r, i) => ({ status: r.status, retryAfter: r.headers.get('retry-after'), body: bodies[i] })).filter((r) => r.status !== 200);
    const served = bodies.filter((_, i) => responses[i]!.status === 200);

    expect(served.length).toBeGreaterThanOrEqual(1);
    expect(shed.length).toBeGreaterThanOrEqual(1);
    for (const s of served) expect(s).toEqual({ data: { searchByImage: { __typename: 'ProductHits' } } });
    for (const s of shed) {
      expect(s).toEqual({
        status: 503,
        retryAfter: '1',
        body: {
          data: null,
          errors: [{ message: 'The server is busy; retry shortly', path: ['searchByImage'], extensions: { code: 'OVERLOADED' } }],
        },
      });
    }
    expect(server.services.embedder.stats.decode).toMatchObject({ running: 0, waiting: 0, held: 0, refused: shed.length });
  });
});
