import * as http from 'node:http';
import { sha256Hex } from '../../src/server/auth';
import { syntheticCatalog } from '../support/catalog';
import { dropAlias } from '../support/es';
import { startFixtureServer, type FixtureServer } from '../support/fixture-server';
import { spawnServer, type ServerProcess } from '../support/server-process';

/**
 * The server process as an on-call engineer meets it: one JSON log line per request carrying its request id (also on
 * the lines service code logs meanwhile), no credentials or image bytes in any line, and a shutdown that first turns
 * /readyz to 503 while still serving, so load balancers stop routing before the listener closes.
 */
const WRITE_KEY = 'e2e-write-key-5b7c9d1e3f';
const ES_API_KEY = 'c2VjcmV0LWVzLWtleS1vcHM=';
const SEARCH = `query ByImage($image: ImageInput!) { searchByImage(image: $image, first: 3) { __typename } }`;

interface LogLine {
  level: string;
  msg: string;
  reqId?: string;
  [k: string]: unknown;
}

describe('the server process: logs and shutdown readiness', () => {
  let server: ServerProcess;
  let cdn: FixtureServer;
  let photo: Buffer;
  const alias = `test-ops-${process.pid}`;
  const stalled: http.ServerResponse[] = [];

  const lines = (): LogLine[] =>
    server
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as LogLine);

  async function until<T>(find: () => T | undefined, what: string): Promise<T> {
    for (let i = 0; i < 200; i++) {
      const found = find();
      if (found !== undefined) return found;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`timed out waiting for ${what}:\n${server.output()}`);
  }

  beforeAll(async () => {
    photo = (await syntheticCatalog(11, 1))[0].jpeg;
    cdn = await startFixtureServer({ '/stalls.jpg': (_req, res) => void stalled.push(res) });
    server = await spawnServer({
      ES_INDEX_ALIAS: alias,
      ES_API_KEY,
      API_KEY_SHA256: sha256Hex(WRITE_KEY),
      LOG_LEVEL: 'info',
      IMAGE_FETCH_ALLOW_PRIVATE: '127.0.0.1/32',
      SHUTDOWN_UNREADY_DELAY_MS: '1500',
    });
  });
  afterAll(async () => {
    for (const res of stalled) res.destroy();
    if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
    await server.exited;
    await dropAlias(alias);
    await cdn?.close();
  });

  it('logs one summary line per request under the id it echoes, with neither the key nor the image bytes', async () => {
    const base64 = photo.toString('base64');
    const res = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${WRITE_KEY}`, 'x-request-id': 'e2e-req-1' },
      body: JSON.stringify({ query: SEARCH, operationName: 'ByImage', variables: { image: { base64 } } }),
    });
    expect(res.headers.get('x-request-id')).toBe('e2e-req-1');
    expect(await res.json()).toEqual({ data: { searchByImage: { __typename: 'ProductHits' } } });

    const summary = await until(() => lines().find((l) => l.reqId === 'e2e-req-1' && l.msg === 'request'), 'the summary line');
    expect(summary).toMatchObject({
      level: 'info',
      method: 'POST',
      path: '/graphql',
      status: 200,
      operationName: 'ByImage',
      operations: ['searchByImage'],
      results: ['ProductHits'],
      client: `key:${sha256Hex(WRITE_KEY).slice(0, 16)}`,
    });
    expect(summary.durationMs).toEqual(expect.any(Number));
    expect(typeof summary.time).toBe('string');

    const out = server.output();
    expect(out).not.toContain(WRITE_KEY);
    expect(out).not.toContain(ES_API_KEY);
    for (let at = 0; at + 32 <= base64.length; at += Math.floor(base64.length / 10)) expect(out).not.toContain(base64.slice(at, at + 32));
  });

  it('replaces an unusable x-request-id with its own, and stamps service log lines with it too', async () => {
    const aborted = new AbortController();
    const before = stalled.length;
    const search = fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'not a token' },
      body: JSON.stringify({ query: SEARCH, variables: { image: { url: cdn.url('/stalls.jpg') } } }),
      signal: aborted.signal,
    }).catch(() => 'aborted');
    await until(() => (stalled.length > before ? true : undefined), 'the image fetch');
    aborted.abort();
    expect(await search).toBe('aborted');

    // The client left: the fetch is cancelled, the resolver's fault is logged, then the summary with status 499.
    const summary = await until(() => lines().find((l) => l.msg === 'request' && l.status === 499), 'the 499 summary');
    expect(summary.reqId).toMatch(/^[0-9a-f-]{36}$/);
    const fault = lines().find((l) => l.msg === 'request fault' && l.code === 'REQUEST_CANCELLED');
    expect(fault?.reqId).toBe(summary.reqId);
    expect(summary).toMatchObject({ operations: ['searchByImage'], results: ['REQUEST_CANCELLED'] });
  });

  it('answers /readyz 503 from SIGTERM while still serving, then closes the listener and exits 0', async () => {
    const ready = () => fetch(`${server.origin}/readyz`).then(async (r) => ({ status: r.status, body: await r.json() }));
    expect((await ready()).status).toBe(200);
    const t0 = Date.now();
    server.child.kill('SIGTERM');
    let first = await ready();
    while (first.status === 200 && Date.now() - t0 < 1000) first = await ready();
    expect(first).toEqual({ status: 503, body: { status: 'not ready', checks: expect.objectContaining({ shutdown: 'draining' }) } });
    // Still served on new connections during the delay.
    const res = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', connection: 'close' },
      body: JSON.stringify({ query: '{ product(id: "x") { id } }' }),
    });
    expect(res.status).toBe(200);
    expect(Date.now() - t0).toBeLessThan(1500);
    expect(await server.exited).toEqual({ code: 0, signal: null });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1500);
  });
});
