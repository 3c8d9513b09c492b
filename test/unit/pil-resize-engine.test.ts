import { pilResize, verticalFirst, type ResizeKernels } from '../../src/embedding/pixels/pil-resize';

/**
 * Which kernels a resize runs on. The runtime's WebAssembly SIMD is replaced here by kernels that only say they ran
 * (or by none), so the choice is seen in the bytes: pil-resize.test.ts checks that both kernels give Pillow's bytes.
 */

let mockSimd: ResizeKernels | null = null;
// Hoisted above the import by jest; the factory reads mockSimd only when a resize asks for the kernels.
jest.mock('../../src/embedding/pixels/resize-simd', () => ({ simdKernels: () => mockSimd }));

const SIMD_MARK = 9;
const marking: ResizeKernels = {
  horizontal: (_src, outWidth, _rowFirst, rows) => new Uint8Array(outWidth * rows * 3).fill(SIMD_MARK),
  vertical: (src, outHeight) => new Uint8Array(src.width * 3 * outHeight).fill(SIMD_MARK),
};
const flat = { data: new Uint8Array(6 * 4 * 3).fill(77), width: 6, height: 4 };
const resizedBy = (engine?: 'auto' | 'wasm' | 'js') => Array.from(new Set(pilResize(flat, 3, 2, 'bicubic', engine).data));

describe('pilResize engines', () => {
  afterEach(() => {
    mockSimd = null;
  });

  it('runs on the SIMD kernels where the runtime has them, unless asked for JavaScript', () => {
    mockSimd = marking;
    expect([resizedBy(), resizedBy('auto'), resizedBy('wasm'), resizedBy('js')]).toEqual([[SIMD_MARK], [SIMD_MARK], [SIMD_MARK], [77]]);
  });

  it('falls back to JavaScript without SIMD, and refuses to when SIMD was asked for', () => {
    expect([resizedBy(), resizedBy('auto'), resizedBy('js')]).toEqual([[77], [77], [77]]);
    expect(() => resizedBy('wasm')).toThrow(new Error('pilResize: this runtime has no WebAssembly SIMD'));
  });
});

describe('verticalFirst (Pillow 13\'s pass order)', () => {
  it.each([
    [30, 50, 20, 30, false], // the height shrinks by exactly twice the width's shrink
    [30, 51, 20, 30, true], // by more
    [10, 20, 10, 5, true], // only the height shrinks
    [10, 10, 20, 10, false], // the height stays while the width grows
    [10, 8, 20, 12, false], // both grow
    [40, 20, 80, 10, true], // the height shrinks while the width grows
  ])('%ix%i -> %ix%i: %s', (inW, inH, outW, outH, expected) => {
    expect(verticalFirst(inW, inH, outW, outH)).toBe(expected);
  });
});
