import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compositeOverWhite } from '../../src/embedding/pixels/alpha-composite';
import { pilResize } from '../../src/embedding/pixels/pil-resize';
import { compileResizeWasm, moduleText, WASM_MODULE } from '../../scripts/build-wasm';
import type { ResampleFilter } from '../../src/embedding/pixels/rgb-image';
import { pattern } from '../support/pil-pattern';

interface Fixture {
  pillow: string;
  cases: { from: [number, number]; to: [number, number]; filter: ResampleFilter; rgb: number[] }[];
}
const fixture = JSON.parse(readFileSync(join(__dirname, '../fixtures/pil-resize.json'), 'utf8')) as Fixture;

describe.each(['js', 'wasm'] as const)('pilResize (%s kernels) matches Pillow byte for byte', (engine) => {
  it.each(fixture.cases.map((c) => [`${c.from.join('x')} -> ${c.to.join('x')} ${c.filter}`, c] as const))('%s', (_n, c) => {
    const [w0, h0] = c.from;
    const [w, h] = c.to;
    const out = pilResize({ data: pattern(w0, h0), width: w0, height: h0 }, w, h, c.filter, engine);
    expect([out.width, out.height]).toEqual([w, h]);
    expect(Array.from(out.data)).toEqual(c.rgb);
  });
});

describe('the WebAssembly SIMD kernels', () => {
  // Their bytes against the JavaScript kernels' on large and random sizes: pil-resize-simd.test.ts.
  it('are what wasm/pil-resize.ts compiles to (npm run build:wasm is reproducible)', () => {
    expect(moduleText(compileResizeWasm())).toBe(readFileSync(WASM_MODULE, 'utf8'));
  }, 60_000);
});

describe('pilResize', () => {
  it('returns a copy when the size does not change', () => {
    const src = { data: pattern(4, 3), width: 4, height: 3 };
    const out = pilResize(src, 4, 3, 'bicubic');
    expect(out.data).toEqual(src.data);
    expect(out.data).not.toBe(src.data);
  });

  it('keeps a flat colour flat at any scale', () => {
    const src = { data: new Uint8Array(50 * 30 * 3).fill(77), width: 50, height: 30 };
    for (const f of ['nearest', 'bilinear', 'bicubic', 'lanczos'] as const) {
      expect(pilResize(src, 13, 41, f)).toEqual({ data: new Uint8Array(13 * 41 * 3).fill(77), width: 13, height: 41 });
    }
  });

  it('nearest samples pixel centres', () => {
    const src = { data: Uint8Array.from([0, 0, 0, 10, 10, 10, 20, 20, 20, 30, 30, 30]), width: 4, height: 1 };
    expect(Array.from(pilResize(src, 2, 1, 'nearest').data)).toEqual([10, 10, 10, 30, 30, 30]);
  });

  it('rejects inconsistent input', () => {
    expect(() => pilResize({ data: new Uint8Array(5), width: 2, height: 1 }, 1, 1, 'bicubic')).toThrow(
      new RangeError('pilResize: data length does not match width*height*3'),
    );
    const six = new Uint8Array(6);
    for (const [w0, h0, w, h] of [
      [2, 1, 0, 1],
      [2, 1, 1, 0],
      [0, 1, 1, 1],
      [2, 0, 1, 1],
    ]) {
      expect(() => pilResize({ data: six, width: w0!, height: h0! }, w!, h!, 'bilinear')).toThrow(
        new RangeError(`pilResize: sizes must be positive (got ${w0}x${h0} -> ${w}x${h})`),
      );
    }
  });
});

describe('compositeOverWhite (PIL alpha_composite onto opaque white)', () => {
  it('keeps opaque pixels, whitens transparent ones, blends with PIL rounding', () => {
    const rgba = Uint8Array.from([10, 20, 30, 255, 10, 20, 30, 0, 0, 100, 200, 128]);
    // Values from Pillow 13: Image.alpha_composite(white, im).convert('RGB').
    expect(Array.from(compositeOverWhite(rgba))).toEqual([10, 20, 30, 255, 255, 255, 127, 177, 227]);
  });

  it('packs in place: a large buffer gives the same pixels as compositing each pixel alone', () => {
    const n = 5000;
    const rgba = new Uint8Array(n * 4);
    for (let i = 0; i < rgba.length; i++) rgba[i] = (i * 97 + (i >> 2) * 31) % 256;
    const alone = Array.from({ length: n }, (_, k) => Array.from(compositeOverWhite(rgba.slice(k * 4, k * 4 + 4)))).flat();
    const packed = compositeOverWhite(rgba);
    expect(packed.buffer).toBe(rgba.buffer);
    expect(Array.from(packed)).toEqual(alone);
  });
});
