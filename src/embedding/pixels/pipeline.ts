import { decodeImageToRgb } from './decode.adapter';
import { pilResizeAsync } from './pil-resize';
import { toPixelValues } from './pixel-values';
import type { ImagePreprocessing } from './preprocessor-config';
import type { RgbImage } from './rgb-image';

/**
 * Bytes to the vision tower's input, in SiglipImageProcessor's order (the transformers.js `preprocess` spirit):
 *
 *   rgb (decode, EXIF orientation, first frame, alpha over white) -> resize (Pillow-exact)
 *     -> rescale -> normalise -> channel order (HWC -> CHW) -> one [n, 3, h, w] float32 batch
 *
 * The first two stages run per request as soon as its bytes arrive; the rest runs per batch, just before the model.
 * The parity fixtures (test/integration/parity.test.ts) pin the result against the Python reference.
 */

export interface PixelOptions {
  /** Refuse images with more pixels than this before decoding (decompression bombs). */
  readonly maxInputPixels: number;
  /** Stops the work between stages (and inside the resize) once the request is gone. */
  readonly signal?: AbortSignal;
}

export interface PixelBatch {
  readonly data: Float32Array;
  readonly dims: readonly [batch: number, channels: 3, height: number, width: number];
}

/** rgb -> resize: the model-sized RGB image for one upload. Bad bytes reject with ImageInputError. */
export async function toModelRgb(bytes: Buffer, p: ImagePreprocessing, o: PixelOptions): Promise<RgbImage> {
  o.signal?.throwIfAborted();
  const rgb = await decodeImageToRgb(bytes, { maxInputPixels: o.maxInputPixels });
  o.signal?.throwIfAborted();
  return pilResizeAsync(rgb, p.width, p.height, p.resample, undefined, o.signal);
}

/** rescale -> normalise -> channel order, for model-sized images, into one batch tensor. */
export function toPixelBatch(images: readonly RgbImage[], p: ImagePreprocessing): PixelBatch {
  const plane = 3 * p.width * p.height;
  const data = new Float32Array(images.length * plane);
  images.forEach((img, i) => toPixelValues(img, p, data, i * plane));
  return { data, dims: [images.length, 3, p.height, p.width] };
}

/** The whole pipeline for one image: what the vision tower sees for these bytes. */
export async function preprocess(bytes: Buffer, p: ImagePreprocessing, o: PixelOptions): Promise<PixelBatch> {
  return toPixelBatch([await toModelRgb(bytes, p, o)], p);
}
