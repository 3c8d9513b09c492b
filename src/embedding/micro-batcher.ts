import { AppError } from '../common/errors';

/**
 * Coalesces concurrent single-item calls into batch calls. One ONNX run over N inputs costs far less than N
 * runs on a CPU, and concurrent runs would only fight over the same cores, so batches run one at a time.
 *
 * Adaptive, with no fixed wait: when the model is idle an item goes at the end of the current event-loop turn (so
 * calls made together, e.g. a Promise.all, share a batch, and a lone request pays no timer); while a batch runs, what
 * queues meanwhile becomes the next batch, which starts the moment the running one ends. Under load batches grow by
 * themselves; at low load nobody waits for companions that may never come.
 *
 * The queue is bounded: under overload callers get a fast OVERLOADED error instead of unbounded latency.
 * An item whose caller gave up (its AbortSignal fired) leaves the queue at once and is never run.
 */

export interface MicroBatcherOptions {
  /** Upper bound on items per batch call. */
  readonly maxBatchSize: number;
  /**
   * Extra time an item waits for companions when the runner is idle. 0 (the default everywhere) is the adaptive
   * policy above; a positive wait only pays off when one run costs nearly the same at any batch size (e.g. a GPU).
   */
  readonly maxWaitMs: number;
  /** Items allowed to wait (excluding the running batch) before submit() rejects with OVERLOADED. */
  readonly maxQueue: number;
  /** Told about every batch that ran (its size and run time), for metrics. */
  readonly onBatch?: (size: number, seconds: number) => void;
}

interface Pending<I, O> {
  readonly item: I;
  readonly resolve: (o: O) => void;
  readonly reject: (e: unknown) => void;
  readonly enqueuedAt: number;
}

/** Items that went through the batch function, and items dropped from the queue because their caller gave up. */
export interface MicroBatcherStats {
  readonly ran: number;
  readonly dropped: number;
}

export class MicroBatcher<I, O> {
  private queue: Pending<I, O>[] = [];
  /** Cancels the scheduled start of the next batch, if one is scheduled. */
  private cancelStart: (() => void) | null = null;
  private running: Promise<void> | null = null;
  private closed = false;
  private counts = { ran: 0, dropped: 0 };

  /** @param runBatch must return exactly one output per input, in order. */
  constructor(
    private readonly runBatch: (items: readonly I[]) => Promise<readonly O[]>,
    private readonly opts: MicroBatcherOptions,
  ) {
    if (!(opts.maxBatchSize >= 1 && opts.maxWaitMs >= 0 && opts.maxQueue >= 1)) {
      throw new RangeError('MicroBatcher: maxBatchSize and maxQueue must be >= 1, maxWaitMs >= 0');
    }
  }

  /** Items waiting for a batch (not counting the one running). */
  get queued(): number {
    return this.queue.length;
  }

  get stats(): MicroBatcherStats {
    return { ...this.counts };
  }

  /**
   * Queues one item for the next batch. When `signal` fires while the item waits, it leaves the queue and the promise
   * rejects with the signal's reason; once its batch runs, the caller is released at once but the batch finishes.
   */
  submit(item: I, signal?: AbortSignal): Promise<O> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.closed) return Promise.reject(new AppError('OVERLOADED', 'Embedding queue is shut down'));
    if (this.queue.length >= this.opts.maxQueue) {
      return Promise.reject(new AppError('OVERLOADED', `Embedding queue is full (${this.opts.maxQueue} waiting)`));
    }
    return new Promise<O>((resolve, reject) => {
      const onAbort = () => {
        const at = this.queue.indexOf(pending);
        if (at >= 0) {
          this.queue.splice(at, 1);
          this.counts.dropped++;
        }
        reject(signal!.reason);
      };
      // Settling (normally or by abort) detaches the listener, so a long-lived signal does not collect them.
      const release = () => signal?.removeEventListener('abort', onAbort);
      const pending: Pending<I, O> = {
        item,
        resolve: (o) => {
          release();
          resolve(o);
        },
        reject: (e) => {
          release();
          reject(e);
        },
        enqueuedAt: Date.now(),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(pending);
      this.schedule();
    });
  }

  /** Stops accepting work, runs what is queued, and resolves when the last batch has finished. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.running || this.queue.length > 0) {
      if (!this.running) this.flush();
      await this.running;
    }
  }

  private schedule(): void {
    if (this.running) return; // the running batch reschedules when it finishes
    const oldest = this.queue[0];
    if (!oldest) return;
    const waited = Date.now() - oldest.enqueuedAt;
    if (this.queue.length >= this.opts.maxBatchSize || this.closed || (this.opts.maxWaitMs > 0 && waited >= this.opts.maxWaitMs)) {
      this.flush();
    } else if (!this.cancelStart) {
      const go = () => {
        this.cancelStart = null;
        if (!this.running) this.flush();
      };
      if (this.opts.maxWaitMs > 0) {
        const t = setTimeout(go, this.opts.maxWaitMs - waited);
        this.cancelStart = () => clearTimeout(t);
      } else {
        const t = setImmediate(go);
        this.cancelStart = () => clearImmediate(t);
      }
    }
  }

  private flush(): void {
    this.cancelTimer();
    const batch = this.queue.splice(0, this.opts.maxBatchSize);
    if (batch.length === 0) return;
    this.running = this.execute(batch).finally(() => {
      this.running = null;
      // What queued while this batch ran goes now: it already waited one batch's time.
      if (this.queue.length > 0) this.flush();
    });
  }

  private cancelTimer(): void {
    this.cancelStart?.();
    this.cancelStart = null;
  }

  private async execute(batch: readonly Pending<I, O>[]): Promise<void> {
    this.counts.ran += batch.length;
    const started = performance.now();
    try {
      const outputs = await this.runBatch(batch.map((p) => p.item));
      this.opts.onBatch?.(batch.length, (performance.now() - started) / 1000);
      if (outputs.length !== batch.length) {
        throw new AppError('INTERNAL', `Batch function returned ${outputs.length} results for ${batch.length} inputs`);
      }
      batch.forEach((p, i) => p.resolve(outputs[i]!));
    } catch (err) {
      for (const p of batch) p.reject(err);
    }
  }
}
