import type { ResampleFilter } from './rgb-image';

/** The SiglipImageProcessor settings (preprocessor_config.json) the pixel pipeline follows. */

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
