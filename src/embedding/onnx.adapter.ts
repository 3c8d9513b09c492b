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

export type InputTensor =
  | { readonly type: 'float32'; readonly data: Float32Array; readonly dims: readonly number[] }
  | { readonly type: 'int64'; readonly data: BigInt64Array; readonly dims: readonly number[] };

export interface OnnxSessionOptions {
  /** Threads inside one operator (matmuls). With a micro-batcher in front, one batch runs at a time. */
  readonly intraOpThreads: number;
  /** Threads across independent graph branches; transformer towers are one chain, so 1 is enough. */
  readonly interOpThreads: number;
  /**
   * Whether ONNX Runtime's pool threads busy-wait for the next operator instead of sleeping (its own default: on).
   * Off unless asked: see MODEL_SPIN_WAIT in config.ts for what spinning costs beside the decode workers.
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
    for (const name of this.inputNames) {
      const t = inputs[name];
      if (!t) throw new AppError('MODEL_INFERENCE_FAILED', `ONNX model ${this.file} needs input '${name}', which was not provided`);
      feeds[name] = new ort.Tensor(t.type, t.data, t.dims);
    }
    let out: ort.InferenceSession.OnnxValueMapType;
    try {
      out = await this.session.run(feeds, [this.outputName]);
    } catch (err) {
      throw new AppError('MODEL_INFERENCE_FAILED', `Inference failed in ${this.file}: ${(err as Error).message}`, { cause: err });
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
}
