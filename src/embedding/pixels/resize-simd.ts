import type { Coefficients, ResizeKernels } from './pil-resize';
import { PIL_RESIZE_WASM_BASE64 } from './pil-resize.wasm';
import type { RgbImage } from './rgb-image';

/**
 * The WebAssembly SIMD kernels (wasm/pil-resize.ts) behind the same interface as the JavaScript ones: 3-6x faster on
 * the same bytes (`npx tsx bench/resize.bench.ts`). One instance per thread, with its own memory: each pass copies a
 * strip of its input in, runs, and copies that strip's output out (memcpy-cheap next to the multiply-adds).
 */

interface Exports {
  horizontal(src: number, inStride: number, out: number, outWidth: number, rowFirst: number, rows: number, ksize: number, start: number, count: number, weights: number): void;
  vertical(src: number, stride: number, out: number, outHeight: number, rowShift: number, ksize: number, start: number, count: number, weights: number): void;
}

/** The part of the WebAssembly JS API used here (@types/node declares the namespace without these values). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Memory: new (d: { initial: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { exports: unknown };
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

const PAGE = 65536;
// Kernels read a few bytes past a row's last pixel (a 4-byte load for 3 channels): keep slack after every block.
const SLACK = 16;
/**
 * Source bytes copied into WebAssembly memory per strip. Each pass runs strip by strip (rows for the horizontal pass,
 * the source rows a run of output rows reads for the vertical one), so the memory, which only grows, stays near this
 * size per thread whatever the photo's size.
 */
export const STRIP_BYTES = 2 * 2 ** 20;

class SimdKernels implements ResizeKernels {
  private top = 0;

  constructor(
    private readonly memory: WasmMemory,
    private readonly fn: Exports,
  ) {}

  horizontal(src: RgbImage, outWidth: number, rowFirst: number, rows: number, c: Coefficients): Uint8Array {
    const inStride = src.width * 3;
    const outStride = outWidth * 3;
    const result = new Uint8Array(outStride * rows);
    const stripRows = Math.max(1, Math.floor(STRIP_BYTES / inStride));
    this.top = 0;
    const [start, count, weights] = [this.put(c.start), this.put(c.count), this.put(c.weights)];
    const mark = this.top;
    for (let y0 = 0; y0 < rows; y0 += stripRows) {
      const n = Math.min(stripRows, rows - y0);
      this.top = mark;
      const s = this.put(src.data.subarray((rowFirst + y0) * inStride, (rowFirst + y0 + n) * inStride));
      const out = this.alloc(outStride * n);
      this.fn.horizontal(s, inStride, out, outWidth, 0, n, c.ksize, start, count, weights);
      result.set(new Uint8Array(this.memory.buffer, out, outStride * n), y0 * outStride);
    }
    return result;
  }

  vertical(src: RgbImage, outHeight: number, rowShift: number, c: Coefficients): Uint8Array {
    const stride = src.width * 3;
    const result = new Uint8Array(stride * outHeight);
    this.top = 0;
    const [start, count, weights] = [this.put(c.start), this.put(c.count), this.put(c.weights)];
    const mark = this.top;
    for (let y0 = 0; y0 < outHeight; ) {
      // Output rows y0..y1 read source rows lo..hi (window edges rise with the row, as in Pillow); at least one row.
      const lo = c.start[y0]!;
      let hi = lo + c.count[y0]!;
      let y1 = y0 + 1;
      while (y1 < outHeight) {
        const end = Math.max(hi, c.start[y1]! + c.count[y1]!);
        if ((end - Math.min(lo, c.start[y1]!)) * stride > STRIP_BYTES || c.start[y1]! < lo) break;
        hi = end;
        y1++;
      }
      this.top = mark;
      const s = this.put(src.data.subarray((lo - rowShift) * stride, (hi - rowShift) * stride));
      const out = this.alloc(stride * (y1 - y0));
      this.fn.vertical(s, stride, out, y1 - y0, lo, c.ksize, start + 4 * y0, count + 4 * y0, weights + 4 * y0 * c.ksize);
      result.set(new Uint8Array(this.memory.buffer, out, stride * (y1 - y0)), y0 * stride);
      y0 = y1;
    }
    return result;
  }

  private alloc(bytes: number): number {
    const at = (this.top + 15) & ~15;
    this.top = at + bytes + SLACK;
    const missing = Math.ceil(this.top / PAGE) - this.memory.buffer.byteLength / PAGE;
    if (missing > 0) this.memory.grow(missing);
    return at;
  }

  private put(a: Uint8Array | Int32Array): number {
    const at = this.alloc(a.byteLength);
    new Uint8Array(this.memory.buffer, at, a.byteLength).set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    return at;
  }
}

let kernels: SimdKernels | null | undefined;

/** This thread's SIMD kernels, or null where the runtime has no WebAssembly SIMD (then the JavaScript ones serve). */
export function simdKernels(): ResizeKernels | null {
  if (kernels === undefined) {
    const bytes = Buffer.from(PIL_RESIZE_WASM_BASE64, 'base64');
    if (!wasm.validate(bytes)) {
      kernels = null;
    } else {
      const memory = new wasm.Memory({ initial: 1 });
      const instance = new wasm.Instance(new wasm.Module(bytes), { env: { memory } });
      kernels = new SimdKernels(memory, instance.exports as unknown as Exports);
    }
  }
  return kernels;
}
