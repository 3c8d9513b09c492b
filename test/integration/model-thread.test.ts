/**
 * @jest-environment ./test/support/native-typed-arrays.environment.js
 */
import { join } from 'node:path';
import { AppError } from '../../src/common/errors';
import { ModelThread } from '../../src/embedding/model-thread';
import { OnnxModel } from '../../src/embedding/onnx.adapter';

// Tiny graphs from test/fixtures/onnx/make-onnx-fixtures.py: input_ids [batch, 64] -> [batch, 7].
const FIXTURES = join(__dirname, '../fixtures/onnx');
const SESSION = { intraOpThreads: 1, interOpThreads: 1 };
const TEXT = join(FIXTURES, 'text-pooler-7d.onnx');
const VISION = join(__dirname, '../../models/siglip-tiny/onnx/vision_model.onnx');
const ids = (batch: number, seed = 1) => ({ type: 'int64' as const, data: BigInt64Array.from({ length: batch * 64 }, (_, i) => BigInt((i * seed) % 400)), dims: [batch, 64] });

async function error(p: Promise<unknown>): Promise<AppError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(AppError);
  return e as AppError;
}

describe('ModelThread (an OnnxModel in its own thread)', () => {
  it('gives exactly the in-thread model\'s outputs, with its input and output names', async () => {
    const [thread, local] = await Promise.all([ModelThread.load(TEXT, ['pooler_output', 'text_embeds'], SESSION), OnnxModel.load(TEXT, ['pooler_output', 'text_embeds'], SESSION)]);
    try {
      expect([thread.inputNames, thread.outputName]).toEqual([local.inputNames, local.outputName]);
      const [a, b] = await Promise.all([thread.run({ input_ids: ids(3, 7), attention_mask: ids(3) }), local.run({ input_ids: ids(3, 7) })]);
      expect([a.batch, a.dims]).toEqual([3, 7]);
      expect(Array.from(a.data)).toEqual(Array.from(b.data));
    } finally {
      await Promise.all([thread.close(), local.close()]);
    }
  });

  it('answers concurrent runs each with its own result, in any order of completion', async () => {
    const [thread, local] = await Promise.all([ModelThread.load(TEXT, ['pooler_output'], SESSION), OnnxModel.load(TEXT, ['pooler_output'], SESSION)]);
    try {
      const got = await Promise.all([1, 2, 3, 4].map((n) => thread.run({ input_ids: ids(n, n + 2) })));
      for (const [i, n] of [1, 2, 3, 4].entries()) {
        expect(Array.from(got[i]!.data)).toEqual(Array.from((await local.run({ input_ids: ids(n, n + 2) })).data));
      }
    } finally {
      await Promise.all([thread.close(), local.close()]);
    }
  });

  it('moves inputs that own their buffer and copies views into a larger one', async () => {
    const m = await ModelThread.load(TEXT, ['pooler_output'], SESSION);
    try {
      const owned = ids(2);
      await m.run({ input_ids: owned });
      expect(owned.data.length).toBe(0); // detached: moved, not copied
      const big = ids(4);
      const view = { ...big, data: big.data.subarray(0, 128), dims: [2, 64] };
      await m.run({ input_ids: view });
      expect([view.data.length, big.data.length]).toEqual([128, 256]);
    } finally {
      await m.close();
    }
  });

  it('moves stacked rows that own their buffer, copies the others, and gives the dense batch\'s exact bytes', async () => {
    const [m, local] = await Promise.all([ModelThread.load(VISION, ['pooler_output', 'image_embeds'], SESSION), OnnxModel.load(VISION, ['pooler_output', 'image_embeds'], SESSION)]);
    try {
      const plane = 3 * 224 * 224;
      const row = (seed: number) => Float32Array.from({ length: plane }, (_, i) => (((i * seed) % 255) - 127) / 128);
      const shared = new Float32Array(2 * plane);
      shared.set(row(5), plane);
      const rows = [row(3), shared.subarray(plane), row(7)];
      const dense = new Float32Array(3 * plane);
      rows.forEach((r, i) => dense.set(r, i * plane));
      const want = await local.run({ pixel_values: { type: 'float32', data: dense, dims: [3, 3, 224, 224] } });
      const got = await m.run({ pixel_values: { type: 'float32', rows, dims: [3, 3, 224, 224] } });
      expect(rows.map((r) => r.length)).toEqual([0, plane, 0]); // the view was copied, the others moved
      expect(Buffer.from(got.data.buffer).equals(Buffer.from(want.data.buffer, want.data.byteOffset, want.data.byteLength))).toBe(true);
    } finally {
      await Promise.all([m.close(), local.close()]);
    }
  });

  it('keeps the event loop free while a batch runs', async () => {
    const m = await ModelThread.load(VISION, ['pooler_output', 'image_embeds'], { intraOpThreads: 1, interOpThreads: 1 });
    try {
      const pixels = (n: number) => ({ type: 'float32' as const, data: new Float32Array(n * 3 * 224 * 224).fill(0.1), dims: [n, 3, 224, 224] });
      await m.run({ pixel_values: pixels(1) });
      let ticks = 0;
      const timer = setInterval(() => ticks++, 1);
      const t0 = performance.now();
      await m.run({ pixel_values: pixels(32) });
      const ms = performance.now() - t0;
      clearInterval(timer);
      // On the main thread the run would block every timer until it ended (ticks = 0 or 1).
      expect(ms).toBeGreaterThan(20);
      expect(ticks).toBeGreaterThanOrEqual(5);
    } finally {
      await m.close();
    }
  });

  it('reports load failures as OnnxModel does: MODEL_LOAD_FAILED with the reason', async () => {
    const e = await error(ModelThread.load(join(FIXTURES, 'text-hidden-only.onnx'), ['pooler_output', 'text_embeds'], SESSION));
    expect(e.code).toBe('MODEL_LOAD_FAILED');
    expect(e.message).toMatch(/has outputs \[last_hidden_state\]; expected one of \[pooler_output, text_embeds\]/);
    const missing = join(FIXTURES, 'nope.onnx');
    const e2 = await error(ModelThread.load(missing, ['pooler_output'], SESSION));
    expect([e2.code, e2.message.includes(missing)]).toEqual(['MODEL_LOAD_FAILED', true]);
  });

  it('fails a bad run as MODEL_INFERENCE_FAILED and keeps serving; after close, runs are refused', async () => {
    const m = await ModelThread.load(TEXT, ['pooler_output'], SESSION);
    const wrong = { type: 'int64' as const, data: new BigInt64Array(10), dims: [1, 10] };
    expect((await error(m.run({ input_ids: wrong }))).code).toBe('MODEL_INFERENCE_FAILED');
    expect((await m.run({ input_ids: ids(1) })).batch).toBe(1);
    await m.close();
    expect((await error(m.run({ input_ids: ids(1) }))).code).toBe('MODEL_INFERENCE_FAILED');
    await m.close(); // twice is fine
  });
});
