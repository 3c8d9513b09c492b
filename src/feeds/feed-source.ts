/**
 * Opens a feed given on the command line (a path, or an http(s) URL the operator chose) as a byte stream, counting
 * the bytes read so progress can be told against the size. The first few KB are peeked for format detection and
 * put back in front, so nothing is read twice and nothing is held.
 */
import { createReadStream, promises as fs } from 'node:fs';
import { Readable } from 'node:stream';

export interface FeedSource {
  /** As given: a path or URL. */
  readonly name: string;
  readonly stream: Readable;
  /** Total bytes when known (file size, Content-Length). */
  readonly size?: number;
  /** The first bytes, for format detection. */
  readonly head: string;
  /** The feed's URL, which relative image URLs in it resolve against. */
  readonly baseUrl?: string;
}

const PEEK_BYTES = 8192;

/** The feed itself could not be read to its end (a dropped connection, a disk error). */
export class FeedReadError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FeedReadError';
  }
}

export async function openFeedSource(location: string, signal?: AbortSignal): Promise<FeedSource> {
  let raw: Readable;
  let size: number | undefined;
  let baseUrl: string | undefined;
  if (/^https?:\/\//i.test(location)) {
    const res = await fetch(location, { signal });
    if (!res.ok || res.body === null) throw new FeedReadError(`feed ${location} answered HTTP ${res.status}`);
    raw = Readable.fromWeb(res.body as never);
    const length = Number(res.headers.get('content-length'));
    size = Number.isFinite(length) && length > 0 && !res.headers.get('content-encoding') ? length : undefined;
    baseUrl = res.url || location;
  } else {
    try {
      size = (await fs.stat(location)).size;
    } catch (e) {
      throw new FeedReadError(`cannot read the feed ${location}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    raw = createReadStream(location);
  }

  let read = 0;
  const it = raw[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const peeked: Buffer[] = [];
  let peekedBytes = 0;
  while (peekedBytes < PEEK_BYTES) {
    const next = await it.next();
    if (next.done) break;
    peeked.push(next.value);
    peekedBytes += next.value.length;
  }
  async function* all(): AsyncGenerator<Buffer> {
    for (const b of peeked.splice(0)) {
      read += b.length;
      yield b;
    }
    for (;;) {
      let next: IteratorResult<Buffer>;
      try {
        next = await it.next();
      } catch (e) {
        throw new FeedReadError(`reading ${location} stopped after ${read} bytes: ${(e as Error).message}`, { cause: e });
      }
      if (next.done) return;
      read += next.value.length;
      yield next.value;
    }
  }
  const head = Buffer.concat(peeked).subarray(0, PEEK_BYTES).toString('utf8');
  return { name: location, stream: Readable.from(all(), { objectMode: false }), size, head, baseUrl };
}
