/** Decoded 8-bit sRGB pixels, row-major, 3 interleaved channels (HWC). Shared by the decoder and the preprocessor. */
export interface RgbImage {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
}

/** PIL's resampling filters by name; SiglipImageProcessor stores them as PIL integer codes. */
export type ResampleFilter = 'nearest' | 'bilinear' | 'bicubic' | 'lanczos';
