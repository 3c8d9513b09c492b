import * as ort from 'onnxruntime-node';
import { AppError } from '../common/errors';

/**
 * The only module that imports onnxruntime-node. It knows sessions and tensors; what the tensors mean (pixels,
 * token ids) is the embedding service's business, so this file stays a thin, replaceable runtime boundary.
 */

// ONNX Runtime's Linux build carries Microsoft's 1DS telemetry. Left on, the first session writes an empty
// $TMPDIR/mat-debug-<pid>.log and $TMPDIR/.ses, keeps a SQLite event queue under ~/.cache/Microsoft, and tries to
// upload it over HTTPS. A product server must not phone home or litter; the runtime reads this variable when it
// creates its environment (the first session, not the import), so setting it here turns all of that off.
process.env.ORT_DISABLE_TELEMETRY = '1';

/** A tensor in one typed array, row-major. */
export type DenseInput =
  | { readonly type: 'float32'; readonly data: Float32Array; readonly dims: readonly number[] }
  | { readonly type: 'int64'; readonly data: BigInt64Array; readonly dims: readonly number[] };
export type InputTensor = DenseInput | StackedInput;

/**
 * A float32 batch given as its rows, one per batch item (dims[0] of them, each the product of the other dims long).
 * The model stacks them into a buffer it keeps from run to run: a 32-image batch of 224 px is 19 MB, and allocating one
 * per batch on the event loop's heap (then dropping it) drove that heap into a major collection every few batches.
 */
export interface StackedInput {
  readonly type: 'float32';
  readonly rows: readonly Float32Array[];
  readonly dims: readonly number[];
}

export interface OnnxSessionOptions {
  /** Threads inside one operator (matmuls). With a micro-batcher in front, one batch runs at a time. */
  readonly intraOpThreads: number;
  /** Threads across independent graph branches; transformer towers are one chain, so 1 is enough. */
  readonly interOpThreads: number;
  /**
   * Whether ONNX Runtime's pool threads busy-wait for the next operator instead of sleeping (its own default: on).
   * Off unless asked: see MODEL_VISION_SPIN_WAIT in config.ts for what spinning costs beside the decode workers.
   */
  readonly spinWait?: boolean;
}

export interface ModelOutput {
  /** Row-major [batch, dims]. */
  readonly data: Float32Array;
  readonly batch: number;
  readonly dims: number;
}

export class OnnxModel {
  /** The batch buffer StackedInput rows are copied into, between runs (a run in flight holds it; another allocates). */
  private spare: Float32Array | null = null;

  private constructor(
    private readonly session: ort.InferenceSession,
    readonly file: string,
    readonly inputNames: readonly string[],
    readonly outputName: string,
  ) {}

  /**
   * @param outputNames acceptable outputs in order of preference; the first one the graph has is used.
   *   Anything else (e.g. last_hidden_state) is refused rather than silently embedding the wrong tensor.
   */
  static async load(file: string, outputNames: readonly string[], opts: OnnxSessionOptions): Promise<OnnxModel> {
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(file, {
        intraOpNumThreads: opts.intraOpThreads,
        interOpNumThreads: opts.interOpThreads,
        graphOptimizationLevel: 'all',
        executionMode: 'sequential',
        // Session config entries (onnxruntime_session_options_config_keys.h); the Node binding takes string values.
        extra: { session: { intra_op: { allow_spinning: opts.spinWait ? '1' : '0' }, inter_op: { allow_spinning: opts.spinWait ? '1' : '0' } } },
      });
    } catch (err) {
      throw new AppError('MODEL_LOAD_FAILED', `Could not load ONNX model ${file}: ${(err as Error).message}`, { cause: err });
    }
    const outputName = outputNames.find((n) => session.outputNames.includes(n));
    if (!outputName) {
      await session.release();
      throw new AppError(
        'MODEL_LOAD_FAILED',
        `ONNX model ${file} has outputs [${session.outputNames.join(', ')}]; expected one of [${outputNames.join(', ')}]`,
      );
    }
    return new OnnxModel(session, file, session.inputNames, outputName);
  }

  /**
   * Runs one batch. `inputs` may offer more tensors than the graph declares (attention_mask, position_ids);
   * only the declared ones are fed, because onnxruntime rejects unknown feeds.
   */
  async run(inputs: Readonly<Record<string, InputTensor>>): Promise<ModelOutput> {
    const feeds: Record<string, ort.Tensor> = {};
    const held: Float32Array[] = [];
    let out: ort.InferenceSession.OnnxValueMapType;
    try {
      for (const name of this.inputNames) {
        const t = inputs[name];
        if (!t) throw new AppError('MODEL_INFERENCE_FAILED', `ONNX model ${this.file} needs input '${name}', which was not provided`);
        if ('rows' in t) {
          const [buffer, filled] = this.stack(name, t);
          held.push(buffer);
          feeds[name] = new ort.Tensor('float32', buffer.subarray(0, filled), t.dims);
        } else {
          feeds[name] = new ort.Tensor(t.type, t.data, t.dims);
        }
      }
      out = await this.session.run(feeds, [this.outputName]);
    } catch (err) {
      if (err instanceof AppError) throw err;
      throw new AppError('MODEL_INFERENCE_FAILED', `Inference failed in ${this.file}: ${(err as Error).message}`, { cause: err });
    } finally {
      // Keep the largest buffer for the next run.
      for (const b of held) if (!this.spare || b.length > this.spare.length) this.spare = b;
    }
    const tensor = out[this.outputName];
    if (!tensor || tensor.type !== 'float32' || tensor.dims.length !== 2) {
      throw new AppError('MODEL_INFERENCE_FAILED', `${this.file}: '${this.outputName}' is not a float32 [batch, dims] tensor`);
    }
    return { data: tensor.data as Float32Array, batch: tensor.dims[0]!, dims: tensor.dims[1]! };
  }

  async close(): Promise<void> {
    await this.session.release();
  }

  /** The rows laid end to end in the spare buffer (or a new one): the whole buffer and how much of it they fill. */
  private stack(name: string, t: StackedInput): [Float32Array, number] {
    const width = t.dims.slice(1).reduce((a, b) => a * b, 1);
    if (t.rows.length !== t.dims[0] || t.rows.some((r) => r.length !== width)) {
      throw new AppError(
        'MODEL_INFERENCE_FAILED',
        `ONNX model ${this.file}: input '${name}' has ${t.rows.length} rows of [${t.rows.map((r) => r.length).join(', ')}] values for dims [${t.dims.join(', ')}]`,
      );
    }
    const total = t.rows.length * width;
    let buffer = this.spare;
    if (buffer && buffer.length >= total) this.spare = null;
    else buffer = new Float32Array(total);
    t.rows.forEach((r, i) => buffer.set(r, i * width));
    return [buffer, total];
  }
}
