/**
 * The hooks through which the layers below the server report what Prometheus should count. Each module depends on
 * its small interface only; the prom-client registry that implements them lives in server/metrics.ts, and every
 * hook is optional, so scripts and unit tests run without one.
 */

/** A bounded work queue (embedding batcher, decode pool): its depth is read at scrape time. */
export interface QueueGauges {
  queueDepth(queue: string, read: () => number): void;
}

/** One batch ran through a model tower. */
export interface BatchObserver {
  batchRan(tower: string, size: number, seconds: number): void;
}

/** One HTTP request to Elasticsearch finished: `error` names what went wrong (`connection`, `timeout`, `status_503`). */
export interface ElasticsearchObserver {
  requestDone(endpoint: string, seconds: number, error?: string): void;
}

/** One image URL fetch finished: `ok`, an image error code (`IMAGE_FETCH_FAILED`, ...), or `cancelled`. */
export interface ImageFetchObserver {
  fetched(outcome: string, seconds: number): void;
}
