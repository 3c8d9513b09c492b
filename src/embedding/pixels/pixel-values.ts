import type { ImagePreprocessing } from './preprocessor-config';
import type { RgbImage } from './rgb-image';

/**
 * Pure pixel maths between the resize and the vision tower, as SiglipImageProcessor does it: rescale, normalise,
 * channel order (HWC uint8 -> CHW float32). The float32 rounding of every step mirrors HF's, so the values are exact.
 */

const f32 = Math.fround;

/** `x * rescale_factor`: HF rescales in float64, then casts to float32. */
export function rescale(value: number, factor: number | null): number {
  return factor === null ? value : f32(value * factor);
}

/** `(x - mean) / std` in float32, as HF normalises with float32 arrays. */
export function normalise(x: number, mean: number, std: number): number {
  return f32(f32(x - f32(mean)) / f32(std));
}

/** The float32 value each uint8 level of one channel becomes (a lookup table, exact by construction). */
function channelLut(p: ImagePreprocessing, channel: number): Float32Array {
  const lut = new Float32Array(256);
  for (let v = 0; v < 256; v++) {
    const x = rescale(v, p.rescaleFactor);
    lut[v] = p.mean && p.std ? normalise(x, p.mean[channel]!, p.std[channel]!) : x;
  }
  return lut;
}

/** One model's three tables, built once per preprocessing config (a worker converts thousands of images with one). */
const luts = new WeakMap<ImagePreprocessing, readonly [Float32Array, Float32Array, Float32Array]>();

function lutsFor(p: ImagePreprocessing): readonly [Float32Array, Float32Array, Float32Array] {
  let l = luts.get(p);
  if (!l) luts.set(p, (l = [channelLut(p, 0), channelLut(p, 1), channelLut(p, 2)]));
  return l;
}

/**
 * HWC uint8 (already resized to the model's input size) -> CHW float32, written into `out` at `offset` so a batch
 * tensor is filled without copies. One pass over the pixels, three table lookups each.
 */
export function toPixelValues(img: RgbImage, p: ImagePreprocessing, out?: Float32Array, offset = 0): Float32Array {
  if (img.width !== p.width || img.height !== p.height) {
    throw new RangeError(`toPixelValues: image is ${img.width}x${img.height}, model expects ${p.width}x${p.height}`);
  }
  const plane = p.width * p.height;
  const dst = out ?? new Float32Array(3 * plane);
  if (dst.length < offset + 3 * plane) throw new RangeError('toPixelValues: output buffer too small');
  const [r, g, b] = lutsFor(p);
  const data = img.data;
  for (let i = 0, j = 0, o = offset; i < plane; i++, j += 3, o++) {
    dst[o] = r[data[j]!]!;
    dst[o + plane] = g[data[j + 1]!]!;
    dst[o + 2 * plane] = b[data[j + 2]!]!;
  }
  return dst;
}
