import { simdKernels } from './resize-simd';
import type { ResampleFilter, RgbImage } from './rgb-image';

/**
 * A port of Pillow's `Image.resize` for 8-bit RGB (libImaging/Resample.c), so our pixel_values match the
 * Python preprocessing the model was trained and evaluated with. libvips' kernels differ in support width,
 * rounding and pass order, which moves embeddings measurably; this file reproduces PIL bit for bit instead.
 *
 * The details that matter for exactness, all taken from Resample.c:
 * - the filter support is widened by the downscale factor (antialiasing), never narrowed when upscaling;
 * - weights are computed in double, normalised per output pixel, then quantised to 22-bit fixed point;
 * - the two passes run in Pillow's chosen order, and the first pass is rounded and clipped to uint8.
 */

const PRECISION_BITS = 32 - 8 - 2;
const HALF = 1 << (PRECISION_BITS - 1);
const ONE = 1 << PRECISION_BITS;

interface Filter {
  readonly support: number;
  readonly weight: (x: number) => number;
}

function bicubic(x: number): number {
  // PIL uses a = -0.5 (Catmull-Rom), not the -0.75 some libraries use.
  const a = -0.5;
  const t = Math.abs(x);
  if (t < 1) return ((a + 2) * t - (a + 3)) * t * t + 1;
  if (t < 2) return (((t - 5) * t + 8) * t - 4) * a;
  return 0;
}

function sinc(x: number): number {
  if (x === 0) return 1;
  const px = Math.PI * x;
  return Math.sin(px) / px;
}

const FILTERS: Record<Exclude<ResampleFilter, 'nearest'>, Filter> = {
  bilinear: { support: 1, weight: (x) => Math.max(0, 1 - Math.abs(x)) },
  bicubic: { support: 2, weight: bicubic },
  lanczos: { support: 3, weight: (x) => (x > -3 && x < 3 ? sinc(x) * sinc(x / 3) : 0) },
};

/** Per output pixel: first source index, tap count, and fixed-point weights (ksize slots each). */
export interface Coefficients {
  readonly ksize: number;
  readonly start: Int32Array;
  readonly count: Int32Array;
  readonly weights: Int32Array;
}

function precomputeCoefficients(inSize: number, outSize: number, filter: Filter): Coefficients {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = filter.support * filterScale;
  const ksize = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Int32Array(outSize * ksize);
  const row = new Float64Array(ksize);
  // PIL multiplies by the reciprocal rather than dividing; the last-bit difference changes rounded weights.
  const invScale = 1 / filterScale;
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    // C casts truncate toward zero; Math.trunc keeps PIL's rounding of the window edges.
    const xmin = Math.max(0, Math.trunc(center - support + 0.5));
    const xmax = Math.min(inSize, Math.trunc(center + support + 0.5)) - xmin;
    let sum = 0;
    for (let x = 0; x < xmax; x++) {
      const w = filter.weight((x + xmin - center + 0.5) * invScale);
      row[x] = w;
      sum += w;
    }
    for (let x = 0; x < xmax; x++) {
      const w = sum !== 0 ? row[x]! / sum : row[x]!;
      weights[xx * ksize + x] = w < 0 ? Math.trunc(-0.5 + w * ONE) : Math.trunc(0.5 + w * ONE);
    }
    start[xx] = xmin;
    count[xx] = xmax;
  }
  return { ksize, start, count, weights };
}

function clip8(acc: number): number {
  const v = acc >> PRECISION_BITS;
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

/** The two passes, in JavaScript here and in WebAssembly SIMD in resize-simd.ts; both exactly Pillow's arithmetic. */
export interface ResizeKernels {
  /** `rows` source rows from `rowFirst`, each resized to outWidth. */
  horizontal(src: RgbImage, outWidth: number, rowFirst: number, rows: number, c: Coefficients): Uint8Array;
  /** Every column resized to outHeight; the coefficients' row indices are shifted down by rowShift. */
  vertical(src: RgbImage, outHeight: number, rowShift: number, c: Coefficients): Uint8Array;
}

const jsKernels: ResizeKernels = {
  horizontal(src, outWidth, rowFirst, rows, c) {
    const out = new Uint8Array(outWidth * rows * 3);
    horizontalRows(src, out, outWidth, rowFirst, c, 0, rows);
    return out;
  },
  vertical(src, outHeight, rowShift, c) {
    const out = new Uint8Array(src.width * 3 * outHeight);
    verticalRows(src, out, rowShift, c, new Int32Array(src.width * 3), 0, outHeight);
    return out;
  },
};

// The JavaScript kernels: plain loops (V8 optimises them far better than closures or generators) that use `| 0`
// to stay in int32: PIL's sums fit in int32 by design (22-bit weights, 2 spare bits), and uint8 x weight is
// exact. Not Math.imul: inside vm contexts (Jest) V8 does not inline it and these loops run ~50x slower.

function horizontalRows(src: RgbImage, out: Uint8Array, outWidth: number, rowFirst: number, c: Coefficients, yFrom: number, yTo: number): void {
  const { ksize, start, count, weights } = c;
  const data = src.data;
  const inStride = src.width * 3;
  let o = yFrom * outWidth * 3;
  for (let yy = yFrom; yy < yTo; yy++) {
    const rowBase = (yy + rowFirst) * inStride;
    for (let xx = 0; xx < outWidth; xx++) {
      let r = HALF;
      let g = HALF;
      let b = HALF;
      const k = xx * ksize;
      const n = count[xx]!;
      let p = rowBase + start[xx]! * 3;
      for (let x = 0; x < n; x++, p += 3) {
        const w = weights[k + x]!;
        r = (r + data[p]! * w) | 0;
        g = (g + data[p + 1]! * w) | 0;
        b = (b + data[p + 2]! * w) | 0;
      }
      out[o++] = clip8(r);
      out[o++] = clip8(g);
      out[o++] = clip8(b);
    }
  }
}

/** Accumulates whole rows tap by tap: sequential memory access instead of striding down columns. */
function verticalRows(src: RgbImage, out: Uint8Array, rowShift: number, c: Coefficients, acc: Int32Array, yFrom: number, yTo: number): void {
  const stride = src.width * 3;
  const { ksize, start, count, weights } = c;
  const data = src.data;
  for (let yy = yFrom; yy < yTo; yy++) {
    const k = yy * ksize;
    const first = start[yy]! - rowShift;
    const n = count[yy]!;
    acc.fill(HALF);
    for (let y = 0; y < n; y++) {
      const w = weights[k + y]!;
      const base = (first + y) * stride;
      for (let i = 0; i < stride; i++) acc[i] = (acc[i]! + data[base + i]! * w) | 0;
    }
    const o = yy * stride;
    for (let i = 0; i < stride; i++) out[o + i] = clip8(acc[i]!);
  }
}

/**
 * The source index under each output pixel's centre, walked as PIL's ImagingScaleAffine walks it: start half a step
 * in and keep adding the step. The running sum rounds differently from (i + 0.5) × step, and picks another pixel
 * wherever that product lands next to an integer (a third of all size pairs in a 400-pair check against Pillow 13).
 */
function nearestIndices(inSize: number, outSize: number): Int32Array {
  const step = inSize / outSize;
  const out = new Int32Array(outSize);
  let at = step * 0.5;
  for (let i = 0; i < outSize; i++, at += step) out[i] = Math.min(inSize - 1, Math.trunc(at));
  return out;
}

function resizeNearest(src: RgbImage, width: number, height: number): RgbImage {
  const out = new Uint8Array(width * height * 3);
  const xs = nearestIndices(src.width, width);
  const ys = nearestIndices(src.height, height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const from = (ys[y]! * src.width + xs[x]!) * 3;
      out.set(src.data.subarray(from, from + 3), (y * width + x) * 3);
    }
  }
  return { data: out, width, height };
}

/** 'auto': WebAssembly SIMD where the runtime has it, else JavaScript; the others force one (tests, bench). */
export type ResizeEngine = 'auto' | 'wasm' | 'js';

/** Resize to exactly width×height (no crop, aspect ratio not kept), as `PIL.Image.resize((w, h), filter)`. */
export function pilResize(src: RgbImage, width: number, height: number, filter: ResampleFilter, engine: ResizeEngine = 'auto'): RgbImage {
  if (!(width > 0 && height > 0 && src.width > 0 && src.height > 0)) {
    throw new RangeError(`pilResize: sizes must be positive (got ${src.width}x${src.height} -> ${width}x${height})`);
  }
  if (src.data.length !== src.width * src.height * 3) {
    throw new RangeError('pilResize: data length does not match width*height*3');
  }
  if (filter === 'nearest') return resizeNearest(src, width, height);
  const k = kernelsFor(engine);
  const f = FILTERS[filter];
  const needH = width !== src.width;
  const needV = height !== src.height;
  if (!needH && !needV) return { data: src.data.slice(), width, height };
  const cv = precomputeCoefficients(src.height, height, f);
  const ch = needH ? precomputeCoefficients(src.width, width, f) : null;
  if (ch && needV && verticalFirst(src.width, src.height, width, height)) {
    const tmp: RgbImage = { data: k.vertical(src, height, 0, cv), width: src.width, height };
    return { data: k.horizontal(tmp, width, 0, height, ch), width, height };
  }
  let img = src;
  let rowShift = 0;
  if (ch) {
    // Only the source rows the vertical pass will read go through the horizontal pass, as in PIL.
    const rowFirst = cv.start[0]!;
    const rowLast = cv.start[height - 1]! + cv.count[height - 1]!;
    img = { data: k.horizontal(src, width, rowFirst, rowLast - rowFirst, ch), width, height: rowLast - rowFirst };
    rowShift = rowFirst;
  }
  if (!needV) return img;
  return { data: k.vertical(img, height, rowShift, cv), width, height };
}

function kernelsFor(engine: ResizeEngine): ResizeKernels {
  if (engine === 'js') return jsKernels;
  const simd = simdKernels();
  if (simd) return simd;
  if (engine === 'wasm') throw new Error('pilResize: this runtime has no WebAssembly SIMD');
  return jsKernels;
}

/**
 * Pillow >= 11 picks the pass order to save work, and because each pass rounds to uint8 the order changes
 * pixels. The rule below was read from Pillow 13's compiled ImagingResample and checked against it on 400
 * random size pairs (all identical): vertical first only when the height shrinks by more than twice the
 * width's shrink.
 */
export function verticalFirst(inW: number, inH: number, outW: number, outH: number): boolean {
  return inH - outH > 0 && inH - outH > 2 * (inW - outW);
}
