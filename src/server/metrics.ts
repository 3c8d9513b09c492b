import * as http from 'node:http';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { BatchObserver, ElasticsearchObserver, ImageFetchObserver, QueueGauges } from '../common/metrics';
import { logger } from '../common/logger';

/**
 * The Prometheus registry (prom-client; the only module that imports it). One per server, so several servers in one
 * process (tests) never mix their counts. It implements the small observer interfaces of common/metrics.ts that the
 * embedding service, the Elasticsearch adapter and the image fetcher report to; the HTTP server reports each request.
 * README "Operations" lists every metric.
 */

/** One finished HTTP request, with a result per executed GraphQL root field. */
export interface RequestObservation {
  /** A bounded route name (`graphql`, `readyz`, `widgets`, ... or `other`), never the raw path. */
  route: string;
  method: string;
  status: number;
  seconds: number;
  operations: { operation: string; result: string }[];
}

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export class ServerMetrics implements QueueGauges, BatchObserver, ElasticsearchObserver, ImageFetchObserver {
  readonly registry = new Registry();
  private readonly queues = new Map<string, () => number>();
  private readonly http: Histogram<'route' | 'method' | 'status'>;
  private readonly graphql: Histogram<'operation' | 'result'>;
  private readonly limited: Counter<'budget'>;
  private readonly batchSize: Histogram<'tower'>;
  private readonly batchSeconds: Histogram<'tower'>;
  private readonly imageFetch: Histogram<'outcome'>;
  private readonly esSeconds: Histogram<'endpoint'>;
  private readonly esErrors: Counter<'endpoint' | 'kind'>;
  private readonly model: Gauge<'model_id' | 'dims'>;

  private indexInfo?: () => Promise<{ alias: string; index: string } | undefined>;

  constructor() {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.http = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP requests by route, method and status (499: the client left first); _count is the request count',
      labelNames: ['route', 'method', 'status'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.graphql = new Histogram({
      name: 'graphql_operation_duration_seconds',
      help: 'GraphQL requests per root field and its result type (ProductHits, ProductNotFound) or error code (OVERLOADED)',
      labelNames: ['operation', 'result'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.limited = new Counter({ name: 'rate_limited_requests_total', help: 'Requests refused with 429, by the budget that ran out', labelNames: ['budget'], registers });
    this.batchSize = new Histogram({
      name: 'embedding_batch_size',
      help: 'Inputs per model run, per tower',
      labelNames: ['tower'],
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
      registers,
    });
    this.batchSeconds = new Histogram({ name: 'embedding_batch_duration_seconds', help: 'Model run time per batch, per tower', labelNames: ['tower'], buckets: LATENCY_BUCKETS, registers });
    const queues = this.queues;
    new Gauge({
      name: 'work_queue_depth',
      help: 'Items waiting in a bounded work queue (decode, embed_image, embed_text) at scrape time',
      labelNames: ['queue'],
      registers,
      collect() {
        for (const [queue, read] of queues) this.set({ queue }, read());
      },
    });
    this.imageFetch = new Histogram({
      name: 'image_fetch_duration_seconds',
      help: 'Image URL fetches by outcome: ok, IMAGE_FETCH_FAILED, IMAGE_URL_FORBIDDEN, IMAGE_TOO_LARGE, IMAGE_UNDECODABLE, cancelled',
      labelNames: ['outcome'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.esSeconds = new Histogram({ name: 'elasticsearch_request_duration_seconds', help: 'Elasticsearch HTTP requests by endpoint (last attempt)', labelNames: ['endpoint'], buckets: LATENCY_BUCKETS, registers });
    this.esErrors = new Counter({ name: 'elasticsearch_request_errors_total', help: 'Failed Elasticsearch requests by endpoint and kind (connection, timeout, status_NNN)', labelNames: ['endpoint', 'kind'], registers });
    this.model = new Gauge({ name: 'model_info', help: 'The embedding model this server runs (always 1)', labelNames: ['model_id', 'dims'], registers });
    const self = this;
    new Gauge({
      name: 'search_index_info',
      help: 'The versioned index behind the alias (always 1); it changes when a reindex swaps the alias',
      labelNames: ['alias', 'index'],
      registers,
      async collect() {
        const found = await self.indexInfo?.();
        this.reset();
        if (found) this.set(found, 1);
      },
    });
  }

  /** Where search_index_info comes from: read at most every 15 s, and at most 2 s per scrape. */
  watchIndex(read: () => Promise<{ alias: string; index: string } | undefined>): void {
    this.indexInfo = cachedFor(15_000, read);
  }

  setModel(modelId: string, dims: number): void {
    this.model.reset();
    this.model.set({ model_id: modelId, dims: String(dims) }, 1);
  }

  queueDepth(queue: string, read: () => number): void {
    this.queues.set(queue, read);
  }

  batchRan(tower: string, size: number, seconds: number): void {
    this.batchSize.observe({ tower }, size);
    this.batchSeconds.observe({ tower }, seconds);
  }

  requestDone(endpoint: string, seconds: number, error?: string): void {
    this.esSeconds.observe({ endpoint }, seconds);
    if (error) this.esErrors.inc({ endpoint, kind: error });
  }

  fetched(outcome: string, seconds: number): void {
    this.imageFetch.observe({ outcome }, seconds);
  }

  rateLimited(budget: string): void {
    this.limited.inc({ budget });
  }

  observeRequest(o: RequestObservation): void {
    this.http.observe({ route: o.route, method: o.method, status: String(o.status) }, o.seconds);
    for (const { operation, result } of o.operations) this.graphql.observe({ operation, result }, o.seconds);
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

/**
 * A listener that serves only GET /metrics, for a port the orchestrator scrapes but never exposes to the internet.
 */
export function createMetricsServer(metrics: Pick<ServerMetrics, 'render'>): http.Server {
  return http.createServer((req, res) => {
    if (new URL(req.url ?? '/', 'http://localhost').pathname !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found\n');
      return;
    }
    metrics.render().then(
      ({ contentType, body }) => res.writeHead(200, { 'content-type': contentType }).end(req.method === 'HEAD' ? undefined : body),
      (e: unknown) => {
        logger.error('metrics: rendering failed', { error: e });
        res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics unavailable\n');
      },
    );
  });
}

/**
 * `read` at most once per `ms`, and never longer than 2 s for a scrape: a slow or absent Elasticsearch leaves the
 * last known answer in place instead of stalling /metrics.
 */
function cachedFor<T>(ms: number, read: () => Promise<T>): () => Promise<T | undefined> {
  let last: { at: number; value: T | undefined } = { at: -Infinity, value: undefined };
  let pending: Promise<void> | null = null;
  return async () => {
    if (performance.now() - last.at >= ms && !pending) {
      pending = read()
        .then((value) => void (last = { at: performance.now(), value }))
        .catch(() => void (last = { ...last, at: performance.now() }))
        .finally(() => (pending = null));
    }
    if (pending) await Promise.race([pending, new Promise((r) => setTimeout(r, 2000).unref())]);
    return last.value;
  };
}
