import { AppError } from '../common/errors';
import { isZeroVector, l2Normalize } from '../common/vectors';
import type { ModelFolder } from './model-folder';
import { ModelThread } from './model-thread';
import type { DenseInput, InputTensor, ModelOutput, OnnxSessionOptions } from './onnx.adapter';
import type { PixelPlane } from './pixels/pipeline';
import type { ImagePreprocessing } from './pixels/preprocessor-config';
import type { TextTokenizer } from './tokenizer';

/**
 * The two towers of a SigLIP export as batch functions: model-sized images or token ids in, one unit vector per input
 * out. They know which tensors each tower takes; the runtime behind them is a TowerModel (in production a ModelThread:
 * an OnnxModel in its own thread).
 */

/** One batch in, one [batch, dims] matrix out. */
export interface TowerModel {
  run(inputs: Readonly<Record<string, InputTensor>>): Promise<ModelOutput>;
}

// Exports name the pooled embedding differently; anything else (last_hidden_state) would be the wrong tensor.
const VISION_OUTPUTS = ['pooler_output', 'image_embeds'];
const TEXT_OUTPUTS = ['pooler_output', 'text_embeds'];
const VISION_INPUTS = new Set(['pixel_values']);
const TEXT_INPUTS = new Set(['input_ids', 'attention_mask', 'position_ids']);

export class VisionTower {
  constructor(
    private readonly model: TowerModel,
    private readonly pixels: ImagePreprocessing,
  ) {}

  /**
   * The model's input planes (DecodePool.toPixelPlane) -> unit embeddings, in order. The planes go to the model as
   * the batch's rows, which it stacks itself (StackedInput); a ModelThread moves them there, so they are spent.
   */
  async embed(planes: readonly PixelPlane[]): Promise<Float32Array[]> {
    const { width, height } = this.pixels;
    const plane = 3 * width * height;
    planes.forEach((x, i) => {
      if (x.length !== plane) throw new RangeError(`VisionTower: plane ${i} has ${x.length} values, the model takes ${plane}`);
    });
    return unitRows(await this.model.run({ pixel_values: { type: 'float32', rows: planes, dims: [planes.length, 3, height, width] } }));
  }
}

export class TextTower {
  constructor(
    private readonly model: TowerModel,
    private readonly length: number,
  ) {}

  /** Fixed-length token ids (TextTokenizer.encode) -> unit embeddings, in order. */
  async embed(ids: readonly BigInt64Array[]): Promise<Float32Array[]> {
    return unitRows(await this.model.run(textInputs(ids, this.length)));
  }
}

/**
 * Every text input an export may declare; OnnxModel feeds only the declared ones. The mask is all ones on
 * purpose: SigLIP was trained attending to its padding (HF's reference call passes no mask), and the pooled
 * output is read at the last position, which is padding for short texts.
 */
export function textInputs(ids: readonly BigInt64Array[], length: number): Record<string, DenseInput> {
  const n = ids.length;
  const inputIds = new BigInt64Array(n * length);
  ids.forEach((row, i) => inputIds.set(row, i * length));
  const positions = new BigInt64Array(n * length);
  for (let i = 0; i < n * length; i++) positions[i] = BigInt(i % length);
  return {
    input_ids: { type: 'int64', data: inputIds, dims: [n, length] },
    attention_mask: { type: 'int64', data: new BigInt64Array(n * length).fill(1n), dims: [n, length] },
    position_ids: { type: 'int64', data: positions, dims: [n, length] },
  };
}

/** Splits a [batch, dims] output into L2-normalised rows. A zero or non-finite row is a model fault. */
export function unitRows(out: ModelOutput): Float32Array[] {
  return Array.from({ length: out.batch }, (_, i) => {
    const v = l2Normalize(out.data.subarray(i * out.dims, (i + 1) * out.dims));
    if (isZeroVector(v)) throw new AppError('MODEL_INFERENCE_FAILED', 'Model produced a zero or non-finite embedding');
    return v;
  });
}

/** Loads both towers; on any failure nothing stays loaded. */
export async function loadTowerModels(
  folder: ModelFolder,
  sessions: { readonly vision: OnnxSessionOptions; readonly text: OnnxSessionOptions },
): Promise<[ModelThread, ModelThread]> {
  const towers = await Promise.allSettled([
    ModelThread.load(folder.visionPath, VISION_OUTPUTS, sessions.vision),
    ModelThread.load(folder.textPath, TEXT_OUTPUTS, sessions.text),
  ]);
  const failed = towers.find((t): t is PromiseRejectedResult => t.status === 'rejected');
  if (failed) {
    // Release whichever tower did load; a failed boot must not leave a native session behind.
    await Promise.allSettled(towers.map((t) => (t.status === 'fulfilled' ? t.value.close() : undefined)));
    throw failed.reason;
  }
  const [vision, text] = towers.map((t) => (t as PromiseFulfilledResult<ModelThread>).value) as [ModelThread, ModelThread];
  for (const [model, allowed] of [[vision, VISION_INPUTS], [text, TEXT_INPUTS]] as const) {
    const unknown = model.inputNames.filter((n) => !allowed.has(n));
    if (unknown.length > 0) {
      await Promise.allSettled([vision.close(), text.close()]);
      throw new AppError('MODEL_LOAD_FAILED', `${model.file} declares inputs we cannot provide: ${unknown.join(', ')}`);
    }
  }
  return [vision, text];
}

/**
 * One dummy run per tower: warms up first-run allocations, proves the export accepts our tensor shapes, and
 * gives the real embedding widths, which must agree or image and text vectors would not share a space.
 */
export async function probeDims(folder: ModelFolder, tokenizer: TextTokenizer, vision: TowerModel, text: TowerModel): Promise<number> {
  const { width, height } = folder.image;
  let v: ModelOutput;
  let t: ModelOutput;
  try {
    v = await vision.run({ pixel_values: { type: 'float32', data: new Float32Array(3 * width * height), dims: [1, 3, height, width] } });
    t = await text.run(textInputs([tokenizer.encode('')], folder.textMaxLength));
  } catch (err) {
    throw new AppError('MODEL_LOAD_FAILED', `MODEL_DIR=${folder.dir}: probe inference failed: ${(err as Error).message}`, { cause: err });
  }
  if (v.dims !== t.dims) {
    throw new AppError('MODEL_LOAD_FAILED', `MODEL_DIR=${folder.dir}: vision tower outputs ${v.dims} dims but text tower ${t.dims}`);
  }
  return v.dims;
}
