import type { ResampleFilter, RgbImage } from '../images/rgb-image';

/**
 * Pure pixel maths between the decoder and the vision tower: HWC uint8 -> CHW float32, rescaled and
 * normalised exactly as SiglipImageProcessor does, so embeddings match the Python side.
 */

export interface ImagePreprocessing {
  readonly width: number;
  readonly height: number;
  readonly resample: ResampleFilter;
  readonly rescaleFactor: number | null;
  readonly mean: readonly [number, number, number] | null;
  readonly std: readonly [number, number, number] | null;
}

const PIL_RESAMPLE: Record<number, ResampleFilter> = { 0: 'nearest', 1: 'lanczos', 2: 'bilinear', 3: 'bicubic' };

function triple(v: unknown, name: string): [number, number, number] {
  const arr = typeof v === 'number' ? [v, v, v] : v;
  if (!Array.isArray(arr) || arr.length !== 3 || !arr.every((x) => typeof x === 'number' && Number.isFinite(x))) {
    throw new Error(`preprocessor_config.json: ${name} must be a number or 3 numbers`);
  }
  return [arr[0], arr[1], arr[2]];
}

/** Read the fields of a SiglipImageProcessor preprocessor_config.json we depend on; throw on anything unusable. */
export function parsePreprocessorConfig(raw: unknown): ImagePreprocessing {
  if (typeof raw !== 'object' || raw === null) throw new Error('preprocessor_config.json is not an object');
  const c = raw as Record<string, unknown>;
  const size = c['size'] as Record<string, unknown> | undefined;
  const width = size?.['width'];
  const height = size?.['height'];
  if (typeof width !== 'number' || typeof height !== 'number' || width < 1 || height < 1) {
    throw new Error('preprocessor_config.json: size.width and size.height must be positive numbers');
  }
  if (c['do_resize'] === false) throw new Error('preprocessor_config.json: do_resize=false is not supported');
  const resampleCode = c['resample'] ?? 3; // SiglipImageProcessor's default is bicubic.
  const resample = typeof resampleCode === 'number' ? PIL_RESAMPLE[resampleCode] : undefined;
  if (!resample) throw new Error(`preprocessor_config.json: unsupported resample ${String(resampleCode)}`);
  const doRescale = c['do_rescale'] !== false;
  const doNormalize = c['do_normalize'] !== false;
  const factor = c['rescale_factor'] ?? 1 / 255;
  if (doRescale && (typeof factor !== 'number' || !Number.isFinite(factor))) {
    throw new Error('preprocessor_config.json: rescale_factor must be a number');
  }
  const std = doNormalize ? triple(c['image_std'] ?? 0.5, 'image_std') : null;
  if (std && std.some((s) => s === 0)) throw new Error('preprocessor_config.json: image_std must not be 0');
  return {
    width,
    height,
    resample,
    rescaleFactor: doRescale ? (factor as number) : null,
    mean: doNormalize ? triple(c['image_mean'] ?? 0.5, 'image_mean') : null,
    std,
  };
}

/**
 * HWC uint8 (already resized to the model's input size) -> CHW float32, written into `out` at `offset` so a
 * batch tensor can be filled without copies. Arithmetic mirrors HF's: (x * rescale - mean) / std, where HF
 * rescales in float64 then casts to float32, and normalises with float32 arrays.
 */
export function toPixelValues(img: RgbImage, p: ImagePreprocessing, out?: Float32Array, offset = 0): Float32Array {
  if (img.width !== p.width || img.height !== p.height) {
    throw new RangeError(`toPixelValues: image is ${img.width}x${img.height}, model expects ${p.width}x${p.height}`);
  }
  const plane = p.width * p.height;
  const dst = out ?? new Float32Array(3 * plane);
  if (dst.length < offset + 3 * plane) throw new RangeError('toPixelValues: output buffer too small');
  // Build a 256-entry lookup per channel: the values are exact float32 results of the same expression.
  const f32 = Math.fround;
  for (let c = 0; c < 3; c++) {
    const lut = new Float32Array(256);
    for (let v = 0; v < 256; v++) {
      let x = p.rescaleFactor === null ? v : f32(v * p.rescaleFactor);
      if (p.mean && p.std) x = f32(f32(x - f32(p.mean[c]!)) / f32(p.std[c]!));
      lut[v] = x;
    }
    const base = offset + c * plane;
    for (let i = 0; i < plane; i++) dst[base + i] = lut[img.data[i * 3 + c]!]!;
  }
  return dst;
}
