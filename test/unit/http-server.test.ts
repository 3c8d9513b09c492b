import 'reflect-metadata';
import { ApolloServer } from '@apollo/server';
import { promises as fs } from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import type { SearchMode } from '../../src/catalog/product';
import { AppError } from '../../src/common/errors';
import type { CatalogMapService } from '../../src/explore/catalog-map.service';
import type { IngestService } from '../../src/ingest/ingest.service';
import { buildAppSchema } from '../../src/resolvers';
import { createLoaders, type RequestContext } from '../../src/resolvers/context';
import type { DuplicatesService } from '../../src/duplicates/duplicates.service';
import type { Page, SearchService } from '../../src/search/search.service';
import { complexityLimitPlugin } from '../../src/server/complexity.plugin';
import { createHttpServer, listen, UnauthenticatedError, type HttpServerOptions } from '../../src/server/http-server';
import { maskError } from '../../src/server/mask-error';

/**
 * The HTTP layer in process: a real node:http server on an ephemeral loopback port, a real Apollo server over the real
 * schema, and a fake search service that can be held open to watch the request's signal. Routes, probes, the body cap,
 * malformed JSON, methods, authentication failures, the sample-image route and the per-request signal.
 */

const MAX_BODY = 300;
const TIMEOUT_MS = 150;

/** searchByText answers at once, or (for q = "wait") waits until the request's signal fires and rejects with its reason. */
class HeldSearch {
  readonly signals: AbortSignal[] = [];
  async searchByText(q: string, _mode: SearchMode, _page: Page, signal?: AbortSignal) {
    this.signals.push(signal!);
    if (q !== 'wait') return { hits: [], pageInfo: { hasNextPage: false }, exhaustive: true, unknownIds: [], facets: [] };
    return new Promise<never>((_, reject) => signal!.addEventListener('abort', () => reject(signal!.reason), { once: true }));
  }
}

interface Started {
  url: string;
  search: HeldSearch;
  readiness: { ok: boolean; checks: Record<string, string> };
  auth: { mode: 'ok' | 'unauthenticated' | 'broken' };
  close(): Promise<void>;
}

async function start(o: Partial<HttpServerOptions> = {}): Promise<Started> {
  const search = new HeldSearch();
  const services = {
    search: search as unknown as SearchService,
    ingest: {} as IngestService,
    maps: {} as CatalogMapService,
    duplicates: {} as DuplicatesService,
    qa: {} as never,
    models: {} as never,
    merchandising: {} as never,
  };
  const schema = await buildAppSchema({ services });
  const apollo = new ApolloServer<RequestContext>({
    schema,
    plugins: [complexityLimitPlugin(schema, 5000)],
    csrfPrevention: true,
    allowBatchedHttpRequests: false,
    includeStacktraceInErrorResponses: false,
    formatError: maskError,
  });
  await apollo.start();
  const readiness = { ok: true, checks: { elasticsearch: 'green', model: 'm' } };
  const auth: Started['auth'] = { mode: 'ok' };
  const server = createHttpServer({
    apollo,
    maxBodyBytes: MAX_BODY,
    requestTimeoutMs: TIMEOUT_MS,
    ready: async () => readiness,
    context: async (_req, signal) => {
      if (auth.mode === 'unauthenticated') throw new UnauthenticatedError('An API key is required');
      if (auth.mode === 'broken') throw new Error('context exploded at /srv/app.ts:12');
      return { loaders: createLoaders({ getMany: async () => new Map() }), auth: { canWrite: false }, signal };
    },
    ...o,
  });
  const address = await listen(server, '127.0.0.1', 0);
  return {
    url: `http://127.0.0.1:${address.port}`,
    search,
    readiness,
    auth,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await apollo.stop();
    },
  };
}

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** A raw HTTP request: no default headers, and a body sent in `chunks` (chunked encoding when no content-length). */
function request(url: string, o: { method?: string; headers?: Record<string, string>; chunks?: (string | Buffer)[] } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: o.method ?? 'GET', headers: o.headers ?? {} }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(parts) }));
    });
    req.on('error', reject);
    for (const c of o.chunks ?? []) req.write(c);
    req.end();
  });
}

const json = (r: Reply) => JSON.parse(r.body.toString('utf8')) as unknown;
const JSON_TYPE = 'application/json; charset=utf-8';
const post = (url: string, body: string, contentType = 'application/json') =>
  request(url, { method: 'POST', headers: { 'content-type': contentType, 'content-length': String(Buffer.byteLength(body)) }, chunks: [body] });

describe('http-server', () => {
  let s: Started;
  beforeAll(async () => {
    s = await start();
  });
  afterAll(async () => s?.close());

  it('answers the liveness probe', async () => {
    const r = await request(`${s.url}/healthz`);
    expect([r.status, r.headers['content-type'], json(r)]).toEqual([200, JSON_TYPE, { status: 'ok' }]);
  });

  it('keeps idle connections longer than a load balancer does, and says so to clients (Keep-Alive: timeout=65)', async () => {
    const r = await request(`${s.url}/healthz`);
    expect([r.headers.connection, r.headers['keep-alive']]).toEqual(['keep-alive', 'timeout=65']);
  });

  it('answers the readiness probe from the checks, 503 when not ready', async () => {
    const ready = await request(`${s.url}/readyz`);
    expect([ready.status, json(ready)]).toEqual([200, { status: 'ready', checks: { elasticsearch: 'green', model: 'm' } }]);
    s.readiness.ok = false;
    s.readiness.checks = { elasticsearch: 'unreachable', model: 'm' };
    try {
      const notReady = await request(`${s.url}/readyz`);
      expect([notReady.status, json(notReady)]).toEqual([503, { status: 'not ready', checks: { elasticsearch: 'unreachable', model: 'm' } }]);
    } finally {
      s.readiness.ok = true;
      s.readiness.checks = { elasticsearch: 'green', model: 'm' };
    }
  });

  it('redirects GET / to /graphql and answers 404 elsewhere', async () => {
    const root = await request(`${s.url}/`);
    expect([root.status, root.headers.location]).toEqual([302, '/graphql']);
    for (const [method, route] of [['GET', '/nope'], ['POST', '/'], ['GET', '/graphql/x'], ['GET', '/samples/a.png']] as const) {
      const r = await request(`${s.url}${route}`, { method });
      expect([method, route, r.status, r.headers['content-type'], json(r)]).toEqual([method, route, 404, JSON_TYPE, { error: 'Not found' }]);
    }
  });

  it('refuses other methods with 405 and an Allow header', async () => {
    for (const method of ['PUT', 'DELETE', 'PATCH']) {
      const r = await request(`${s.url}/graphql`, { method });
      expect([r.status, r.headers.allow, json(r)]).toEqual([405, 'GET, POST', { errors: [{ message: 'Use GET or POST' }] }]);
    }
  });

  it('serves GraphQL over POST (JSON and graphql-response+json) and over GET with a preflight header', async () => {
    const query = JSON.stringify({ query: '{ searchByText(q: "mug") { hits { score } } }' });
    for (const type of ['application/json', 'application/graphql-response+json', 'Application/JSON; charset=utf-8']) {
      const r = await post(`${s.url}/graphql`, query, type);
      expect([type, r.status, json(r)]).toEqual([type, 200, { data: { searchByText: { hits: [] } } }]);
    }
    const get = await request(`${s.url}/graphql?query=${encodeURIComponent('{ __typename }')}`, { headers: { 'apollo-require-preflight': 'true' } });
    expect([get.status, json(get)]).toEqual([200, { data: { __typename: 'Query' } }]);
  });

  it('leaves non-JSON bodies to Apollo, whose CSRF prevention refuses them', async () => {
    const r = await post(`${s.url}/graphql`, '{"query":"{ __typename }"}', 'text/plain');
    expect(r.status).toBe(400);
    expect(r.body.toString()).toMatch(/CSRF/);
  });

  it('answers malformed JSON with 400 BAD_REQUEST', async () => {
    const r = await post(`${s.url}/graphql`, '{"query": ');
    expect([r.status, r.headers['content-type'], json(r)]).toEqual([
      400,
      JSON_TYPE,
      { errors: [{ message: 'Malformed JSON body', extensions: { code: 'BAD_REQUEST' } }] },
    ]);
  });

  it('caps the body: at the cap it is read, one byte past it is 413, declared or streamed', async () => {
    const body = (n: number) => {
      const base = JSON.stringify({ query: '{ __typename }', pad: '' });
      return JSON.stringify({ query: '{ __typename }', pad: 'x'.repeat(n - base.length) });
    };
    expect(Buffer.byteLength(body(MAX_BODY))).toBe(MAX_BODY);
    const atCap = await post(`${s.url}/graphql`, body(MAX_BODY));
    expect([atCap.status, json(atCap)]).toEqual([200, { data: { __typename: 'Query' } }]);
    const tooLarge = { errors: [{ message: `Request body over ${MAX_BODY} bytes` }] };
    const declared = await post(`${s.url}/graphql`, body(MAX_BODY + 1));
    expect([declared.status, json(declared)]).toEqual([413, tooLarge]);
    // No content-length: the cap applies while reading the chunks.
    const streamedAtCap = await request(`${s.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      chunks: [body(MAX_BODY).slice(0, 100), body(MAX_BODY).slice(100)],
    });
    expect(streamedAtCap.status).toBe(200);
    const streamed = await request(`${s.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      chunks: [body(MAX_BODY + 1).slice(0, 100), body(MAX_BODY + 1).slice(100)],
    });
    expect([streamed.status, json(streamed)]).toEqual([413, tooLarge]);
  });

  it('answers 401 when the context demands a key, and a bare 500 when the context fails otherwise', async () => {
    const query = JSON.stringify({ query: '{ __typename }' });
    s.auth.mode = 'unauthenticated';
    try {
      const r = await post(`${s.url}/graphql`, query);
      expect([r.status, json(r)]).toEqual([401, { errors: [{ message: 'An API key is required', extensions: { code: 'UNAUTHENTICATED' } }] }]);
      s.auth.mode = 'broken';
      const broken = await post(`${s.url}/graphql`, query);
      expect([broken.status, json(broken)]).toEqual([500, { errors: [{ message: 'Internal server error' }] }]);
    } finally {
      s.auth.mode = 'ok';
    }
  });

  it('fires the request signal at the deadline, and never for a request that finished', async () => {
    const started = Date.now();
    const r = await post(`${s.url}/graphql`, JSON.stringify({ query: '{ searchByText(q: "wait") { hits { score } } }' }));
    expect(Date.now() - started).toBeGreaterThanOrEqual(TIMEOUT_MS - 5);
    expect([r.status, json(r)]).toEqual([
      200,
      {
        data: null,
        errors: [{ message: 'The request took longer than the server allows', path: ['searchByText'], extensions: { code: 'REQUEST_TIMEOUT' } }],
      },
    ]);
    const timedOut = s.search.signals.at(-1)!;
    expect(timedOut.reason).toEqual(new AppError('REQUEST_TIMEOUT', `Request did not finish within ${TIMEOUT_MS} ms`));

    await post(`${s.url}/graphql`, JSON.stringify({ query: '{ searchByText(q: "quick") { hits { score } } }' }));
    const finished = s.search.signals.at(-1)!;
    await new Promise((resolve) => setTimeout(resolve, TIMEOUT_MS + 50));
    expect(finished.aborted).toBe(false);
  });

  it('fires the request signal with REQUEST_CANCELLED when the client goes away', async () => {
    const before = s.search.signals.length;
    const body = JSON.stringify({ query: '{ searchByText(q: "wait") { hits { score } } }' });
    const req = http.request(`${s.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': String(body.length) },
    });
    req.on('error', () => undefined);
    req.end(body);
    while (s.search.signals.length === before) await new Promise((resolve) => setTimeout(resolve, 5));
    const signal = s.search.signals.at(-1)!;
    expect(signal.aborted).toBe(false);
    req.destroy();
    await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
    expect(signal.reason).toEqual(new AppError('REQUEST_CANCELLED', 'The client closed the connection'));
  });
});

describe('http-server sample images', () => {
  let s: Started;
  let root: string;
  const png = Buffer.from('89504e470d0a1a0a0000', 'hex');
  const jpeg = Buffer.from('ffd8ffe000104a464946', 'hex');
  const webp = Buffer.from('52494646000000005745', 'hex');

  beforeAll(async () => {
    const base = await fs.mkdtemp(path.join(os.tmpdir(), 'samples-'));
    root = path.join(base, 'catalog');
    await fs.mkdir(path.join(root, 'img'), { recursive: true });
    await fs.writeFile(path.join(root, 'img', 'a.png'), png);
    await fs.writeFile(path.join(root, 'img', 'b.JPG'), jpeg);
    await fs.writeFile(path.join(root, 'img', 'c.jpeg'), jpeg);
    await fs.writeFile(path.join(root, 'img', 'd.webp'), webp);
    await fs.writeFile(path.join(root, 'notes.txt'), 'not an image');
    await fs.writeFile(path.join(base, 'secret.png'), png);
    await fs.writeFile(path.join(base, 'catalog-evil.png'), png);
    s = await start({ sampleCatalogDir: root });
  });
  afterAll(async () => {
    await s?.close();
    await fs.rm(path.dirname(root), { recursive: true, force: true });
  });

  it('serves images under the catalog folder with their content type and a cache header', async () => {
    for (const [file, type, bytes] of [
      ['img/a.png', 'image/png', png],
      ['img/b.JPG', 'image/jpeg', jpeg],
      ['img/c.jpeg', 'image/jpeg', jpeg],
      ['img/d.webp', 'image/webp', webp],
    ] as const) {
      const r = await request(`${s.url}/samples/${file}`);
      expect([file, r.status, r.headers['content-type'], r.headers['cache-control']]).toEqual([file, 200, type, 'public, max-age=3600']);
      expect(r.body.equals(bytes)).toBe(true);
    }
  });

  it('serves nothing outside the folder, no other file types, and 404 for missing files', async () => {
    for (const route of [
      '/samples/notes.txt',
      '/samples/img/missing.png',
      '/samples/..%2Fsecret.png',
      '/samples/%2E%2E%2Fcatalog-evil.png',
      '/samples/img/..%2F..%2Fsecret.png',
      '/samples/',
    ]) {
      const r = await request(`${s.url}${route}`);
      expect([route, r.status, json(r)]).toEqual([route, 404, { error: 'Not found' }]);
    }
  });
});
