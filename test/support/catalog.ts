import { generateCatalog, type ProductRecord } from '../../tools/synth/catalog';
import type { Services } from '../../src/app';
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

/** The quick start's sample catalog: scripts/start.sh runs `synth --seed 7 --n 300` (a test guards the numbers). */
export const QUICK_START = { seed: 7, n: 300 } as const;

type CatalogServices = Pick<Services, 'ingest' | 'index'>;
type ServiceInput = Parameters<Services['ingest']['ingest']>[0][number];

/**
 * Loads a catalog the way scripts/load-catalog.ts does (the service's shape, images inline, storefront URLs under
 * /samples/, batches of 32), then refreshes so searches see every product. Throws if any product fails.
 */
export async function loadCatalog(services: CatalogServices, products: readonly FixtureProduct[]): Promise<void> {
  for (let i = 0; i < products.length; i += 32) {
    const batch = products.slice(i, i + 32).map(({ record: { image, pattern: _p, ...r }, jpeg }): ServiceInput => ({
      ...r,
      image: { base64: jpeg.toString('base64') },
      imageUrl: `/samples/${image}`,
    }));
    const failed = (await services.ingest.ingest(batch)).filter((o) => !o.ok).length;
    if (failed > 0) throw new Error(`${failed} products of batch ${i / 32} failed to load`);
  }
  await services.index.refresh();
}
