import sharp from 'sharp';
import type { ProductRecord } from '../../tools/synth/catalog';
import { feedChunks, type FeedKind, type FeedUrls } from '../../tools/synth/feeds';
import { syntheticCatalog, type FixtureProduct } from './catalog';
import { FeedFixtureServer, type FeedFixtureOptions } from './feed-fixture-server';

/**
 * A merchant's shop for feed-import tests: `n` products of the synthetic catalog, each image served on loopback at
 * /images/<id>.jpg (change `served` to put other bytes behind a URL), two further images per product at
 * /images/<id>-alt<k>.jpg, and feeds of the catalog in any format. Close it with `cdn.close()`.
 */
export interface FeedShop {
  catalog: FixtureProduct[];
  records: ProductRecord[];
  served: Map<string, Buffer>;
  /**
   * The further images, by `<id>-<k>`, when the shop was opened with `distinctAltImages`: other shots of the product
   * (mirrored, turned), so each is its own picture and vector. Otherwise empty, and they carry the main image's bytes.
   */
  alts: Map<string, Buffer>;
  cdn: FeedFixtureServer;
  urls: FeedUrls;
  /** Registers a feed of `only` (every record by default) in `kind`'s format and answers its URL. */
  feed(kind: FeedKind, only?: readonly ProductRecord[]): string;
}

export async function openFeedShop(
  seed: number,
  n: number,
  options: Omit<FeedFixtureOptions, 'images' | 'altImages'> & { distinctAltImages?: boolean } = {},
): Promise<FeedShop> {
  const { distinctAltImages, ...fixture } = options;
  const catalog = await syntheticCatalog(seed, n);
  const records = catalog.map((p) => p.record);
  const served = new Map(catalog.map((p) => [p.record.id, p.jpeg]));
  const alts = new Map<string, Buffer>();
  if (distinctAltImages) {
    for (const p of catalog) {
      alts.set(`${p.record.id}-1`, await sharp(p.jpeg).flop().jpeg().toBuffer());
      alts.set(`${p.record.id}-2`, await sharp(p.jpeg).rotate(90).jpeg().toBuffer());
    }
  }
  const cdn = await new FeedFixtureServer({
    ...fixture,
    images: (id) => served.get(id),
    altImages: (id, k) => (distinctAltImages ? alts.get(`${id}-${k}`) : served.get(id)),
  }).start();
  const urls: FeedUrls = {
    image: (r) => cdn.url(`/images/${r.id}.jpg`),
    altImage: (r, k) => cdn.url(`/images/${r.id}-alt${k}.jpg`),
    page: (r) => cdn.url(`/products/${r.id}`),
  };
  const feed = (kind: FeedKind, only: readonly ProductRecord[] = records) => cdn.feed(`${kind}-${only.length}`, () => feedChunks(kind, only, urls));
  return { catalog, records, served, alts, cdn, urls, feed };
}
