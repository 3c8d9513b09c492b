/**
 * Politeness towards a merchant's CDN: at most `concurrency` requests in flight overall, at most `perHost` to any one
 * host, and (optionally) `hostDelayMs` between the starts of two requests to the same host. Waiters are served in
 * arrival order, except that one blocked by its host's limits never holds up a request to another host.
 */
export interface PolitenessOptions {
  concurrency: number;
  perHost: number;
  hostDelayMs: number;
}

interface Waiter {
  host: string;
  start: () => void;
}

interface HostState {
  active: number;
  nextStart: number;
}

export class HostScheduler {
  private active = 0;
  private readonly waiting: Waiter[] = [];
  private readonly hosts = new Map<string, HostState>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly o: PolitenessOptions,
    private readonly now: () => number = Date.now,
  ) {
    if (!(o.concurrency >= 1 && o.perHost >= 1 && o.hostDelayMs >= 0)) {
      throw new RangeError('HostScheduler: concurrency and perHost must be >= 1, hostDelayMs >= 0');
    }
  }

  /** Runs `fn` once the limits allow a request to `host`. A fired signal takes the waiter out of the queue. */
  async run<T>(host: string, fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    signal?.throwIfAborted();
    await new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { host, start: resolve };
      const onAbort = () => {
        const at = this.waiting.indexOf(waiter);
        if (at >= 0) this.waiting.splice(at, 1);
        reject(signal!.reason);
      };
      waiter.start = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(waiter);
      this.pump();
    });
    try {
      return await fn();
    } finally {
      this.active--;
      const h = this.hosts.get(host)!;
      h.active--;
      if (h.active === 0 && h.nextStart <= this.now()) this.hosts.delete(host);
      this.pump();
    }
  }

  /** Requests running now (for tests and progress). */
  get running(): number {
    return this.active;
  }

  private pump(): void {
    const now = this.now();
    let wakeAt = Infinity;
    for (let i = 0; i < this.waiting.length && this.active < this.o.concurrency; ) {
      const w = this.waiting[i]!;
      const h = this.hosts.get(w.host) ?? { active: 0, nextStart: 0 };
      if (h.active >= this.o.perHost) {
        i++;
        continue;
      }
      if (h.nextStart > now) {
        wakeAt = Math.min(wakeAt, h.nextStart);
        i++;
        continue;
      }
      this.waiting.splice(i, 1);
      h.active++;
      h.nextStart = now + this.o.hostDelayMs;
      this.hosts.set(w.host, h);
      this.active++;
      w.start();
    }
    if (wakeAt !== Infinity && this.timer === undefined) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.pump();
      }, wakeAt - now);
    }
  }
}
