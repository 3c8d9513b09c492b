import { generateCatalog, type ProductRecord } from '../../tools/synth/catalog';
import { makeNoiseTiles, renderProduct, renderVariants, type VariantKind } from '../../tools/synth/render';

export interface FixtureProduct {
  record: ProductRecord;
  jpeg: Buffer;
}

/** A small synthetic catalog rendered in memory, from the same generator as the training data and the quick start. */
export async function syntheticCatalog(seed: number, n: number): Promise<FixtureProduct[]> {
  const tiles = makeNoiseTiles(seed);
  const items = generateCatalog(seed, n);
  return Promise.all(items.map(async (item) => ({ record: item.record, jpeg: await renderProduct(item, tiles) })));
}

/** A near-duplicate of one catalog image (re-encoded, resized, cropped or watermarked). */
export async function nearDuplicate(seed: number, n: number, index: number, kind: VariantKind): Promise<Buffer> {
  const items = generateCatalog(seed, n);
  const tiles = makeNoiseTiles(seed);
  const source = await renderProduct(items[index], tiles);
  const variants = await renderVariants(items[index], source, seed);
  return variants.find((v) => v.record.kind === kind)!.data;
}

/** The record as an ingest input, image given inline. */
export function toInput(p: FixtureProduct, extra: Record<string, unknown> = {}) {
  const { image: _path, pattern: _pattern, ...rest } = p.record;
  return {
    ...rest,
    attributes: Object.entries(p.record.attributes).map(([key, value]) => ({ key, value })),
    image: { base64: p.jpeg.toString('base64') },
    ...extra,
  };
}
