/**
 * A merchant's shop over loopback, for feed imports: it serves feeds and product images the way a CDN does (strong
 * ETag, Last-Modified, 304 to a matching conditional request) and misbehaves on request, by path prefix:
 *
 *   /images/<id>.jpg      the image                      /slow/<id>.jpg        headers only after `slowMs`
 *   /images/<id>-alt<k>.jpg  further image k of the product (`altImages`; without it, the main image's bytes)
 *   /flaky/<id>.jpg       503 for the first `flakyFailures` requests of each path, then the image
 *   /reset/<id>.jpg       declares the full length, sends half, drops the connection (every time)
 *   /cut/<id>.jpg         a truncated JPEG, honestly labelled (half the bytes, matching Content-Length)
 *   /to-private/<id>.jpg  302 to http://10.0.0.1/ (a forbidden address)
 *   /missing/<id>.jpg     404
 *   /feeds/<name>         a registered feed, streamed chunk by chunk with backpressure
 *
 * It counts what it sent, so tests and benches can say how many bytes a run downloaded.
 */
import { createHash } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export type ImageLookup = (id: string) => Buffer | undefined | Promise<Buffer | undefined>;
export type FeedBody = string | (() => Iterable<string>);

export interface FeedFixtureOptions {
  images: ImageLookup;
  /** Further image k of a product (paths ending -alt<k>.jpg); absent: the same bytes as its main image. */
  altImages?: (id: string, k: number) => Buffer | undefined | Promise<Buffer | undefined>;
  slowMs?: number;
  flakyFailures?: number;
  /** Extra latency before every image answer (a remote CDN), in ms. */
  latencyMs?: number;
}

export interface ServedStats {
  requests: number;
  /** Image requests by answer status. */
  byStatus: Record<number, number>;
  /** Image body bytes sent. */
  imageBytes: number;
  /** Every request path, in order (bounded to the last 100k). */
  paths: string[];
}

export const LAST_MODIFIED = 'Wed, 01 Jan 2025 00:00:00 GMT';

export class FeedFixtureServer {
  readonly stats: ServedStats = { requests: 0, byStatus: {}, imageBytes: 0, paths: [] };
  private readonly feeds = new Map<string, FeedBody>();
  private readonly flakyCount = new Map<string, number>();
  private server!: http.Server;
  private active = 0;
  private idleWaiters: (() => void)[] = [];
  origin = '';

  constructor(private readonly o: FeedFixtureOptions) {}

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      this.active++;
      void this.handle(req, res)
        .catch(() => res.destroy())
        .finally(() => {
          if (--this.active === 0) this.idleWaiters.splice(0).forEach((w) => w());
        });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  url(path: string): string {
    return `${this.origin}${path}`;
  }

  feed(name: string, body: FeedBody): string {
    this.feeds.set(name, body);
    return this.url(`/feeds/${name}`);
  }

  /** Resolves once no request is being answered (e.g. those of a client that was just killed). */
  idle(): Promise<void> {
    return this.active === 0 ? Promise.resolve() : new Promise((r) => this.idleWaiters.push(r));
  }

  resetStats(): void {
    Object.assign(this.stats, { requests: 0, byStatus: {}, imageBytes: 0, paths: [] });
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    this.stats.requests++;
    if (this.stats.paths.length < 100_000) this.stats.paths.push(path);
    const feed = /^\/feeds\/(.+)$/.exec(path);
    if (feed) return this.serveFeed(feed[1]!, res);
    const m = /^\/([a-z-]+)\/([A-Za-z0-9._-]+?)(?:-alt(\d*))?\.jpg$/.exec(path);
    if (!m) return this.answer(res, 404);
    const [, kind, id, alt] = m as unknown as [string, string, string, string | undefined];
    if (this.o.latencyMs) await sleep(this.o.latencyMs);
    switch (kind) {
      case 'missing':
        return this.answer(res, 404);
      case 'to-private':
        this.count(302);
        res.writeHead(302, { location: `http://10.0.0.1/${id}.jpg` }).end();
        return;
      case 'slow':
        await sleep(this.o.slowMs ?? 5000);
        break;
      case 'flaky': {
        const seen = this.flakyCount.get(path) ?? 0;
        this.flakyCount.set(path, seen + 1);
        if (seen < (this.o.flakyFailures ?? 2)) return this.answer(res, 503);
        break;
      }
    }
    const bytes = alt !== undefined && this.o.altImages ? await this.o.altImages(id, Number(alt || 1)) : await this.o.images(id);
    if (!bytes) return this.answer(res, 404);
    const etag = `"${createHash('sha256').update(bytes).digest('hex').slice(0, 20)}"`;
    const validators = { etag, 'last-modified': LAST_MODIFIED, 'cache-control': 'max-age=86400' };
    const inm = req.headers['if-none-match'];
    if (inm !== undefined ? inm.split(',').map((t) => t.trim()).includes(etag) : req.headers['if-modified-since'] === LAST_MODIFIED) {
      this.count(304);
      res.writeHead(304, validators).end();
      return;
    }
    if (kind === 'reset') {
      this.count(200);
      res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': bytes.length, ...validators });
      res.write(bytes.subarray(0, bytes.length >> 1), () => res.destroy());
      this.stats.imageBytes += bytes.length >> 1;
      return;
    }
    const body = kind === 'cut' ? bytes.subarray(0, bytes.length >> 1) : bytes;
    this.count(200);
    this.stats.imageBytes += body.length;
    res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': body.length, ...validators }).end(body);
  }

  private serveFeed(name: string, res: http.ServerResponse): void {
    const body = this.feeds.get(name);
    if (body === undefined) return this.answer(res, 404);
    // Written chunk by chunk with backpressure, as a file server does: the response ends when the reader has it.
    const chunks = typeof body === 'string' ? slices(body, 64 * 1024) : body()[Symbol.iterator]();
    res.writeHead(200, {
      'content-type': 'text/plain; charset=utf-8',
      ...(typeof body === 'string' ? { 'content-length': Buffer.byteLength(body) } : {}),
    });
    const pump = (): void => {
      for (;;) {
        const next = chunks.next();
        if (next.done) return void res.end();
        if (!res.write(next.value)) return void res.once('drain', pump);
      }
    };
    res.on('error', () => undefined);
    pump();
  }

  private answer(res: http.ServerResponse, status: number): void {
    this.count(status);
    res.writeHead(status, { 'content-type': 'text/plain' }).end(String(status));
  }

  private count(status: number): void {
    this.stats.byStatus[status] = (this.stats.byStatus[status] ?? 0) + 1;
  }
}

function* slices(text: string, size: number): Generator<string> {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
