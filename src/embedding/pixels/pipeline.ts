import { decodeImageToRgb } from './decode.adapter';
import { pilResize } from './pil-resize';
import { toPixelValues } from './pixel-values';
import type { ImagePreprocessing } from './preprocessor-config';

/**
 * Bytes to the vision tower's input, in SiglipImageProcessor's order (the transformers.js `preprocess` spirit):
 *
 *   rgb (decode, EXIF orientation, first frame, alpha over white) -> resize (Pillow-exact)
 *     -> rescale -> normalise -> channel order (HWC -> CHW) -> one [n, 3, h, w] float32 batch
 *
 * Everything up to the channel order runs per image in a decode worker thread (decode-pool.ts), so a 20 MP photo
 * never blocks the event loop; only stacking the planes into the batch tensor runs on the main thread, per batch.
 * The parity fixtures (test/integration/parity.test.ts) pin the result against the Python reference.
 */

export interface PixelOptions {
  /** Refuse images with more pixels than this before decoding (decompression bombs). */
  readonly maxInputPixels: number;
}

/** One image as the model sees it: CHW float32, 3 x height x width. */
export type PixelPlane = Float32Array;

export interface PixelBatch {
  readonly data: Float32Array;
  readonly dims: readonly [batch: number, channels: 3, height: number, width: number];
}

/** decode -> resize -> rescale -> normalise -> CHW, for one upload. Bad bytes reject with ImageInputError. */
export async function toPixelPlane(bytes: Uint8Array, p: ImagePreprocessing, o: PixelOptions): Promise<PixelPlane> {
  const rgb = await decodeImageToRgb(bytes, { maxInputPixels: o.maxInputPixels });
  return toPixelValues(pilResize(rgb, p.width, p.height, p.resample), p);
}

/** Stacks model-sized planes into one batch tensor (a copy per plane, nothing else). */
export function toPixelBatch(planes: readonly PixelPlane[], p: ImagePreprocessing): PixelBatch {
  const plane = 3 * p.width * p.height;
  const data = new Float32Array(planes.length * plane);
  planes.forEach((x, i) => {
    if (x.length !== plane) throw new RangeError(`toPixelBatch: plane ${i} has ${x.length} values, the model takes ${plane}`);
    data.set(x, i * plane);
  });
  return { data, dims: [planes.length, 3, p.height, p.width] };
}
