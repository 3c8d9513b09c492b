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

/**
 * HWC uint8 (already resized to the model's input size) -> CHW float32, written into `out` at `offset` so a batch
 * tensor is filled without copies.
 */
export function toPixelValues(img: RgbImage, p: ImagePreprocessing, out?: Float32Array, offset = 0): Float32Array {
  if (img.width !== p.width || img.height !== p.height) {
    throw new RangeError(`toPixelValues: image is ${img.width}x${img.height}, model expects ${p.width}x${p.height}`);
  }
  const plane = p.width * p.height;
  const dst = out ?? new Float32Array(3 * plane);
  if (dst.length < offset + 3 * plane) throw new RangeError('toPixelValues: output buffer too small');
  for (let c = 0; c < 3; c++) {
    const lut = channelLut(p, c);
    const base = offset + c * plane;
    for (let i = 0; i < plane; i++) dst[base + i] = lut[img.data[i * 3 + c]!]!;
  }
  return dst;
}
