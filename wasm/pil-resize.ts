/**
 * AssemblyScript source of src/embedding/pixels/pil-resize.wasm.ts (`npm run build:wasm`; a unit test rebuilds it and
 * compares bytes). Pillow's two fixed-point passes (libImaging/Resample.c) over interleaved RGB bytes, with WASM SIMD:
 * the same int32 multiply-adds as the JavaScript kernels in pil-resize.ts, in four lanes. The coefficients come from
 * the caller (computed in JavaScript exactly like Pillow), so only integer arithmetic happens here, and wrapping int32
 * adds plus saturating narrows give exactly Pillow's clip8(acc >> 22).
 *
 * Memory is the caller's (imported): it lays out source, coefficients and output and passes byte offsets.
 */
const BITS: i32 = 22;
const HALF: i32 = 1 << (BITS - 1);

@inline function narrow(acc: v128): v128 {
  const v = i32x4.shr_s(acc, BITS);
  const s16 = i16x8.narrow_i32x4_s(v, v);
  return i8x16.narrow_i16x8_u(s16, s16);
}

/** One output row per source row (rows rowFirst.., `rows` of them); one RGB pixel per lane group (4th lane unused). */
export function horizontal(src: usize, inStride: i32, out: usize, outWidth: i32, rowFirst: i32, rows: i32, ksize: i32, start: usize, count: usize, weights: usize): void {
  let o = out;
  for (let yy = 0; yy < rows; yy++) {
    const rowBase = src + <usize>((yy + rowFirst) * inStride);
    for (let xx = 0; xx < outWidth; xx++) {
      let acc = i32x4.splat(HALF);
      const n = load<i32>(count + (<usize>xx << 2));
      let p = rowBase + <usize>(load<i32>(start + (<usize>xx << 2)) * 3);
      let wp = weights + (<usize>(xx * ksize) << 2);
      for (let x = 0; x < n; x++) {
        const px = v128.load32_zero(p);
        const wide = i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(px));
        acc = i32x4.add(acc, i32x4.mul(wide, i32x4.splat(load<i32>(wp))));
        p += 3;
        wp += 4;
      }
      const b = narrow(acc);
      store<u8>(o, i8x16.extract_lane_u(b, 0));
      store<u8>(o + 1, i8x16.extract_lane_u(b, 1));
      store<u8>(o + 2, i8x16.extract_lane_u(b, 2));
      o += 3;
    }
  }
}

/** Whole rows tap by tap, 16 bytes per step (four i32x4 accumulators), the row tail in scalar code. */
export function vertical(src: usize, stride: i32, out: usize, outHeight: i32, rowShift: i32, ksize: i32, start: usize, count: usize, weights: usize): void {
  const half = i32x4.splat(HALF);
  for (let yy = 0; yy < outHeight; yy++) {
    const first = load<i32>(start + (<usize>yy << 2)) - rowShift;
    const n = load<i32>(count + (<usize>yy << 2));
    const wbase = weights + (<usize>(yy * ksize) << 2);
    const o = out + <usize>(yy * stride);
    let i = 0;
    for (; i + 16 <= stride; i += 16) {
      let a0 = half, a1 = half, a2 = half, a3 = half;
      let p = src + <usize>(first * stride + i);
      for (let y = 0; y < n; y++) {
        const w = i32x4.splat(load<i32>(wbase + (<usize>y << 2)));
        const px = v128.load(p);
        const lo = i16x8.extend_low_i8x16_u(px);
        const hi = i16x8.extend_high_i8x16_u(px);
        a0 = i32x4.add(a0, i32x4.mul(i32x4.extend_low_i16x8_u(lo), w));
        a1 = i32x4.add(a1, i32x4.mul(i32x4.extend_high_i16x8_u(lo), w));
        a2 = i32x4.add(a2, i32x4.mul(i32x4.extend_low_i16x8_u(hi), w));
        a3 = i32x4.add(a3, i32x4.mul(i32x4.extend_high_i16x8_u(hi), w));
        p += <usize>stride;
      }
      const s01 = i16x8.narrow_i32x4_s(i32x4.shr_s(a0, BITS), i32x4.shr_s(a1, BITS));
      const s23 = i16x8.narrow_i32x4_s(i32x4.shr_s(a2, BITS), i32x4.shr_s(a3, BITS));
      v128.store(o + <usize>i, i8x16.narrow_i16x8_u(s01, s23));
    }
    for (; i < stride; i++) {
      let acc = HALF;
      let p = src + <usize>(first * stride + i);
      for (let y = 0; y < n; y++) {
        acc += <i32>load<u8>(p) * load<i32>(wbase + (<usize>y << 2));
        p += <usize>stride;
      }
      const v = acc >> BITS;
      store<u8>(o + <usize>i, v < 0 ? 0 : v > 255 ? 255 : v);
    }
  }
}
