import { AppError } from '../common/errors';
import { decodeImageToRgb } from '../images/image.adapter';
import { pilResizeAsync } from '../images/pil-resize';
import type { RgbImage } from '../images/rgb-image';
import type { Embedder } from './embedder';
import { toPixelValues, type ImagePreprocessing } from './image-preprocessor';
import { MicroBatcher } from './micro-batcher';
import { readModelFolder, type ModelFolder } from './model-folder';
import { OnnxModel, type InputTensor, type ModelOutput, type OnnxSessionOptions } from './onnx.adapter';
import { TextTokenizer } from './tokenizer';

export interface EmbeddingServiceOptions {
  readonly modelDir: string;
  readonly intraOpThreads: number;
  readonly maxBatchSize: number;
  readonly maxWaitMs: number;
  readonly maxInputPixels: number;
  /** Requests allowed to wait per tower before OVERLOADED; default 32 batches' worth. */
  readonly maxQueue?: number;
}

// Exports name the pooled embedding differently; anything else (last_hidden_state) would be the wrong tensor.
const VISION_OUTPUTS = ['pooler_output', 'image_embeds'];
const TEXT_OUTPUTS = ['pooler_output', 'text_embeds'];
const VISION_INPUTS = new Set(['pixel_values']);
const TEXT_INPUTS = new Set(['input_ids', 'attention_mask', 'position_ids']);

function l2Normalize(v: Float32Array): Float32Array {
  let sum = 0;
  for (const x of v) sum += x * x;
  const norm = Math.sqrt(sum);
  if (!(norm > 0) || !Number.isFinite(norm)) throw new AppError('MODEL_INFERENCE_FAILED', 'Model produced a zero or non-finite embedding');
  for (let i = 0; i < v.length; i++) v[i] = v[i]! / norm;
  return v;
}

function rows(data: Float32Array, batch: number, dims: number): Float32Array[] {
  return Array.from({ length: batch }, (_, i) => l2Normalize(data.slice(i * dims, (i + 1) * dims)));
}

/**
 * SigLIP image and text embeddings in one space, L2-normalised. Requests are decoded and tokenised on their
 * own, then coalesced per tower by a MicroBatcher so concurrent traffic shares ONNX runs.
 */
export class EmbeddingService implements Embedder {
  private constructor(
    readonly modelId: string,
    readonly dims: number,
    private readonly image: ImagePreprocessing,
    private readonly maxInputPixels: number,
    private readonly tokenizer: TextTokenizer,
    private readonly vision: OnnxModel,
    private readonly text: OnnxModel,
    private readonly visionBatcher: MicroBatcher<RgbImage, Float32Array>,
    private readonly textBatcher: MicroBatcher<BigInt64Array, Float32Array>,
  ) {}

  static async load(opts: EmbeddingServiceOptions): Promise<EmbeddingService> {
    const folder = await readModelFolder(opts.modelDir);
    let tokenizer: TextTokenizer;
    try {
      tokenizer = TextTokenizer.fromJson(folder.tokenizerJson, folder.tokenizerConfig, {
        maxLength: folder.textMaxLength,
        lowercase: folder.lowercase,
      });
    } catch (err) {
      throw new AppError('MODEL_LOAD_FAILED', `MODEL_DIR=${folder.dir}: tokenizer.json: ${(err as Error).message}`, { cause: err });
    }
    const [vision, text] = await loadTowers(folder, { intraOpThreads: opts.intraOpThreads, interOpThreads: 1 });
    try {
      const dims = await probeDims(folder, tokenizer, vision, text);
      const { width, height } = folder.image;
      const batching = { maxBatchSize: opts.maxBatchSize, maxWaitMs: opts.maxWaitMs, maxQueue: opts.maxQueue ?? opts.maxBatchSize * 32 };
      const visionBatcher = new MicroBatcher<RgbImage, Float32Array>(async (images) => {
        const plane = 3 * width * height;
        const pixels = new Float32Array(images.length * plane);
        images.forEach((img, i) => toPixelValues(img, folder.image, pixels, i * plane));
        const out = await vision.run({ pixel_values: { type: 'float32', data: pixels, dims: [images.length, 3, height, width] } });
        return rows(out.data, out.batch, out.dims);
      }, batching);
      const textBatcher = new MicroBatcher<BigInt64Array, Float32Array>(async (ids) => {
        const out = await text.run(textInputs(ids, folder.textMaxLength));
        return rows(out.data, out.batch, out.dims);
      }, batching);
      return new EmbeddingService(folder.modelId, dims, folder.image, opts.maxInputPixels, tokenizer, vision, text, visionBatcher, textBatcher);
    } catch (err) {
      await Promise.allSettled([vision.close(), text.close()]);
      throw err;
    }
  }

  /** Decode (ImageInputError on bad bytes), resize exactly like PIL, then embed in a shared batch. */
  async embedImage(bytes: Buffer): Promise<Float32Array> {
    return this.visionBatcher.submit(await this.prepareImage(bytes));
  }

  async embedText(text: string): Promise<Float32Array> {
    return this.textBatcher.submit(this.tokenizer.encode(text));
  }

  /** The exact pixels the vision tower sees for these bytes, as CHW float32 (for parity checks and debugging). */
  async pixelValues(bytes: Buffer): Promise<Float32Array> {
    return toPixelValues(await this.prepareImage(bytes), this.image);
  }

  /** The token ids the text tower sees for this text. */
  tokenize(text: string): BigInt64Array {
    return this.tokenizer.encode(text);
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.visionBatcher.close(), this.textBatcher.close()]);
    await Promise.allSettled([this.vision.close(), this.text.close()]);
  }

  private async prepareImage(bytes: Buffer): Promise<RgbImage> {
    const rgb = await decodeImageToRgb(bytes, { maxInputPixels: this.maxInputPixels });
    return pilResizeAsync(rgb, this.image.width, this.image.height, this.image.resample);
  }
}

async function loadTowers(folder: ModelFolder, session: OnnxSessionOptions): Promise<[OnnxModel, OnnxModel]> {
  const towers = await Promise.allSettled([
    OnnxModel.load(folder.visionPath, VISION_OUTPUTS, session),
    OnnxModel.load(folder.textPath, TEXT_OUTPUTS, session),
  ]);
  const failed = towers.find((t): t is PromiseRejectedResult => t.status === 'rejected');
  if (failed) {
    // Release whichever tower did load; a failed boot must not leave a native session behind.
    await Promise.allSettled(towers.map((t) => (t.status === 'fulfilled' ? t.value.close() : undefined)));
    throw failed.reason;
  }
  const [vision, text] = towers.map((t) => (t as PromiseFulfilledResult<OnnxModel>).value) as [OnnxModel, OnnxModel];
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
async function probeDims(folder: ModelFolder, tokenizer: TextTokenizer, vision: OnnxModel, text: OnnxModel): Promise<number> {
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

/**
 * Every text input an export may declare; OnnxModel feeds only the declared ones. The mask is all ones on
 * purpose: SigLIP was trained attending to its padding (HF's reference call passes no mask), and the pooled
 * output is read at the last position, which is padding for short texts.
 */
function textInputs(ids: readonly BigInt64Array[], length: number): Record<string, InputTensor> {
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
