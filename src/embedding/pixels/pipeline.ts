import { decodeImageToRgb, type ImageHeader } from './decode.adapter';
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
 * never blocks the event loop; the planes then travel, moved rather than copied, to the model thread, which stacks
 * them into its batch tensor (towers.ts, onnx.adapter.ts StackedInput).
 * The parity fixtures (test/integration/parity.test.ts) pin the result against the Python reference.
 */

export interface PixelOptions {
  /** Refuse images with more pixels than this before decoding (decompression bombs). */
  readonly maxInputPixels: number;
  /** readImageHeader's answer for these bytes, when the caller has it (see DecodeOptions.header). */
  readonly header?: ImageHeader;
}

/** One image as the model sees it: CHW float32, 3 x height x width. */
export type PixelPlane = Float32Array;

/** decode -> resize -> rescale -> normalise -> CHW, for one upload. Bad bytes reject with ImageInputError. */
export async function toPixelPlane(bytes: Uint8Array, p: ImagePreprocessing, o: PixelOptions): Promise<PixelPlane> {
  const rgb = await decodeImageToRgb(bytes, o);
  return toPixelValues(pilResize(rgb, p.width, p.height, p.resample), p);
}
