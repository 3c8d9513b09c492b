/**
 * The image source a feed import uses: the API's own (same SSRF policy, byte cap, host allowlist, conditional
 * requests), wrapped in politeness towards the merchant's CDN and in retries of what may succeed later — 5xx, 408,
 * 429, timeouts, dropped connections (ImageInputError.transient). A 4xx, a forbidden address or bad bytes are never
 * retried. Backoff waits happen outside the host's slots, so a struggling host does not block the others.
 */
import { ImageInputError } from '../common/errors';
import type { ConditionalImage, ImageRef, ImageSource, ImageValidators } from '../sources/image-source';
import type { HostScheduler } from './host-scheduler';
import { withRetries, type RetryHooks, type RetryOptions } from './retry';

export interface FetchStats {
  /** Requests sent, retries included. */
  requests: number;
  retries: number;
  downloaded: number;
  notModified: number;
  bytes: number;
}

export class PoliteImageSource implements ImageSource {
  readonly stats: FetchStats = { requests: 0, retries: 0, downloaded: 0, notModified: 0, bytes: 0 };

  constructor(
    private readonly inner: ImageSource,
    private readonly scheduler: HostScheduler,
    private readonly retry: RetryOptions,
    private readonly hooks: RetryHooks = {},
  ) {}

  async resolve(ref: ImageRef, signal?: AbortSignal): Promise<Buffer> {
    const got = await this.resolveIfModified(ref, undefined, signal);
    if (!got.modified) throw new ImageInputError('IMAGE_FETCH_FAILED', 'Image URL answered HTTP 304 to a plain request');
    return got.bytes;
  }

  async resolveIfModified(ref: ImageRef, known: ImageValidators | undefined, signal?: AbortSignal): Promise<ConditionalImage> {
    const host = hostOf(ref);
    if (host === undefined) return this.inner.resolveIfModified(ref, known, signal); // base64, or a URL the policy refuses
    const got = await withRetries(
      () =>
        this.scheduler.run(
          host,
          () => {
            this.stats.requests++;
            return this.inner.resolveIfModified(ref, known, signal);
          },
          signal,
        ),
      (e) => e instanceof ImageInputError && e.transient,
      this.retry,
      signal,
      {
        ...this.hooks,
        onRetry: (e, attempt, delay) => {
          this.stats.retries++;
          this.hooks.onRetry?.(e, attempt, delay);
        },
      },
    );
    if (got.modified) {
      this.stats.downloaded++;
      this.stats.bytes += got.bytes.length;
    } else this.stats.notModified++;
    return got;
  }
}

function hostOf(ref: ImageRef): string | undefined {
  if (ref.url == null) return undefined;
  try {
    return new URL(ref.url).host.toLowerCase();
  } catch {
    return undefined;
  }
}
