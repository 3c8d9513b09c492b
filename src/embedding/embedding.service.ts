import { AppError } from '../common/errors';
import type { BatchObserver } from '../common/metrics';
import type { Embedder } from './embedder';
import { MicroBatcher, type MicroBatcherStats } from './micro-batcher';
import { readModelFolder, type SiglipLogits } from './model-folder';
import type { ModelThread } from './model-thread';
import type { AdmissionStats } from './pixels/admission';
import { DecodePool } from './pixels/decode-pool';
import type { PixelPlane } from './pixels/pipeline';
import { TextTokenizer } from './tokenizer';
import { loadTowerModels, probeDims, TextTower, VisionTower } from './towers';

export interface EmbeddingServiceOptions {
  readonly modelDir: string;
  readonly intraOpThreads: number;
  /** Whether the vision tower's pool threads busy-wait (OnnxSessionOptions.spinWait; MODEL_VISION_SPIN_WAIT); default off. */
  readonly visionSpinWait?: boolean;
  readonly maxBatchSize: number;
  readonly maxWaitMs: number;
  readonly maxInputPixels: number;
  /** Requests allowed to wait per tower before OVERLOADED; default 32 batches' worth. */
  readonly maxQueue?: number;
  /** The decode worker pool (DecodePoolOptions); defaults suit tests: 2 threads, 64 waiting, 512 MiB. */
  readonly decode?: { readonly threads: number; readonly maxWaiting: number; readonly budgetBytes: number };
  /** Told about every batch each tower runs. */
  readonly observer?: BatchObserver;
}

/**
 * SigLIP image and text embeddings in one space, L2-normalised. Requests are decoded and tokenised on their
 * own, then coalesced per tower by a MicroBatcher so concurrent traffic shares ONNX runs.
 */
export class EmbeddingService implements Embedder {
  private constructor(
    readonly modelId: string,
    readonly dims: number,
    readonly relationThresholds: { readonly duplicate: number; readonly variant: number } | undefined,
    private readonly decoder: DecodePool,
    private readonly tokenizer: TextTokenizer,
    private readonly models: readonly ModelThread[],
    private readonly visionBatcher: MicroBatcher<PixelPlane, Float32Array>,
    private readonly textBatcher: MicroBatcher<BigInt64Array, Float32Array>,
    readonly logits: SiglipLogits | undefined,
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
    const [visionModel, textModel] = await loadTowerModels(folder, {
      vision: { intraOpThreads: opts.intraOpThreads, interOpThreads: 1, spinWait: opts.visionSpinWait ?? false },
      // One text query at a time is the common case, and nothing decodes beside this tower: spinning keeps it fast.
      text: { intraOpThreads: opts.intraOpThreads, interOpThreads: 1, spinWait: true },
    });
    try {
      const dims = await probeDims(folder, tokenizer, visionModel, textModel);
      const vision = new VisionTower(visionModel, folder.image);
      const text = new TextTower(textModel, folder.textMaxLength);
      const batching = { maxBatchSize: opts.maxBatchSize, maxWaitMs: opts.maxWaitMs, maxQueue: opts.maxQueue ?? opts.maxBatchSize * 32 };
      const decoder = new DecodePool({
        ...(opts.decode ?? { threads: 2, maxWaiting: 64, budgetBytes: 512 * 2 ** 20 }),
        maxInputPixels: opts.maxInputPixels,
        preprocessing: folder.image,
      });
      return new EmbeddingService(
        folder.modelId,
        dims,
        folder.relationThresholds,
        decoder,
        tokenizer,
        [visionModel, textModel],
        new MicroBatcher((images) => vision.embed(images), { ...batching, onBatch: (n, s) => opts.observer?.batchRan('image', n, s) }),
        new MicroBatcher((ids) => text.embed(ids), { ...batching, onBatch: (n, s) => opts.observer?.batchRan('text', n, s) }),
        folder.logits,
      );
    } catch (err) {
      await Promise.allSettled([visionModel.close(), textModel.close()]);
      throw err;
    }
  }

  /** Decode and resize exactly like PIL in a worker thread (ImageInputError on bad bytes), then embed in a shared batch. */
  async embedImage(bytes: Buffer, signal?: AbortSignal): Promise<Float32Array> {
    return this.visionBatcher.submit(await this.decoder.toPixelPlane(bytes, signal), signal);
  }

  async embedText(text: string, signal?: AbortSignal): Promise<Float32Array> {
    signal?.throwIfAborted();
    return this.textBatcher.submit(this.tokenizer.encode(text), signal);
  }

  /**
   * How many images and texts went through the model, how many left the queue because their caller gave up, and the
   * decode pool's gate (running, waiting, bytes held, refused).
   */
  get stats(): { images: MicroBatcherStats; texts: MicroBatcherStats; decode: AdmissionStats } {
    return { images: this.visionBatcher.stats, texts: this.textBatcher.stats, decode: this.decoder.stats };
  }

  /** Requests waiting per tower for a batch (not counting the batch running). */
  get queued(): { images: number; texts: number } {
    return { images: this.visionBatcher.queued, texts: this.textBatcher.queued };
  }

  /** The exact pixels the vision tower sees for these bytes, as CHW float32 (for parity checks and debugging). */
  async pixelValues(bytes: Buffer): Promise<Float32Array> {
    return this.decoder.toPixelPlane(bytes);
  }

  /** The token ids the text tower sees for this text. */
  tokenize(text: string): BigInt64Array {
    return this.tokenizer.encode(text);
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.visionBatcher.close(), this.textBatcher.close(), this.decoder.close()]);
    await Promise.allSettled(this.models.map((m) => m.close()));
  }
}
