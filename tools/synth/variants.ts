/**
 * Harder near-duplicates and product variants of a catalog item, for the crop evaluation and the relation
 * calibration (DUPLICATE / VARIANT / SIMILAR). Deterministic per (seed, product id), independent of order.
 *
 * In this synthetic world a product is its category silhouette, colour, pattern and brand; a photo of it adds pose
 * (rotation, scale, position), background and sensor noise. So:
 * - DUPLICATE: the same photo, re-encoded, resized, lightly cropped or watermarked (render.ts `renderVariants`).
 * - VARIANT: the same product in another colour (`recolor`) or pattern (`repattern`), shot the same way, or the same
 *   product in another shot (`reshot`: a few degrees of rotation, ~10 % scale, a small shift, another background
 *   and noise).
 * - SIMILAR: every other product.
 */
import sharp from 'sharp';
import {
  backgroundColor,
  between,
  COLOR_NAMES,
  fillColors,
  IMAGE_SIZE,
  PATTERNS,
  pick,
  productSvg,
  type CatalogItem,
  type RenderSpec,
} from './catalog';
import { mulberry32, type Rng } from '../../src/common/random';
import { renderProduct } from './render';

/** Crops harder than render.ts's light `crop`: what a user's screenshot or a re-framed photo looks like. */
export type HardCropKind = 'crop-resized' | 'crop-offframe' | 'shift';
export const HARD_CROP_KINDS: HardCropKind[] = ['crop-resized', 'crop-offframe', 'shift'];

export type ProductVariantKind = 'recolor' | 'repattern' | 'reshot';
export const PRODUCT_VARIANT_KINDS: ProductVariantKind[] = ['recolor', 'repattern', 'reshot'];

const r2 = (x: number): number => Math.round(x * 100) / 100;

function itemRng(seed: number, item: CatalogItem, salt: number): Rng {
  return mulberry32((seed * 7919 + Number(item.record.id.slice(2)) * 104729 + salt) >>> 0);
}

/**
 * - `crop-resized`: a random-resized crop (45-75 % of the area, aspect 3:4..4:3) scaled back to the full size.
 * - `crop-offframe`: a 55-75 % wide, 75-100 % high window whose edge cuts through the object (its centre sits at
 *   20-35 % from one side), so part of the object is out of frame; the crop is not square.
 * - `shift`: the whole photo moved by 18-30 % of its size so the object runs off one or two edges, the uncovered
 *   side filled with the background colour.
 */
export async function renderHardCrops(item: CatalogItem, source: Buffer, seed: number): Promise<{ kind: HardCropKind; data: Buffer }[]> {
  const rng = itemRng(seed, item, 0x51);
  const size = IMAGE_SIZE;
  const out: { kind: HardCropKind; data: Buffer }[] = [];
  for (const kind of HARD_CROP_KINDS) {
    let data: Buffer;
    switch (kind) {
      case 'crop-resized': {
        const area = between(rng, 0.45, 0.75);
        const ratio = Math.exp(between(rng, Math.log(3 / 4), Math.log(4 / 3)));
        const w = Math.min(size, Math.round(size * Math.sqrt(area * ratio)));
        const h = Math.min(size, Math.round(size * Math.sqrt(area / ratio)));
        const left = Math.floor(rng() * (size - w + 1));
        const top = Math.floor(rng() * (size - h + 1));
        data = await sharp(source).extract({ left, top, width: w, height: h }).resize(size, size, { kernel: 'lanczos3' }).jpeg({ quality: 85 }).toBuffer();
        break;
      }
      case 'crop-offframe': {
        const w = Math.round(size * between(rng, 0.55, 0.75));
        const h = Math.round(size * between(rng, 0.75, 1.0));
        const cx = size / 2 + item.spec.dx;
        const cy = size / 2 + item.spec.dy;
        const at = between(rng, 0.2, 0.35);
        const left = clamp(Math.round(cx - (rng() < 0.5 ? at : 1 - at) * w), 0, size - w);
        const top = clamp(Math.round(cy - between(rng, 0.35, 0.65) * h), 0, size - h);
        data = await sharp(source).extract({ left, top, width: w, height: h }).jpeg({ quality: 88 }).toBuffer();
        break;
      }
      case 'shift': {
        const mag = (): number => Math.round(size * between(rng, 0.18, 0.3)) * (rng() < 0.5 ? -1 : 1);
        const both = rng() < 0.5;
        const horizontal = rng() < 0.5;
        const dx = both || horizontal ? mag() : 0;
        const dy = both || !horizontal ? mag() : 0;
        const background = item.spec.background;
        const moved = await sharp(source)
          .extract({ left: Math.max(0, -dx), top: Math.max(0, -dy), width: size - Math.abs(dx), height: size - Math.abs(dy) })
          .toBuffer();
        data = await sharp({ create: { width: size, height: size, channels: 3, background } })
          .composite([{ input: moved, left: Math.max(0, dx), top: Math.max(0, dy) }])
          .jpeg({ quality: 88 })
          .toBuffer();
        break;
      }
    }
    out.push({ kind, data });
  }
  return out;
}

/** The same product in another colour, another pattern, or another shot (see the header for the definition). */
export function productVariantItems(item: CatalogItem, seed: number): { kind: ProductVariantKind; item: CatalogItem }[] {
  const rng = itemRng(seed, item, 0xa7);
  const { record, spec } = item;
  const make = (kind: ProductVariantKind, changes: Partial<CatalogItem['record']>, s: RenderSpec): { kind: ProductVariantKind; item: CatalogItem } => {
    const id = `${record.id}-${kind}`;
    const r = { ...record, ...changes, id, image: `variants/${id}.jpg` };
    return { kind, item: { record: r, spec: s, svg: productSvg(r, s) } };
  };
  const color = pick(rng, COLOR_NAMES.filter((c) => c !== record.color));
  const recolor = make('recolor', { color }, { ...spec, ...fillColors(rng, color) });
  const pattern = pick(rng, PATTERNS.filter((p) => p !== record.pattern));
  const repattern = make('repattern', { pattern }, { ...spec });
  const sign = (): number => (rng() < 0.5 ? -1 : 1);
  const reshot = make('reshot', {}, {
    ...spec,
    rotation: r2(spec.rotation + sign() * between(rng, 4, 10)),
    scale: r2(Math.min(1.05, Math.max(0.68, spec.scale * between(rng, 0.88, 1.12)))),
    dx: r2(spec.dx + sign() * between(rng, 6, 14)),
    dy: r2(spec.dy + sign() * between(rng, 6, 14)),
    background: backgroundColor(rng),
    noiseTile: (spec.noiseTile + 1 + Math.floor(rng() * 7)) % 8,
  });
  return [recolor, repattern, reshot];
}

export async function renderProductVariants(item: CatalogItem, tiles: Buffer[], seed: number): Promise<{ kind: ProductVariantKind; data: Buffer }[]> {
  return Promise.all(productVariantItems(item, seed).map(async (v) => ({ kind: v.kind, data: await renderProduct(v.item, tiles) })));
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, x));
}
