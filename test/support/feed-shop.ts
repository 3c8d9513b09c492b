import type { ProductRecord } from '../../tools/synth/catalog';
import { feedChunks, type FeedKind, type FeedUrls } from '../../tools/synth/feeds';
import { syntheticCatalog, type FixtureProduct } from './catalog';
import { FeedFixtureServer, type FeedFixtureOptions } from './feed-fixture-server';

/**
 * A merchant's shop for feed-import tests: `n` products of the synthetic catalog, each image served on loopback at
 * /images/<id>.jpg (change `served` to put other bytes behind a URL), and feeds of the catalog in any format.
 * Close it with `cdn.close()`.
 */
export interface FeedShop {
  catalog: FixtureProduct[];
  records: ProductRecord[];
  served: Map<string, Buffer>;
  cdn: FeedFixtureServer;
  urls: FeedUrls;
  /** Registers a feed of `only` (every record by default) in `kind`'s format and answers its URL. */
  feed(kind: FeedKind, only?: readonly ProductRecord[]): string;
}

export async function openFeedShop(seed: number, n: number, options: Omit<FeedFixtureOptions, 'images'> = {}): Promise<FeedShop> {
  const catalog = await syntheticCatalog(seed, n);
  const records = catalog.map((p) => p.record);
  const served = new Map(catalog.map((p) => [p.record.id, p.jpeg]));
  const cdn = await new FeedFixtureServer({ ...options, images: (id) => served.get(id) }).start();
  const urls: FeedUrls = {
    image: (r) => cdn.url(`/images/${r.id}.jpg`),
    altImage: (r) => cdn.url(`/images/${r.id}-alt.jpg`),
    page: (r) => cdn.url(`/products/${r.id}`),
  };
  const feed = (kind: FeedKind, only: readonly ProductRecord[] = records) => cdn.feed(`${kind}-${only.length}`, () => feedChunks(kind, only, urls));
  return { catalog, records, served, cdn, urls, feed };
}
