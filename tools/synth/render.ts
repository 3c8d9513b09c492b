/**
 * Rendering of catalog items with sharp: SVG -> raster, seeded noise overlay, JPEG.
 * Deterministic: the noise tiles come from the same seeded PRNG family as the catalog.
 */
import sharp from 'sharp';
import { mulberry32 } from '../../src/common/random';
import { CatalogItem, IMAGE_SIZE, pick, between } from './catalog';

export type VariantKind = 'reencode' | 'resize' | 'crop' | 'watermark';
export const VARIANT_KINDS: VariantKind[] = ['reencode', 'resize', 'crop', 'watermark'];

export interface VariantRecord {
  id: string;
  sourceId: string;
  kind: VariantKind;
  image: string;
}

// Keep libvips single-threaded per image; we parallelise across images instead.
sharp.concurrency(1);
sharp.cache(false);

/** 8 RGBA noise tiles with increasing opacity, derived from the seed. */
export function makeNoiseTiles(seed: number, count = 8, size = IMAGE_SIZE): Buffer[] {
  const rng = mulberry32((seed ^ 0x9e3779b9) >>> 0);
  const tiles: Buffer[] = [];
  for (let t = 0; t < count; t++) {
    const alpha = Math.round(8 + (t * 22) / (count - 1)); // 8..30 of 255
    const buf = Buffer.alloc(size * size * 4);
    for (let p = 0; p < size * size; p++) {
      const v = Math.floor(rng() * 256);
      buf[p * 4] = v;
      buf[p * 4 + 1] = v;
      buf[p * 4 + 2] = v;
      buf[p * 4 + 3] = alpha;
    }
    tiles.push(buf);
  }
  return tiles;
}

export async function renderProduct(item: CatalogItem, tiles: Buffer[]): Promise<Buffer> {
  const size = IMAGE_SIZE;
  return sharp(Buffer.from(item.svg))
    .composite([{ input: tiles[item.spec.noiseTile % tiles.length], raw: { width: size, height: size, channels: 4 } }])
    .flatten({ background: '#ffffff' })
    .jpeg({ quality: item.spec.quality, chromaSubsampling: '4:4:4' })
    .toBuffer();
}

/** Near-duplicate variants of a rendered product image. */
export async function renderVariants(
  item: CatalogItem,
  source: Buffer,
  seed: number,
): Promise<{ record: VariantRecord; data: Buffer }[]> {
  // Per-product PRNG so variants do not depend on rendering order.
  const rng = mulberry32((seed * 31 + Number(item.record.id.slice(2)) * 7919 + 17) >>> 0);
  const size = IMAGE_SIZE;
  const out: { record: VariantRecord; data: Buffer }[] = [];
  for (const kind of VARIANT_KINDS) {
    let data: Buffer;
    switch (kind) {
      case 'reencode':
        data = await sharp(source).jpeg({ quality: Math.round(between(rng, 45, 70)) }).toBuffer();
        break;
      case 'resize': {
        const w = pick(rng, [160, 192, 320, 384]);
        data = await sharp(source).resize(w, w, { kernel: 'lanczos3' }).jpeg({ quality: 85 }).toBuffer();
        break;
      }
      case 'crop': {
        const l = Math.round(between(rng, 4, 20));
        const t = Math.round(between(rng, 4, 20));
        const w = size - l - Math.round(between(rng, 4, 20));
        const h = size - t - Math.round(between(rng, 4, 20));
        data = await sharp(source).extract({ left: l, top: t, width: w, height: h }).jpeg({ quality: 88 }).toBuffer();
        break;
      }
      case 'watermark': {
        const label = pick(rng, ['SAMPLE', 'SALE', 'NEW', 'PREVIEW']);
        const x = Math.round(between(rng, 8, 120));
        const y = Math.round(between(rng, 30, 240));
        const svg =
          `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}">` +
          `<rect x="${size - 46}" y="8" width="38" height="18" rx="4" fill="#ffffff" fill-opacity="0.6"/>` +
          `<text x="${x}" y="${y}" font-family="sans-serif" font-size="22" font-weight="bold" fill="#ffffff" fill-opacity="0.55" stroke="#000000" stroke-opacity="0.25">${label}</text>` +
          `</svg>`;
        data = await sharp(source).composite([{ input: Buffer.from(svg) }]).jpeg({ quality: 88 }).toBuffer();
        break;
      }
    }
    const id = `${item.record.id}-${kind}`;
    out.push({ record: { id, sourceId: item.record.id, kind, image: `variants/${id}.jpg` }, data });
  }
  return out;
}

/** Run async jobs with bounded concurrency, preserving result order. */
export async function mapPool<T, R>(xs: T[], limit: number, fn: (x: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(xs.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < xs.length) {
      const i = next++;
      out[i] = await fn(xs[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, xs.length) }, worker));
  return out;
}
