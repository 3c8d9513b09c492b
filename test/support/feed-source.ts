import { Readable } from 'node:stream';
import type { FeedSource } from '../../src/feeds/feed-source';
import type { FeedRow } from '../../src/feeds/feed-record';

/** A feed held in memory, delivered in small chunks so readers meet records split across chunks. */
export function memorySource(text: string, name = 'feed', chunkSize = 7): FeedSource {
  const bytes = Buffer.from(text);
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunkSize) chunks.push(bytes.subarray(i, i + chunkSize));
  return {
    name,
    stream: Readable.from(
      (function* () {
        for (const c of chunks) yield c;
      })(),
      { objectMode: false },
    ),
    size: bytes.length,
    head: text.slice(0, 8192),
  };
}

export async function collect(rows: AsyncIterable<FeedRow>): Promise<FeedRow[]> {
  const out: FeedRow[] = [];
  for await (const r of rows) out.push(r);
  return out;
}
