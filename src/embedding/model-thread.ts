import type { Worker } from 'node:worker_threads';
import { AppError, type FaultCode } from '../common/errors';
import type { DenseInput, InputTensor, ModelOutput, OnnxSessionOptions } from './onnx.adapter';
import { startWorker } from '../common/worker-script';

/**
 * An ONNX model in its own thread, behind the same run() as OnnxModel. onnxruntime-node runs a session synchronously
 * on the calling thread: on the main thread every batch froze the event loop for its whole run (tens of ms for the
 * tiny model, seconds for a real-size one), so HTTP, Elasticsearch replies and the decode pool's hand-offs all waited,
 * and decoding never overlapped inference. Here the session lives in a worker (model.worker.ts); tensors cross by
 * transfer, not copy, when they own their buffer.
 */

// ONNX Runtime reads ORT_DISABLE_TELEMETRY with getenv when the model thread creates its environment (see
// onnx.adapter.ts for what the telemetry does). A worker's process.env is a private copy that never reaches getenv,
// so it is set here, on the main thread, which writes the real environment, before any model thread starts.
process.env.ORT_DISABLE_TELEMETRY = '1';

export interface ModelThreadData {
  readonly file: string;
  readonly outputNames: readonly string[];
  readonly session: OnnxSessionOptions;
}
export type ModelThreadRequest = { type: 'run'; id: number; inputs: Readonly<Record<string, InputTensor>> } | { type: 'close' };
export type ModelThreadReply =
  | { type: 'ready'; inputNames: readonly string[]; outputName: string }
  | { type: 'failed'; code: string; message: string }
  | { type: 'result'; id: number; out: ModelOutput }
  | { type: 'error'; id: number; code: string; message: string }
  | { type: 'closed' };

interface Pending {
  resolve(out: ModelOutput): void;
  reject(err: unknown): void;
}

export class ModelThread {
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private closing: Promise<void> | null = null;
  private exited = false;

  private constructor(
    private readonly worker: Worker,
    readonly file: string,
    readonly inputNames: readonly string[],
    readonly outputName: string,
  ) {
    worker.on('message', (msg: ModelThreadReply) => {
      if (msg.type !== 'result' && msg.type !== 'error') return;
      const p = this.pending.get(msg.id);
      this.pending.delete(msg.id);
      if (msg.type === 'result') p?.resolve(msg.out);
      else p?.reject(new AppError(msg.code as FaultCode, msg.message));
    });
    worker.on('error', (err) => this.failAll(err));
    worker.on('exit', () => {
      this.exited = true;
      this.failAll(new Error('model thread exited'));
    });
  }

  /** Starts the thread and loads the model there; rejects (MODEL_LOAD_FAILED) as OnnxModel.load would. */
  static async load(file: string, outputNames: readonly string[], session: OnnxSessionOptions): Promise<ModelThread> {
    const worker = startWorker(__dirname, 'model.worker', { file, outputNames, session } satisfies ModelThreadData);
    const ready = await new Promise<Extract<ModelThreadReply, { type: 'ready' }>>((resolve, reject) => {
      const onExit = (code: number) => reject(new AppError('MODEL_LOAD_FAILED', `Model thread for ${file} exited (${code}) while loading`));
      worker.once('error', reject);
      worker.once('exit', onExit);
      worker.once('message', (msg: ModelThreadReply) => {
        worker.off('error', reject);
        worker.off('exit', onExit);
        if (msg.type === 'ready') resolve(msg);
        else reject(new AppError(msg.type === 'failed' ? (msg.code as FaultCode) : 'MODEL_LOAD_FAILED', msg.type === 'failed' ? msg.message : 'unexpected reply'));
      });
    }).catch(async (err: unknown) => {
      await worker.terminate();
      throw err;
    });
    return new ModelThread(worker, file, ready.inputNames, ready.outputName);
  }

  /**
   * Runs one batch in the model thread. Input arrays (and StackedInput rows) that own their whole buffer are moved
   * there (they are detached here afterwards, so pass arrays nobody reads again, as the towers do); other views are
   * copied.
   */
  run(inputs: Readonly<Record<string, InputTensor>>): Promise<ModelOutput> {
    if (this.closing) return Promise.reject(new AppError('MODEL_INFERENCE_FAILED', `Model ${this.file} is closed`));
    const transfer: ArrayBuffer[] = [];
    // Moved when it owns its whole buffer (and that buffer is not already moving), else copied into one that does.
    const sendable = <T extends Float32Array | BigInt64Array>(data: T): T => {
      const owns = data.buffer instanceof ArrayBuffer && data.byteOffset === 0 && data.byteLength === data.buffer.byteLength;
      const out = owns && !transfer.includes(data.buffer as ArrayBuffer) ? data : (data.slice() as T);
      transfer.push(out.buffer as ArrayBuffer);
      return out;
    };
    const sent: Record<string, InputTensor> = {};
    for (const [name, t] of Object.entries(inputs)) {
      sent[name] = 'rows' in t ? { ...t, rows: t.rows.map(sendable) } : ({ ...t, data: sendable(t.data) } as DenseInput);
    }
    const id = this.nextId++;
    return new Promise<ModelOutput>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ type: 'run', id, inputs: sent } satisfies ModelThreadRequest, transfer);
    });
  }

  /** Lets runs already sent finish, releases the session, stops the thread. */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      if (this.exited) return resolve();
      const done = () => void this.worker.terminate().then(() => resolve());
      this.worker.once('exit', () => resolve());
      this.worker.on('message', (msg: ModelThreadReply) => {
        if (msg.type === 'closed') done();
      });
      this.worker.postMessage({ type: 'close' } satisfies ModelThreadRequest);
    });
    return this.closing;
  }

  private failAll(err: unknown): void {
    const e = err instanceof AppError ? err : new AppError('MODEL_INFERENCE_FAILED', `Model thread for ${this.file} failed: ${String(err)}`, { cause: err });
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }
}
