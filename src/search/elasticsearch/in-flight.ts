import { AppError } from '../../common/errors';

/**
 * A bound on the Elasticsearch requests this process has open. When Elasticsearch slows down, requests would
 * otherwise pile up in the client's socket pool without limit (memory, and answers long after anyone waits for them).
 * Up to `maxInFlight` run at once, up to `maxQueued` more wait in line for a slot (first come, first served), and the
 * next one is refused at once with OVERLOADED, which the server answers as a fast 503.
 *
 * A slot is held until Elasticsearch answers or the client's own timeout (ES_REQUEST_TIMEOUT_MS) ends the request,
 * even when the GraphQL request that asked has already been answered, so the bound is on real sockets.
 */
export class InFlightLimit {
  private active = 0;
  private readonly line: (() => void)[] = [];
  /** Requests refused since start. */
  refused = 0;

  constructor(
    private readonly maxInFlight: number,
    private readonly maxQueued: number,
  ) {}

  get inFlight(): number {
    return this.active;
  }

  get queued(): number {
    return this.line.length;
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.maxInFlight) {
      if (this.line.length >= this.maxQueued) {
        this.refused++;
        throw new AppError(
          'OVERLOADED',
          `Elasticsearch has ${this.active} requests in flight and ${this.line.length} waiting (ES_MAX_IN_FLIGHT, ES_MAX_QUEUED)`,
        );
      }
      // The slot is handed over by the finishing request, so `active` never drops in between.
      await new Promise<void>((resolve) => this.line.push(resolve));
    } else {
      this.active++;
    }
    try {
      return await fn();
    } finally {
      const next = this.line.shift();
      if (next) next();
      else this.active--;
    }
  }
}
