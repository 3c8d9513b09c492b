/**
 * ImageFetcher against real loopback servers. The fixture is reachable only because each fetcher lists
 * 127.0.0.1/32 in allowedPrivateHosts; the guard itself is never switched off. A process-wide loopback guard
 * refuses (and records) any connect that would leave the machine.
 */
import http from 'node:http';
import net from 'node:net';

import { AppError, ImageInputError } from '../../src/common/errors';
import { ImageFetcher, ImageFetcherOptions } from '../../src/sources/image-fetch.adapter';
import { installLoopbackGuard, LoopbackGuard } from './helpers/loopback-guard';

// 1x1 transparent PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);
const MAX_BYTES = 64 * 1024;
const ALLOW_FIXTURE = ['127.0.0.1/32'];

let guard: LoopbackGuard;
let fixture: http.Server;
let base: string;
let port: number;
let fixtureConnections = 0;
let fixtureRequests: string[] = [];

/** Servers on other loopback addresses that must never see a connection: they prove refusals happen pre-connect. */
interface Sentinel {
  server: net.Server;
  port: number;
  connections: number;
}
let sentinel4: Sentinel; // 127.0.0.2 — loopback, but not allowlisted
let sentinel6: Sentinel; // ::1
let fixture6: http.Server; // same routes on ::1, for starting a chain somewhere other than 127.0.0.1
let port6: number;
let rawServer: net.Server; // speaks hand-written HTTP for framing lies
let rawPort: number;

const fetchers: ImageFetcher[] = [];
function fetcher(overrides: Partial<ImageFetcherOptions> = {}): ImageFetcher {
  const f = new ImageFetcher({
    timeoutMs: 2000,
    maxBytes: MAX_BYTES,
    maxRedirects: 3,
    allowedPrivateHosts: ALLOW_FIXTURE,
    ...overrides,
  });
  fetchers.push(f);
  return f;
}

async function failure(p: Promise<unknown>): Promise<ImageInputError> {
  const err = await p.then(
    () => {
      throw new Error('expected the fetch to fail');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ImageInputError);
  return err as ImageInputError;
}

function route(req: http.IncomingMessage, res: http.ServerResponse): void {
  const url = new URL(req.url ?? '/', base);
  fixtureRequests.push(url.pathname);
  const hop = /^\/hop\/(\d+)$/.exec(url.pathname);
  if (hop) {
    const n = Number(hop[1]);
    const delay = Number(url.searchParams.get('delay') ?? 0);
    // Alternate relative and absolute Locations so both resolutions are exercised.
    const next = n <= 1 ? '/img.png' : n % 2 === 0 ? `../hop/${n - 1}` : `${base}/hop/${n - 1}`;
    const q = delay ? `?delay=${delay}` : '';
    setTimeout(() => res.writeHead(302, { location: n <= 1 ? next : next + q }).end(), delay);
    return;
  }
  switch (url.pathname) {
    case '/img.png':
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': PNG.length }).end(PNG);
      return;
    case '/etag.png': {
      // A CDN with validators: a matching If-None-Match (or, without one, If-Modified-Since) gets a bodiless 304.
      const validators = { etag: '"png-1"', 'last-modified': 'Wed, 01 Jan 2025 00:00:00 GMT' };
      const inm = req.headers['if-none-match'];
      const ims = req.headers['if-modified-since'];
      if (inm !== undefined ? inm === validators.etag : ims === validators['last-modified']) {
        res.writeHead(304, validators).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': PNG.length, ...validators }).end(PNG);
      return;
    }
    case '/to-etag':
      res.writeHead(302, { location: '/etag.png' }).end();
      return;
    case '/status':
      res.writeHead(Number(url.searchParams.get('code'))).end('status');
      return;
    case '/png-as-octet-stream':
      res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(PNG);
      return;
    case '/to':
      res.writeHead(302, { location: url.searchParams.get('u') ?? '/' }).end();
      return;
    case '/html-as-png':
      res.writeHead(200, { 'content-type': 'image/png' }).end('<!doctype html><html><body>hi</body></html>');
      return;
    case '/svg':
      res
        .writeHead(200, { 'content-type': 'image/svg+xml' })
        .end('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>');
      return;
    case '/empty':
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': 0 }).end();
      return;
    case '/trickle': {
      // Slow loris: valid headers, then one byte every 20 ms forever.
      res.writeHead(200, { 'content-type': 'image/png' });
      res.write(PNG.subarray(0, 8));
      const t = setInterval(() => res.write(Buffer.from([0])), 20);
      res.on('close', () => clearInterval(t));
      return;
    }
    case '/no-headers':
      return; // accepts the request and never answers
    case '/big-chunked': {
      // No Content-Length: chunked, and far more than the cap.
      res.writeHead(200, { 'content-type': 'image/png' });
      res.write(PNG.subarray(0, 8));
      const chunk = Buffer.alloc(16 * 1024, 0x41);
      let sent = 0;
      const pump = (): void => {
        while (sent < 64 && !res.destroyed) {
          sent++;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
      return;
    }
    case '/declares-huge':
      // Declares more than the cap and then stalls: only an early Content-Length check avoids the timeout.
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': MAX_BYTES * 100 });
      res.write(PNG.subarray(0, 8));
      return;
    default:
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  }
}

async function listen(server: net.Server, host: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  return (server.address() as net.AddressInfo).port;
}

async function startSentinel(host: string): Promise<Sentinel> {
  const s: Sentinel = { server: net.createServer(), port: 0, connections: 0 };
  s.server.on('connection', (sock) => {
    s.connections++;
    sock.destroy();
  });
  s.port = await listen(s.server, host);
  return s;
}

beforeAll(async () => {
  guard = installLoopbackGuard();
  fixture = http.createServer(route);
  fixture.on('connection', () => fixtureConnections++);
  port = await listen(fixture, '127.0.0.1');
  base = `http://127.0.0.1:${port}`;
  fixture6 = http.createServer(route);
  port6 = await listen(fixture6, '::1');
  sentinel4 = await startSentinel('127.0.0.2');
  sentinel6 = await startSentinel('::1');
  rawServer = net.createServer((sock) => {
    sock.once('data', () => {
      // Content-Length says 100 but we send 4x the cap: framing must stop at 100.
      sock.write('HTTP/1.1 200 OK\r\ncontent-type: image/png\r\ncontent-length: 100\r\nconnection: close\r\n\r\n');
      sock.write(PNG.subarray(0, 8));
      sock.end(Buffer.alloc(MAX_BYTES * 4, 0x42));
    });
    sock.on('error', () => undefined);
  });
  rawPort = await listen(rawServer, '127.0.0.1');
});

beforeEach(() => {
  fixtureConnections = 0;
  fixtureRequests = [];
  guard.attempts.length = 0;
});

afterEach(async () => {
  await Promise.all(fetchers.splice(0).map((f) => f.close()));
});

afterAll(async () => {
  fixture.closeAllConnections();
  await new Promise((r) => fixture.close(r));
  fixture6.closeAllConnections();
  for (const s of [fixture6, sentinel4.server, sentinel6.server, rawServer]) await new Promise((r) => s.close(r));
  guard.restore();
});

describe('ImageFetcher happy paths', () => {
  it('downloads a PNG from the allowlisted fixture', async () => {
    const got = await fetcher().fetch(`${base}/img.png`);
    expect(got.bytes.equals(PNG)).toBe(true);
    expect(got.contentType).toBe('image/png');
    expect(got.finalUrl).toBe(`${base}/img.png`);
    expect(guard.attempts).toEqual(['127.0.0.1']);
  });

  it('takes the type from the bytes, not the Content-Type header', async () => {
    const got = await fetcher().fetch(`${base}/png-as-octet-stream`);
    expect(got.contentType).toBe('image/png');
  });

  it('follows a redirect chain of exactly maxRedirects hops, relative and absolute Locations', async () => {
    const got = await fetcher({ maxRedirects: 3 }).fetch(`${base}/hop/3`);
    expect(got.bytes.equals(PNG)).toBe(true);
    expect(got.finalUrl).toBe(`${base}/img.png`);
    expect(fixtureRequests).toEqual(['/hop/3', '/hop/2', '/hop/1', '/img.png']);
  });
});

describe('ImageFetcher refusals', () => {
  it('refuses the fixture when it is not allowlisted (the guard is really on), before connecting', async () => {
    const err = await failure(fetcher({ allowedPrivateHosts: [] }).fetch(`${base}/img.png`));
    expect(err.code).toBe('IMAGE_URL_FORBIDDEN');
    expect(fixtureConnections).toBe(0);
    expect(guard.attempts).toEqual([]);
  });

  it('refuses a hostname that resolves to loopback, at lookup time, without connecting', async () => {
    const err = await failure(fetcher({ allowedPrivateHosts: [] }).fetch(`http://localhost:${port}/img.png`));
    expect(err.code).toBe('IMAGE_URL_FORBIDDEN');
    expect(err.message).not.toMatch(/127\.0\.0\.1|::1/);
    expect(fixtureConnections).toBe(0);
  });

  it.each([
    ['file:///etc/passwd', 'file:///etc/passwd'],
    ['gopher://127.0.0.1:6379/_INFO', 'gopher://127.0.0.1:6379/_INFO'],
    ['data:', 'data:image/png;base64,iVBORw0KGgo='],
    ['ftp://127.0.0.1/a.png', 'ftp://127.0.0.1/a.png'],
    ['userinfo', 'http://user:pass@127.0.0.1/img.png'],
    ['metadata 169.254.169.254', 'http://169.254.169.254/latest/meta-data/'],
    ['metadata as decimal 2852039166', 'http://2852039166/latest/meta-data/'],
    ['hex loopback 0x7f000002', 'http://0x7f000002/'],
    ['[::1]', 'http://[::1]/'],
    ['[::ffff:169.254.169.254]', 'http://[::ffff:169.254.169.254]/'],
    ['a 2100-character URL', 'http://' + 'a'.repeat(2100) + '.com/'],
  ])('refuses %s before any connect', async (_, url) => {
    const err = await failure(fetcher().fetch(url));
    expect(err.code).toBe('IMAGE_URL_FORBIDDEN');
    expect(guard.attempts).toEqual([]);
  });

  it('counts redirects: one hop over the limit fails without fetching the extra hop', async () => {
    const err = await failure(fetcher({ maxRedirects: 3 }).fetch(`${base}/hop/4`));
    expect(err.code).toBe('IMAGE_FETCH_FAILED');
    expect(err.message).toMatch(/more than 3/);
    expect(fixtureRequests).toEqual(['/hop/4', '/hop/3', '/hop/2', '/hop/1']);
  });

  it('maxRedirects 0 refuses any redirect', async () => {
    const err = await failure(fetcher({ maxRedirects: 0 }).fetch(`${base}/hop/1`));
    expect(err.code).toBe('IMAGE_FETCH_FAILED');
  });

  const forbiddenTargets: Array<[string, () => string, () => number]> = [
    ['127.0.0.2 (loopback, not allowlisted)', () => `http://127.0.0.2:${sentinel4.port}/x.png`, () => sentinel4.connections],
    ['[::1]', () => `http://[::1]:${sentinel6.port}/x.png`, () => sentinel6.connections],
    ['[::ffff:127.0.0.2] (mapped)', () => `http://[::ffff:127.0.0.2]:${sentinel4.port}/x.png`, () => sentinel4.connections],
    ['hex 0x7f000002', () => `http://0x7f000002:${sentinel4.port}/x.png`, () => sentinel4.connections],
    ['169.254.169.254 (metadata)', () => 'http://169.254.169.254/latest/meta-data/', () => 0],
    ['10.0.0.1 (private)', () => 'http://10.0.0.1/x.png', () => 0],
    ['file:', () => 'file:///etc/passwd', () => 0],
    ['userinfo', () => `http://evil@127.0.0.1:${port}/img.png`, () => 0],
  ];
  it.each(forbiddenTargets)('refuses a redirect from the fixture to %s, before connecting', async (_, target, hits) => {
    const err = await failure(fetcher().fetch(`${base}/to?u=${encodeURIComponent(target())}`));
    expect(err.code).toBe('IMAGE_URL_FORBIDDEN');
    expect(err.message).toMatch(/redirected/);
    expect(err.message).not.toMatch(/127\.0\.0\.2|169\.254|10\.0\.0\.1|::1/);
    expect(hits()).toBe(0);
    expect(guard.attempts).toEqual(['127.0.0.1']); // only the fixture was ever dialled
    expect(fixtureRequests).toEqual(['/to']);
  });

  it('judges a redirect hop to a hostname by its resolved address (lookup guard), before connecting', async () => {
    // Start on the IPv6 fixture, allowlisted alone; localhost resolves to 127.0.0.1, which is not allowlisted here.
    const f = fetcher({ allowedPrivateHosts: ['::1/128'] });
    const target = `http://localhost:${port}/img.png`;
    const err = await failure(f.fetch(`http://[::1]:${port6}/to?u=${encodeURIComponent(target)}`));
    expect(err.code).toBe('IMAGE_URL_FORBIDDEN');
    expect(err.message).not.toMatch(/127\.0\.0\.1/);
    expect(fixtureConnections).toBe(0); // the 127.0.0.1 fixture never saw a TCP connection
    expect(guard.attempts).toEqual(['::1', 'localhost']); // net got the name; the lookup refused its address
  });

  it('follows a redirect hop to a hostname whose resolved address is allowlisted', async () => {
    const f = fetcher({ allowedPrivateHosts: ['::1/128', '127.0.0.1/32'] });
    const target = `http://localhost:${port}/img.png`;
    const got = await f.fetch(`http://[::1]:${port6}/to?u=${encodeURIComponent(target)}`);
    expect(got.bytes.equals(PNG)).toBe(true);
    expect(got.finalUrl).toBe(target);
  });
});

describe('ImageFetcher caps', () => {
  it('a slow-loris body hits the total deadline', async () => {
    const started = Date.now();
    const err = await failure(fetcher({ timeoutMs: 300 }).fetch(`${base}/trickle`));
    expect(err.code).toBe('IMAGE_FETCH_FAILED');
    expect(err.message).toMatch(/300 ms/);
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('a server that never sends headers hits the total deadline', async () => {
    const started = Date.now();
    const err = await failure(fetcher({ timeoutMs: 300 }).fetch(`${base}/no-headers`));
    expect(err.code).toBe('IMAGE_FETCH_FAILED');
    expect(err.message).toMatch(/300 ms/);
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('the deadline covers all redirect hops together, not each hop', async () => {
    // 4 hops x 120 ms: each hop is well inside 300 ms, the chain is not.
    const started = Date.now();
    const err = await failure(fetcher({ timeoutMs: 300, maxRedirects: 5 }).fetch(`${base}/hop/4?delay=120`));
    expect(err.code).toBe('IMAGE_FETCH_FAILED');
    expect(err.message).toMatch(/300 ms/);
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('a chunked body over the cap is cut off while streaming', async () => {
    const err = await failure(fetcher().fetch(`${base}/big-chunked`));
    expect(err.code).toBe('IMAGE_TOO_LARGE');
  });

  it('a Content-Length over the cap is refused before reading the body', async () => {
    const started = Date.now();
    const err = await failure(fetcher({ timeoutMs: 1000 }).fetch(`${base}/declares-huge`));
    expect(err.code).toBe('IMAGE_TOO_LARGE'); // not the timeout: the body never arrives
    expect(Date.now() - started).toBeLessThan(900);
  });

  it('a lying Content-Length cannot push more than it declared into the result', async () => {
    const got = await fetcher({ allowedPrivateHosts: ALLOW_FIXTURE }).fetch(`http://127.0.0.1:${rawPort}/`);
    expect(got.bytes.length).toBe(100);
    expect(got.bytes.length).toBeLessThanOrEqual(MAX_BYTES);
  });

  it('a body of exactly maxBytes is accepted, one byte less cap is refused', async () => {
    await expect(fetcher({ maxBytes: PNG.length }).fetch(`${base}/img.png`)).resolves.toEqual({
      bytes: PNG,
      contentType: 'image/png',
      finalUrl: `${base}/img.png`,
      validators: { etag: undefined, lastModified: undefined },
    });
    const err = await failure(fetcher({ maxBytes: PNG.length - 1 }).fetch(`${base}/img.png`));
    expect(err.code).toBe('IMAGE_TOO_LARGE');
  });
});

describe('ImageFetcher content and status', () => {
  it.each([['/html-as-png'], ['/svg'], ['/empty']])('refuses %s as undecodable', async (path) => {
    const err = await failure(fetcher().fetch(`${base}${path}`));
    expect(err.code).toBe('IMAGE_UNDECODABLE');
  });

  it('maps 404 to IMAGE_FETCH_FAILED', async () => {
    const err = await failure(fetcher().fetch(`${base}/missing.png`));
    expect(err.code).toBe('IMAGE_FETCH_FAILED');
    expect(err.message).toMatch(/404/);
  });

  it('maps connection refused to IMAGE_FETCH_FAILED', async () => {
    const closed = net.createServer();
    const p = await listen(closed, '127.0.0.1');
    await new Promise((r) => closed.close(r));
    const err = await failure(fetcher().fetch(`http://127.0.0.1:${p}/img.png`));
    expect(err.code).toBe('IMAGE_FETCH_FAILED');
  });

  it("passes the caller's abort through as the caller's reason", async () => {
    const ac = new AbortController();
    const reason = new Error('client went away');
    setTimeout(() => ac.abort(reason), 50);
    await expect(fetcher({ timeoutMs: 2000 }).fetch(`${base}/trickle`, ac.signal)).rejects.toBe(reason);
  });
});

describe('ImageFetcher conditional requests', () => {
  const LAST_MODIFIED = 'Wed, 01 Jan 2025 00:00:00 GMT';

  it('returns the validators of a 200, and a 304 without a body when they are sent back', async () => {
    const f = fetcher();
    const first = await f.fetchIfModified(`${base}/etag.png`, undefined);
    expect(first).toEqual({
      modified: true,
      image: { bytes: PNG, contentType: 'image/png', finalUrl: `${base}/etag.png`, validators: { etag: '"png-1"', lastModified: LAST_MODIFIED } },
    });
    await expect(f.fetchIfModified(`${base}/etag.png`, { etag: '"png-1"' })).resolves.toEqual({ modified: false, finalUrl: `${base}/etag.png` });
    await expect(f.fetchIfModified(`${base}/etag.png`, { lastModified: LAST_MODIFIED })).resolves.toMatchObject({ modified: false });
    const changed = await f.fetchIfModified(`${base}/etag.png`, { etag: '"png-0"' });
    expect(changed.modified && changed.image.bytes.equals(PNG)).toBe(true);
  });

  it('carries the validators across redirect hops', async () => {
    await expect(fetcher().fetchIfModified(`${base}/to-etag`, { etag: '"png-1"' })).resolves.toEqual({
      modified: false,
      finalUrl: `${base}/etag.png`,
    });
    expect(fixtureRequests).toEqual(['/to-etag', '/etag.png']);
  });

  it('never sends validators from a plain fetch, and treats a 304 to one as a failure', async () => {
    const got = await fetcher().fetch(`${base}/etag.png`);
    expect(got.validators).toEqual({ etag: '"png-1"', lastModified: LAST_MODIFIED });
    const err = await failure(fetcher().fetch(`${base}/status?code=304`));
    expect(err.code).toBe('IMAGE_FETCH_FAILED');
  });
});

describe('ImageFetcher transient failures', () => {
  it.each([
    [500, true],
    [502, true],
    [503, true],
    [504, true],
    [408, true],
    [429, true],
    [404, false],
    [403, false],
    [410, false],
  ])('marks HTTP %i transient=%p', async (code, transient) => {
    const err = await failure(fetcher().fetch(`${base}/status?code=${code}`));
    expect([err.code, err.transient]).toEqual(['IMAGE_FETCH_FAILED', transient]);
  });

  it('marks a timeout and a refused connection transient, a forbidden address not', async () => {
    expect((await failure(fetcher({ timeoutMs: 200 }).fetch(`${base}/no-headers`))).transient).toBe(true);
    const closed = net.createServer();
    const p = await listen(closed, '127.0.0.1');
    await new Promise((r) => closed.close(r));
    expect((await failure(fetcher().fetch(`http://127.0.0.1:${p}/img.png`))).transient).toBe(true);
    const forbidden = await failure(fetcher().fetch(`${base}/to?u=${encodeURIComponent('http://10.0.0.1/x.png')}`));
    expect([forbidden.code, forbidden.transient]).toEqual(['IMAGE_URL_FORBIDDEN', false]);
  });
});

describe('ImageFetcher host allowlist', () => {
  it('fetches from a listed host and refuses any other, on the first hop and on redirects, before connecting', async () => {
    const f = fetcher({ allowedHosts: ['127.0.0.1'] });
    await expect(f.fetch(`${base}/img.png`)).resolves.toMatchObject({ contentType: 'image/png' });
    const other = await failure(fetcher({ allowedHosts: ['cdn.example.com', '*.shopifycdn.com'] }).fetch(`${base}/img.png`));
    expect([other.code, other.message]).toEqual(['IMAGE_URL_FORBIDDEN', 'Image URL refused: host is not on the allowed image hosts list']);
    guard.attempts.length = 0;
    fixtureRequests = [];
    const hop = await failure(f.fetch(`${base}/to?u=${encodeURIComponent(`http://localhost:${port}/img.png`)}`));
    expect(hop.message).toBe('Image URL redirected to a refused URL: host is not on the allowed image hosts list');
    expect(fixtureRequests).toEqual(['/to']);
    expect(guard.attempts).toEqual(['127.0.0.1']);
  });

  it('still applies the address rule to a listed host', async () => {
    const err = await failure(fetcher({ allowedHosts: ['localhost'], allowedPrivateHosts: [] }).fetch(`http://localhost:${port}/img.png`));
    expect(err.code).toBe('IMAGE_URL_FORBIDDEN');
    expect(fixtureConnections).toBe(0);
  });

  it('fails fast on a bad entry', () => {
    expect(() => new ImageFetcher({ timeoutMs: 1000, maxBytes: 1, maxRedirects: 0, allowedHosts: ['http://cdn/'] })).toThrow(
      /allowedHosts: "http:\/\/cdn\/"/,
    );
  });
});

describe('ImageFetcher config', () => {
  it('fails fast on a bad allowlist entry or bad limits', () => {
    expect(() => new ImageFetcher({ timeoutMs: 1000, maxBytes: 1, maxRedirects: 0, allowedPrivateHosts: ['nope'] })).toThrow(
      AppError,
    );
    expect(() => new ImageFetcher({ timeoutMs: 0, maxBytes: 1, maxRedirects: 0 })).toThrow(/timeoutMs/);
    expect(() => new ImageFetcher({ timeoutMs: 1000, maxBytes: 1, maxRedirects: -1 })).toThrow(/maxRedirects/);
  });
});

describe('loopback guard', () => {
  // Runs last: across the whole file, nothing ever tried to reach a non-loopback address.
  it('recorded no connect attempt outside loopback', () => {
    expect(guard.blocked).toEqual([]);
  });
});
