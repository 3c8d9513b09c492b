import type { DenseInput, InputTensor, ModelOutput } from '../../src/embedding/onnx.adapter';
import { toPixelValues } from '../../src/embedding/pixels/pixel-values';
import type { ImagePreprocessing } from '../../src/embedding/pixels/preprocessor-config';
import { TextTower, textInputs, unitRows, VisionTower, type TowerModel } from '../../src/embedding/towers';

const PIXELS: ImagePreprocessing = { width: 2, height: 1, resample: 'bicubic', rescaleFactor: 1 / 255, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] };
const A = toPixelValues({ data: Uint8Array.from([0, 128, 255, 1, 2, 254]), width: 2, height: 1 }, PIXELS);
const B = toPixelValues({ data: Uint8Array.from([255, 255, 255, 0, 0, 0]), width: 2, height: 1 }, PIXELS);

/** A model that records what it was fed and answers fixed rows. */
function fakeModel(rows: number[][]): TowerModel & { fed: Readonly<Record<string, InputTensor>>[] } {
  const fed: Readonly<Record<string, InputTensor>>[] = [];
  return {
    fed,
    async run(inputs): Promise<ModelOutput> {
      fed.push(inputs);
      return { data: Float32Array.from(rows.flat()), batch: rows.length, dims: rows[0]!.length };
    },
  };
}

describe('VisionTower', () => {
  it('feeds the planes as the rows of pixel_values and returns one unit vector per image, in order', async () => {
    const model = fakeModel([[3, 4], [0, -2]]);
    const out = await new VisionTower(model, PIXELS).embed([A, B]);
    expect(out.map((v) => Array.from(v))).toEqual([[0.6, 0.8].map(Math.fround), [0, -1]]);
    expect(Object.keys(model.fed[0]!)).toEqual(['pixel_values']);
    const fed = model.fed[0]!.pixel_values!;
    expect(fed.dims).toEqual([2, 3, 1, 2]);
    expect('rows' in fed && fed.rows.map((r) => Array.from(r))).toEqual([Array.from(A), Array.from(B)]);
    expect(Array.from(B)).toEqual([1, -1, 1, -1, 1, -1]);
  });

  it('refuses a plane of the wrong size before the model runs', async () => {
    const model = fakeModel([[1, 0]]);
    await expect(new VisionTower(model, PIXELS).embed([A, A.subarray(1)])).rejects.toThrow(/plane 1 has 5 values, the model takes 6/);
    expect(model.fed).toEqual([]);
  });
});

describe('TextTower', () => {
  it('feeds ids, an all-ones mask and positions, fixed length', async () => {
    const model = fakeModel([[1, 0]]);
    await new TextTower(model, 3).embed([BigInt64Array.from([5n, 1n, 0n])]);
    const fed = model.fed[0]!;
    expect(Object.fromEntries(Object.entries(fed).map(([k, t]) => [k, [Array.from((t as DenseInput).data as BigInt64Array, Number), t.dims]]))).toEqual({
      input_ids: [[5, 1, 0], [1, 3]],
      attention_mask: [[1, 1, 1], [1, 3]],
      position_ids: [[0, 1, 2], [1, 3]],
    });
  });

  it('lays a batch out row by row', () => {
    const t = textInputs([BigInt64Array.from([1n, 2n]), BigInt64Array.from([3n, 4n])], 2);
    expect(Array.from(t.input_ids!.data as BigInt64Array, Number)).toEqual([1, 2, 3, 4]);
    expect(Array.from(t.position_ids!.data as BigInt64Array, Number)).toEqual([0, 1, 0, 1]);
  });
});

describe('unitRows', () => {
  it('refuses a zero or non-finite embedding as a model fault', () => {
    expect(() => unitRows({ data: Float32Array.from([1, 0, 0, 0]), batch: 2, dims: 2 })).toThrow(
      expect.objectContaining({ code: 'MODEL_INFERENCE_FAILED' }),
    );
    expect(() => unitRows({ data: Float32Array.from([NaN, 1]), batch: 1, dims: 2 })).toThrow(/non-finite/);
  });
});
