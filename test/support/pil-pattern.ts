/** The test image of the Pillow resize fixtures: the same bytes as `pattern` in test/fixtures/make-pil-resize.py. */
export function pattern(w: number, h: number): Uint8Array {
  const out = new Uint8Array(w * h * 3);
  for (let i = 0; i < out.length; i++) out[i] = (i * 37 + (i >> 3) * 11 + ((i * i) % 13)) % 256;
  return out;
}
