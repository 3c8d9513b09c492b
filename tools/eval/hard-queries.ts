/**
 * Crop robustness through the real pipeline: every indexed product's near-duplicates (render.ts: re-encode, resize,
 * light crop, watermark) and harder crops (variants.ts: random-resized crop, object partly out of frame, shifted)
 * are used as searchByImage queries; a query scores when its source product is the top hit.
 */
import type { Services } from '../../src/app';
import type { CatalogItem } from '../synth/catalog';
import { mapPool, renderVariants, VARIANT_KINDS, type VariantKind } from '../synth/render';
import { HARD_CROP_KINDS, renderHardCrops, type HardCropKind } from '../synth/variants';

export type CropKind = VariantKind | HardCropKind;
export const CROP_KINDS: CropKind[] = [...VARIANT_KINDS, ...HARD_CROP_KINDS];

/** Per kind measured, share of queries whose top hit is the source; `queries` per kind. */
export type CropTop1 = Partial<Record<CropKind, number>> & { queries: number };

export async function cropTop1(services: Services, items: CatalogItem[], jpegs: Buffer[], seed: number, kinds: CropKind[] = CROP_KINDS): Promise<CropTop1> {
  const wins = new Map<CropKind, number>(kinds.map((k) => [k, 0]));
  await mapPool(items, 4, async (item, i) => {
    const copies = [
      ...(await renderVariants(item, jpegs[i], seed)).map((v) => ({ kind: v.record.kind as CropKind, data: v.data })),
      ...(await renderHardCrops(item, jpegs[i], seed)),
    ].filter((c) => wins.has(c.kind));
    for (const c of copies) {
      const {
        hits: [top],
      } = await services.search.searchByImage({ base64: c.data.toString('base64') }, { first: 1 });
      if (top?.product.id === item.record.id) wins.set(c.kind, wins.get(c.kind)! + 1);
    }
  });
  const out = { queries: items.length } as CropTop1;
  for (const k of kinds) out[k] = wins.get(k)! / items.length;
  return out;
}
