import { AppError } from '../../common/errors';

/**
 * Admission for decode work: at most `slots` tasks run at once (one per worker thread) and the tasks running hold at
 * most `budget` units between them (bytes of decoded pixels), in arrival order. A task waits until both fit; at most
 * `maxWaiting` tasks wait, and the next one is refused at once with OVERLOADED instead of queueing without bound.
 *
 * Strict FIFO on purpose: a large image at the head is not overtaken by small ones forever (no starvation), and the
 * wait a caller sees is the work ahead of it. A waiter whose signal fires leaves the line at once.
 */

export interface AdmissionOptions {
  readonly slots: number;
  readonly budget: number;
  readonly maxWaiting: number;
}

export interface AdmissionStats {
  readonly running: number;
  readonly waiting: number;
  /** Units held by the running tasks. */
  readonly held: number;
  /** Tasks refused with OVERLOADED since start. */
  readonly refused: number;
}

interface Waiter {
  readonly weight: number;
  readonly grant: () => void;
}

export class Admission {
  private running = 0;
  private held = 0;
  private refused = 0;
  private readonly line: Waiter[] = [];

  constructor(private readonly opts: AdmissionOptions) {
    if (!(opts.slots >= 1 && opts.budget >= 1 && opts.maxWaiting >= 0)) {
      throw new RangeError('Admission: slots and budget must be >= 1, maxWaiting >= 0');
    }
  }

  get stats(): AdmissionStats {
    return { running: this.running, waiting: this.line.length, held: this.held, refused: this.refused };
  }

  /**
   * Runs `task` once a slot and `weight` units are free. A weight over the whole budget is a caller bug (the config
   * check keeps the budget above the largest admissible image), so it throws rather than waiting forever.
   */
  async run<T>(weight: number, task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (!(weight >= 0 && weight <= this.opts.budget)) {
      throw new RangeError(`Admission: weight ${weight} is outside 0..${this.opts.budget}`);
    }
    await this.acquire(weight, signal);
    try {
      return await task();
    } finally {
      this.running--;
      this.held -= weight;
      this.admit();
    }
  }

  /** Refuses at once (OVERLOADED) when a new task would find the line full; lets callers skip work before run(). */
  refuseIfFull(): void {
    if (this.line.length >= this.opts.maxWaiting && !(this.line.length === 0 && this.fits(0))) {
      this.refused++;
      throw overloaded(this.opts.maxWaiting);
    }
  }

  private fits(weight: number): boolean {
    return this.running < this.opts.slots && this.held + weight <= this.opts.budget;
  }

  private acquire(weight: number, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    if (this.line.length === 0 && this.fits(weight)) {
      this.take(weight);
      return Promise.resolve();
    }
    if (this.line.length >= this.opts.maxWaiting) {
      this.refused++;
      return Promise.reject(overloaded(this.opts.maxWaiting));
    }
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        const at = this.line.indexOf(waiter);
        if (at >= 0) this.line.splice(at, 1);
        // The head may have been the one blocking smaller waiters behind it.
        if (at === 0) this.admit();
        reject(signal!.reason);
      };
      const waiter: Waiter = {
        weight,
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.line.push(waiter);
    });
  }

  private take(weight: number): void {
    this.running++;
    this.held += weight;
  }

  private admit(): void {
    while (this.line.length > 0 && this.fits(this.line[0]!.weight)) {
      const next = this.line.shift()!;
      this.take(next.weight);
      next.grant();
    }
  }
}

function overloaded(maxWaiting: number): AppError {
  return new AppError('OVERLOADED', `Image decode queue is full (${maxWaiting} waiting)`);
}
