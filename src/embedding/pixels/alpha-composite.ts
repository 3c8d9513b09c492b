/**
 * RGBA -> RGB over opaque white with Pillow's integer arithmetic (AlphaComposite.c). transformers' convert_to_rgb
 * composites transparent images onto white before resizing, so product cut-outs on transparent backgrounds
 * must look the same to our encoder; libvips' float flatten differs from PIL by one level on some pixels.
 * Verified equal to `Image.alpha_composite(white, im)` for all 256x256 (value, alpha) pairs.
 *
 * Works in place: the RGB result is packed into the front of the RGBA buffer (pixel k is written at 3k after it was
 * read from 4k, and every later read is at 4k + 4 or beyond), so a 20 MP cut-out costs no second 60 MB buffer.
 * The returned view shares `rgba`'s memory; `rgba` itself is garbage afterwards.
 */
export function compositeOverWhite(rgba: Uint8Array): Uint8Array {
  if (rgba.length % 4 !== 0) throw new RangeError('compositeOverWhite: length is not a multiple of 4');
  const out = rgba.subarray(0, (rgba.length / 4) * 3);
  const lut = new Uint8Array(256 * 256); // [alpha][value]; 64 KiB, cheaper than per-pixel shifts on big images
  for (let a = 0; a < 256; a++) {
    const coef1 = a * 128;
    const coef2 = 255 * 128 - coef1;
    for (let v = 0; v < 256; v++) {
      const t = v * coef1 + 255 * coef2 + (0x80 << 7);
      lut[a * 256 + v] = (((t >> 8) + t) >> 8) >> 7;
    }
  }
  for (let i = 0, o = 0; i < rgba.length; i += 4, o += 3) {
    const row = rgba[i + 3]! * 256;
    const r = lut[row + rgba[i]!]!;
    const g = lut[row + rgba[i + 1]!]!;
    const b = lut[row + rgba[i + 2]!]!;
    out[o] = r;
    out[o + 1] = g;
    out[o + 2] = b;
  }
  return out;
}
