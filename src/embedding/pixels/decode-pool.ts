import { availableParallelism } from 'node:os';
import Piscina from 'piscina';
import { AppError, ImageInputError, type ImageErrorCode } from '../../common/errors';
import { workerScript } from '../../common/worker-script';
import { Admission, type AdmissionStats } from './admission';
import { readImageHeader, type ImageHeader } from './decode.adapter';
import type { PixelPlane } from './pipeline';
import { verticalFirst } from './pil-resize';
import type { ImagePreprocessing } from './preprocessor-config';

/**
 * Decode + Pillow-exact resize + normalise off the event loop, in a pool of worker threads (piscina), behind an
 * admission gate: one task per thread at a time, a memory budget on the decoded pixels of the tasks running (read from
 * the header before anything is decoded), and a bounded line of waiters; one more is refused at once with OVERLOADED.
 *
 * Why piscina rather than bare worker_threads: a maintained pool that respawns crashed workers, moves results without
 * copies (`move`), and closes cleanly. Its own queue stays empty: Admission hands it a task only when a thread is free,
 * so a cancelled request leaves the line without piscina ever terminating a worker in the middle of a libvips call
 * (which sharp does not survive). A task already running finishes; its caller is released at once.
 */

export interface DecodePoolOptions {
  /** Worker threads; each decodes one image at a time. */
  readonly threads: number;
  /** Images allowed to wait for a thread or for budget before OVERLOADED. */
  readonly maxWaiting: number;
  /** Bytes the decodes running at once may hold (see decodeCost). */
  readonly budgetBytes: number;
  readonly maxInputPixels: number;
  readonly preprocessing: ImagePreprocessing;
}

/** Sent to each worker once, at start. */
export interface DecodeWorkerData {
  readonly preprocessing: ImagePreprocessing;
  readonly maxInputPixels: number;
}
export interface DecodeTask {
  readonly bytes: Uint8Array;
  /** Read on the main thread before admission; the worker decodes without parsing it again. */
  readonly header: ImageHeader;
}
/** A plane, or the expected failure that stopped it. */
export type DecodeReply = Float32Array | { readonly code: ImageErrorCode; readonly message: string };

/** The default thread count: one per core (the model runs between decodes, on ONNX Runtime's own threads). */
export function defaultDecodeThreads(): number {
  return Math.max(1, availableParallelism());
}

/**
 * Peak bytes one decode holds, from the header alone: the full-size decode (RGBA when the image has alpha; the white
 * composite packs RGB into the same buffer), the first resize pass's output (in the pass order Pillow picks), and the
 * float plane handed back.
 */
export function decodeCost(h: Pick<ImageHeader, 'width' | 'height' | 'hasAlpha'>, p: Pick<ImagePreprocessing, 'width' | 'height'>): number {
  const decoded = h.width * h.height * (h.hasAlpha ? 4 : 3);
  const firstPass = 3 * (verticalFirst(h.width, h.height, p.width, p.height) ? h.width * p.height : p.width * h.height);
  return decoded + firstPass + 4 * 3 * p.width * p.height;
}

/**
 * The most any admissible image (at most `maxPixels`) can cost: RGBA at the limit, plus the largest first pass
 * Pillow's order allows. It shrinks the longer side first, so that pass is at most the model side times about
 * sqrt(2 * maxPixels) rows or columns.
 */
export function worstDecodeCost(maxPixels: number, p: Pick<ImagePreprocessing, 'width' | 'height'>): number {
  const side = Math.max(p.width, p.height);
  return 4 * maxPixels + 3 * side * (Math.ceil(Math.sqrt(2 * maxPixels)) + 2 * side) + 4 * 3 * p.width * p.height;
}

export class DecodePool {
  private readonly pool: Piscina<DecodeTask, DecodeReply>;
  private readonly admission: Admission;

  constructor(private readonly opts: DecodePoolOptions) {
    const largest = worstDecodeCost(opts.maxInputPixels, opts.preprocessing);
    if (opts.budgetBytes < largest) {
      // An image that can never fit would wait forever; loadConfig checks a rougher bound before the model is known.
      throw new AppError(
        'CONFIG_INVALID',
        `IMAGE_DECODE_BUDGET_MB (${(opts.budgetBytes / 2 ** 20).toFixed(0)}) is below one decode at IMAGE_MAX_PIXELS (${Math.ceil(largest / 2 ** 20)} MiB)`,
      );
    }
    this.admission = new Admission({ slots: opts.threads, budget: opts.budgetBytes, maxWaiting: opts.maxWaiting });
    const worker: DecodeWorkerData = { preprocessing: opts.preprocessing, maxInputPixels: opts.maxInputPixels };
    this.pool = new Piscina<DecodeTask, DecodeReply>({
      ...workerScript(__dirname, 'decode.worker'),
      minThreads: opts.threads,
      maxThreads: opts.threads,
      // Admission never hands over more tasks than threads; a queue here would be a bug, so keep it tiny.
      maxQueue: opts.threads,
      idleTimeout: Infinity,
      workerData: worker,
    });
  }

  get stats(): AdmissionStats {
    return this.admission.stats;
  }

  /**
   * The model's input for these bytes. Refused formats and images over the pixel limit reject with ImageInputError
   * before any pixel is decoded; a full line rejects with OVERLOADED at once; a fired `signal` releases the caller at
   * once (from the line, or from a running decode, which still finishes in its thread).
   */
  async toPixelPlane(bytes: Uint8Array, signal?: AbortSignal): Promise<PixelPlane> {
    signal?.throwIfAborted();
    this.admission.refuseIfFull();
    const header = await readImageHeader(bytes, this.opts.maxInputPixels);
    const work = this.admission.run(decodeCost(header, this.opts.preprocessing), () => this.pool.run({ bytes, header }), signal);
    const reply = await (signal ? untilAborted(work, signal) : work);
    if (ArrayBuffer.isView(reply)) return reply;
    throw new ImageInputError(reply.code, reply.message);
  }

  /** Waits for running decodes, then stops the threads. */
  async close(): Promise<void> {
    await this.pool.close();
  }
}

function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  work.catch(() => undefined); // if the caller leaves first, the task's own outcome has nobody to tell
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
