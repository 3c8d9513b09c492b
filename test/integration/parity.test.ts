/**
 * @jest-environment ./test/support/native-typed-arrays.environment.js
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EmbeddingService } from '../../src/embedding/embedding.service';

/**
 * Parity with the PyTorch/transformers reference for the model folder (models/siglip-tiny, or PARITY_MODEL_DIR).
 * Nothing is skipped: a missing folder or fixture file fails the suite.
 *
 * Tolerances sit just outside what is measured (the measured values are logged after the run), so a real drift fails:
 * - input_ids: exact.
 * - pixel_values first 8 values: exact. Decode, PIL resize and float32 normalisation are bit-exact ports, and a
 *   float32 printed by Python reads back to the same number (measured difference 0).
 * - pixel mean: 2.5e-7 (measured 6.2e-8: torch sums float32 in float32, this test in float64); std: 1e-7 (measured
 *   1.4e-8; both sides use ddof = 1).
 * - embeddings: cosine >= 1 - 1e-10 per item (onnxruntime vs PyTorch kernels on the same float32 weights; measured
 *   1 - 1.5e-12 for images, 1 - 7.4e-14 for texts on siglip-tiny).
 */

interface Reference {
  images: {
    file: string;
    pixel_values_shape: number[];
    pixel_values_mean: number;
    pixel_values_std: number;
    pixel_values_first: number[];
    embedding: number[];
  }[];
  texts: { text: string; input_ids: number[]; embedding: number[] }[];
}

const MODEL_DIR = resolve(process.env['PARITY_MODEL_DIR'] ?? join(__dirname, '../../models/siglip-tiny'));
const PARITY_DIR = join(MODEL_DIR, 'parity');
const COSINE_MIN = 1 - 1e-10;

function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i]! * b[i]!;
    aa += a[i]! * a[i]!;
    bb += b[i]! * b[i]!;
  }
  return ab / Math.sqrt(aa * bb);
}

function meanStd(v: Float32Array): { mean: number; std: number } {
  let s = 0;
  for (const x of v) s += x;
  const mean = s / v.length;
  let q = 0;
  for (const x of v) q += (x - mean) ** 2;
  return { mean, std: Math.sqrt(q / (v.length - 1)) };
}

describe(`SigLIP parity with the PyTorch reference (${MODEL_DIR})`, () => {
  const ref = JSON.parse(readFileSync(join(PARITY_DIR, 'reference.json'), 'utf8')) as Reference;
  let service: EmbeddingService;
  const measured = { image: Infinity, imageBatched: Infinity, text: Infinity, textBatched: Infinity, pixelMean: 0, pixelStd: 0, pixelFirst: 0 };

  beforeAll(async () => {
    service = await EmbeddingService.load({ modelDir: MODEL_DIR, intraOpThreads: 2, maxBatchSize: 8, maxWaitMs: 5, maxInputPixels: 50_000_000 });
  });
  afterAll(async () => {
    await service?.close();
    process.stdout.write(`parity (${MODEL_DIR}): ${JSON.stringify(measured)}\n`);
  });

  it('has fixtures to check', () => {
    expect(ref.images.length).toBeGreaterThan(0);
    expect(ref.texts.length).toBeGreaterThan(0);
    expect(service.dims).toBe(ref.images[0]!.embedding.length);
  });

  describe('images', () => {
    it.each(ref.images.map((r) => [r.file, r] as const))('%s: pixel values', async (_f, r) => {
      const pv = await service.pixelValues(readFileSync(join(PARITY_DIR, r.file)));
      expect([1, pv.length]).toEqual([r.pixel_values_shape[0], r.pixel_values_shape.slice(1).reduce((a, b) => a * b, 1)]);
      const { mean, std } = meanStd(pv);
      measured.pixelMean = Math.max(measured.pixelMean, Math.abs(mean - r.pixel_values_mean));
      measured.pixelStd = Math.max(measured.pixelStd, Math.abs(std - r.pixel_values_std));
      expect(Math.abs(mean - r.pixel_values_mean)).toBeLessThanOrEqual(2.5e-7);
      expect(Math.abs(std - r.pixel_values_std)).toBeLessThanOrEqual(1e-7);
      r.pixel_values_first.forEach((v, i) => {
        measured.pixelFirst = Math.max(measured.pixelFirst, Math.abs(pv[i]! - v));
      });
      expect(Array.from(pv.subarray(0, r.pixel_values_first.length))).toEqual(r.pixel_values_first);
    });

    it.each(ref.images.map((r) => [r.file, r] as const))('%s: embedding (one at a time)', async (_f, r) => {
      const c = cosine(await service.embedImage(readFileSync(join(PARITY_DIR, r.file))), r.embedding);
      measured.image = Math.min(measured.image, c);
      expect(c).toBeGreaterThanOrEqual(COSINE_MIN);
    });

    it('embeddings are unchanged when requests are batched together', async () => {
      const embs = await Promise.all(ref.images.map((r) => service.embedImage(readFileSync(join(PARITY_DIR, r.file)))));
      embs.forEach((e, i) => {
        const c = cosine(e, ref.images[i]!.embedding);
        measured.imageBatched = Math.min(measured.imageBatched, c);
        expect(c).toBeGreaterThanOrEqual(COSINE_MIN);
      });
    });
  });

  describe('texts', () => {
    it.each(ref.texts.map((r) => [JSON.stringify(r.text.slice(0, 40)), r] as const))('%s: input_ids', (_t, r) => {
      expect(Array.from(service.tokenize(r.text), Number)).toEqual(r.input_ids);
    });

    it.each(ref.texts.map((r) => [JSON.stringify(r.text.slice(0, 40)), r] as const))('%s: embedding (one at a time)', async (_t, r) => {
      const c = cosine(await service.embedText(r.text), r.embedding);
      measured.text = Math.min(measured.text, c);
      expect(c).toBeGreaterThanOrEqual(COSINE_MIN);
    });

    it('embeddings are unchanged when requests are batched together', async () => {
      const embs = await Promise.all(ref.texts.map((r) => service.embedText(r.text)));
      embs.forEach((e, i) => {
        const c = cosine(e, ref.texts[i]!.embedding);
        measured.textBatched = Math.min(measured.textBatched, c);
        expect(c).toBeGreaterThanOrEqual(COSINE_MIN);
      });
    });
  });
});
