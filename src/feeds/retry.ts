/**
 * Retries with exponential backoff and full jitter: attempt n waits a uniform random time in
 * [0, min(maxDelayMs, baseDelayMs * 2^n)], so clients that failed together do not come back together.
 */
export interface RetryOptions {
  /** Further attempts after the first. */
  retries: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface RetryHooks {
  random?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Called before each retry with the failed attempt's error. */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
}

export function backoffDelay(attempt: number, o: RetryOptions, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(o.maxDelayMs, o.baseDelayMs * 2 ** attempt));
}

export async function withRetries<T>(
  fn: () => Promise<T>,
  shouldRetry: (error: unknown) => boolean,
  o: RetryOptions,
  signal?: AbortSignal,
  hooks: RetryHooks = {},
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (attempt >= o.retries || !shouldRetry(e) || signal?.aborted) throw e;
      const delay = backoffDelay(attempt, o, hooks.random);
      hooks.onRetry?.(e, attempt + 1, delay);
      await (hooks.sleep ?? sleep)(delay, signal);
    }
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
