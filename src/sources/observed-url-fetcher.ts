import { ImageInputError } from '../common/errors';
import type { ImageFetchObserver } from '../common/metrics';
import type { ImageValidators } from './image-source';
import type { UrlFetcher } from './image-source.service';

type Conditional = Awaited<ReturnType<UrlFetcher['fetchIfModified']>>;

/**
 * A UrlFetcher that reports each fetch's outcome and duration: `ok`, `not_modified` (a conditional fetch answered
 * 304), the image error code the client sees (IMAGE_FETCH_FAILED, IMAGE_URL_FORBIDDEN, IMAGE_TOO_LARGE,
 * IMAGE_UNDECODABLE), `cancelled` when the caller gave up, or `error` for anything else. A decorator, so the fetcher
 * itself knows nothing about metrics.
 */
export class ObservedUrlFetcher implements UrlFetcher {
  constructor(
    private readonly inner: UrlFetcher,
    private readonly observer: ImageFetchObserver,
  ) {}

  fetch(url: string, signal?: AbortSignal): Promise<{ bytes: Buffer }> {
    return this.observe(() => this.inner.fetch(url, signal), () => 'ok', signal);
  }

  fetchIfModified(url: string, known: ImageValidators | undefined, signal?: AbortSignal): Promise<Conditional> {
    return this.observe(() => this.inner.fetchIfModified(url, known, signal), (r) => (r.modified ? 'ok' : 'not_modified'), signal);
  }

  private async observe<T>(run: () => Promise<T>, outcomeOf: (r: T) => string, signal?: AbortSignal): Promise<T> {
    const started = performance.now();
    let outcome = 'error';
    try {
      const result = await run();
      outcome = outcomeOf(result);
      return result;
    } catch (e) {
      outcome = e instanceof ImageInputError ? e.code : signal?.aborted ? 'cancelled' : 'error';
      throw e;
    } finally {
      this.observer.fetched(outcome, (performance.now() - started) / 1000);
    }
  }
}
