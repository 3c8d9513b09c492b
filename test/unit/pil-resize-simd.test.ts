import { pilResize, verticalFirst } from '../../src/embedding/pixels/pil-resize';
import { STRIP_BYTES } from '../../src/embedding/pixels/resize-simd';
import { pattern } from '../support/pil-pattern';

/**
 * The WebAssembly SIMD kernels (resize-simd.ts, built from wasm/pil-resize.ts) against the JavaScript ones, which
 * pil-resize.test.ts pins to Pillow's bytes. Apart from those fixtures so that mutation testing of pil-resize.ts can
 * run the fixtures alone: these resize millions of pixels, close to a minute per mutant once instrumented.
 */

describe('the WebAssembly SIMD kernels', () => {
  it('give the JavaScript kernels\' bytes on 60 random size pairs, every filter, both pass orders', () => {
    let seed = 12345;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return 1 + (seed % n);
    };
    const orders = new Set<string>();
    for (let i = 0; i < 60; i++) {
      const [w0, h0, w, h] = [rand(700), rand(700), rand(300), rand(300)];
      const src = { data: pattern(w0, h0), width: w0, height: h0 };
      const filter = (['bilinear', 'bicubic', 'lanczos'] as const)[i % 3]!;
      const js = pilResize(src, w, h, filter, 'js');
      const simd = pilResize(src, w, h, filter, 'wasm');
      expect(Buffer.compare(Buffer.from(simd.data), Buffer.from(js.data))).toBe(0);
      orders.add(verticalFirst(w0, h0, w, h) ? 'vertical first' : 'horizontal first');
    }
    expect([...orders].sort()).toEqual(['horizontal first', 'vertical first']);
  });

  it.each([
    [1500, 1000, 224, 224, 'horizontal first'],
    [600, 3000, 200, 100, 'vertical first'],
    [3000, 1200, 2900, 100, 'vertical first'],
  ] as const)('run strip by strip on sources over STRIP_BYTES, same bytes: %ix%i -> %ix%i (%s)', (w0, h0, w, h, order) => {
    expect(w0 * h0 * 3).toBeGreaterThan(STRIP_BYTES);
    expect(verticalFirst(w0, h0, w, h) ? 'vertical first' : 'horizontal first').toBe(order);
    const src = { data: pattern(w0, h0), width: w0, height: h0 };
    const simd = pilResize(src, w, h, 'bicubic', 'wasm');
    expect(Buffer.compare(Buffer.from(simd.data), Buffer.from(pilResize(src, w, h, 'bicubic', 'js').data))).toBe(0);
  });
});
