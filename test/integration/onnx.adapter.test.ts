/**
 * @jest-environment ./test/support/native-typed-arrays.environment.js
 */
import { join } from 'node:path';
import { AppError } from '../../src/common/errors';
import { OnnxModel } from '../../src/embedding/onnx.adapter';
import { declaredOutputWidth } from '../support/onnx-metadata';

// Tiny graphs from test/fixtures/onnx/make-onnx-fixtures.py: input_ids [batch, 64] -> [batch, 7].
const FIXTURES = join(__dirname, '../fixtures/onnx');
const SESSION = { intraOpThreads: 1, interOpThreads: 1 };
const ids = (batch: number) => ({ type: 'int64' as const, data: new BigInt64Array(batch * 64).fill(1n), dims: [batch, 64] });

async function error(p: Promise<unknown>): Promise<AppError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(AppError);
  return e as AppError;
}

describe('OnnxModel', () => {
  it('loads with the declared inputs, chosen output and static width', async () => {
    const file = join(FIXTURES, 'text-pooler-7d.onnx');
    const m = await OnnxModel.load(file, ['pooler_output', 'text_embeds'], SESSION);
    try {
      expect([m.inputNames, m.outputName, await declaredOutputWidth(file, m.outputName)]).toEqual([['input_ids'], 'pooler_output', 7]);
      const out = await m.run({ input_ids: ids(3), attention_mask: ids(3) }); // undeclared extras are not fed
      expect([out.batch, out.dims, out.data.length]).toEqual([3, 7, 21]);
    } finally {
      await m.close();
    }
  });

  it('gives the same bytes whether its pool threads busy-wait or sleep (a scheduling setting only)', async () => {
    const file = join(FIXTURES, 'text-pooler-7d.onnx');
    const [spin, sleep] = await Promise.all([true, false].map((spinWait) => OnnxModel.load(file, ['pooler_output'], { intraOpThreads: 2, interOpThreads: 1, spinWait })));
    try {
      const input = { input_ids: { type: 'int64' as const, data: BigInt64Array.from({ length: 4 * 64 }, (_, i) => BigInt((i * 37) % 97)), dims: [4, 64] } };
      const [a, b] = [await spin!.run(input), await sleep!.run(input)];
      expect(a.data.length).toBe(28);
      expect(Buffer.from(b.data.buffer, b.data.byteOffset, b.data.byteLength).equals(Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength))).toBe(true);
    } finally {
      await Promise.all([spin!.close(), sleep!.close()]);
    }
  });

  it('stacks a batch given as rows into a buffer it reuses, with the dense batch\'s exact bytes at every size', async () => {
    const m = await OnnxModel.load(join(FIXTURES, '../../../models/siglip-tiny/onnx/vision_model.onnx'), ['pooler_output', 'image_embeds'], SESSION);
    try {
      const plane = 3 * 224 * 224;
      const row = (seed: number) => Float32Array.from({ length: plane }, (_, i) => (((i * seed) % 251) - 125) / 126);
      const bytes = (out: { data: Float32Array }) => Buffer.from(out.data.buffer, out.data.byteOffset, out.data.byteLength).toString('base64');
      // 3 rows, then 1 (the spare buffer is longer than the batch), then 2 new ones: each as its dense twin.
      for (const seeds of [[3, 5, 7], [11], [13, 17]]) {
        const rows = seeds.map(row);
        const dense = new Float32Array(rows.length * plane);
        rows.forEach((r, i) => dense.set(r, i * plane));
        const dims = [rows.length, 3, 224, 224];
        const [stacked, plain] = [await m.run({ pixel_values: { type: 'float32', rows, dims } }), await m.run({ pixel_values: { type: 'float32', data: dense, dims } })];
        expect(stacked.batch).toBe(rows.length);
        expect(bytes(stacked)).toBe(bytes(plain));
      }
      const short = await error(m.run({ pixel_values: { type: 'float32', rows: [row(1), row(2).subarray(1)], dims: [2, 3, 224, 224] } }));
      expect([short.code, short.message]).toEqual(['MODEL_INFERENCE_FAILED', expect.stringMatching(/2 rows of \[150528, 150527\] values for dims \[2, 3, 224, 224\]/)]);
      const missing = await error(m.run({ pixel_values: { type: 'float32', rows: [row(1)], dims: [2, 3, 224, 224] } }));
      expect(missing.code).toBe('MODEL_INFERENCE_FAILED');
    } finally {
      await m.close();
    }
  });

  it('refuses a graph without an accepted embedding output, listing what it has', async () => {
    const e = await error(OnnxModel.load(join(FIXTURES, 'text-hidden-only.onnx'), ['pooler_output', 'text_embeds'], SESSION));
    expect(e.code).toBe('MODEL_LOAD_FAILED');
    expect(e.message).toMatch(/has outputs \[last_hidden_state\]; expected one of \[pooler_output, text_embeds\]/);
  });

  it('reports a missing file as MODEL_LOAD_FAILED with its path', async () => {
    const path = join(FIXTURES, 'nope.onnx');
    const e = await error(OnnxModel.load(path, ['pooler_output'], SESSION));
    expect([e.code, e.message.includes(path)]).toEqual(['MODEL_LOAD_FAILED', true]);
  });

  it('fails a run that lacks a declared input, or has the wrong shape, as MODEL_INFERENCE_FAILED', async () => {
    const m = await OnnxModel.load(join(FIXTURES, 'text-pooler-7d.onnx'), ['pooler_output'], SESSION);
    try {
      expect((await error(m.run({}))).code).toBe('MODEL_INFERENCE_FAILED');
      const wrong = { type: 'int64' as const, data: new BigInt64Array(10), dims: [1, 10] };
      expect((await error(m.run({ input_ids: wrong }))).code).toBe('MODEL_INFERENCE_FAILED');
    } finally {
      await m.close();
    }
  });
});
