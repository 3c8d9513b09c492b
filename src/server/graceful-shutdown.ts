import type * as http from 'node:http';
import { logger } from '../common/logger';

export interface GracefulShutdownOptions {
  httpServer: http.Server;
  /** From the stop signal to exit: in-flight requests and closing must fit in it, or the process exits 1. */
  timeoutMs: number;
  /** Releases the rest (GraphQL server, Elasticsearch client, model, image fetcher) once requests are done. */
  close: () => Promise<void>;
  exit?: (code: number) => void;
  /**
   * A repeat of the stop signal within this window is the same request, not an order to force: under `npm start`
   * one Ctrl-C reaches the server twice, from the terminal and again forwarded by npm.
   */
  repeatWindowMs?: number;
  /**
   * From the signal, this long passes before the listener closes: `markUnready` has turned /readyz to 503, so load
   * balancers stop routing here while requests are still served. Counts against `timeoutMs`.
   */
  unreadyDelayMs?: number;
  markUnready?: () => void;
}

export interface GracefulShutdown {
  /** The first call starts the shutdown; a later call (outside the repeat window) forces the exit. */
  stop(reason: string): void;
  inFlight(): number;
}

/**
 * Stop taking work, finish what was taken, then exit 0. On the first signal readiness turns 503 and, after
 * `unreadyDelayMs` (while everything is still served, so no request routed before the balancer noticed is lost), the
 * listening socket closes (new
 * connections are refused), idle keep-alive connections close, and every response still to come carries
 * `connection: close`, so no client sends another request on an old connection. When the last in-flight
 * response is done, `close` runs and the process exits 0. The deadline or a second signal exits 1 at once,
 * dropping whatever is still open.
 *
 * Install it right after the server starts listening: it counts requests from then on.
 */
export function gracefulShutdown(o: GracefulShutdownOptions): GracefulShutdown {
  const exit = o.exit ?? ((code: number) => process.exit(code));
  const repeatWindowMs = o.repeatWindowMs ?? 1000;
  const inFlight = new Set<http.ServerResponse>();
  let startedAt: number | null = null;
  let closing = false;
  let drained: () => void = () => {};
  let exited = false;

  const finish = (code: number) => {
    if (exited) return;
    exited = true;
    exit(code);
  };

  // Prepended so it runs before the request handler and can still set headers.
  o.httpServer.prependListener('request', (_req: http.IncomingMessage, res: http.ServerResponse) => {
    inFlight.add(res);
    if (closing) res.setHeader('connection', 'close');
    res.once('close', () => {
      inFlight.delete(res);
      if (!closing) return;
      // A response streamed before the signal kept its keep-alive header; close its connection once idle.
      o.httpServer.closeIdleConnections();
      if (inFlight.size === 0) drained();
    });
  });

  const force = (why: string, fields: Record<string, unknown>) => {
    logger.warn(`shutdown: ${why}; exiting without waiting`, { ...fields, inFlight: inFlight.size });
    o.httpServer.closeAllConnections();
    finish(1);
  };

  return {
    inFlight: () => inFlight.size,
    stop(reason) {
      if (startedAt !== null) {
        if (Date.now() - startedAt >= repeatWindowMs) force('second signal', { signal: reason });
        return;
      }
      startedAt = Date.now();
      logger.info('shutting down: refusing new connections, draining in-flight requests', {
        signal: reason,
        inFlight: inFlight.size,
        timeoutMs: o.timeoutMs,
        unreadyDelayMs: o.unreadyDelayMs ?? 0,
      });
      const deadline = setTimeout(() => force('deadline passed', { timeoutMs: o.timeoutMs }), o.timeoutMs);
      const closeListener = () => {
        closing = true;
        o.httpServer.close();
        for (const res of inFlight) if (!res.headersSent) res.setHeader('connection', 'close');
        o.httpServer.closeIdleConnections();
        return inFlight.size === 0 ? Promise.resolve() : new Promise<void>((r) => (drained = r));
      };
      o.markUnready?.();
      const delayMs = o.unreadyDelayMs ?? 0;
      const allDone = delayMs > 0 ? new Promise((r) => setTimeout(r, delayMs)).then(closeListener) : closeListener();
      void allDone
        .then(async () => {
          logger.info('shutdown: in-flight requests done; closing', { afterMs: Date.now() - startedAt! });
          await o.close();
          clearTimeout(deadline);
          logger.info('shutdown: stopped', { afterMs: Date.now() - startedAt! });
          finish(0);
        })
        .catch((e: unknown) => {
          clearTimeout(deadline);
          logger.error('shutdown: closing failed', { error: e instanceof Error ? e.message : String(e) });
          finish(1);
        });
    },
  };
}
