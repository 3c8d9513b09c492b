import type { VectorIndexType } from '../../common/vectors';
import type { ElasticsearchObserver } from './request-metrics';

/** How the adapter reaches Elasticsearch: the options it takes and the client settings they become. */

export type ElasticsearchOptions = {
  auth?: { apiKey: string } | { username: string; password: string };
  indexAlias: string;
  /** Per attempt; a connection failure is retried on the next node, a timeout is not (it would double the wait). */
  requestTimeoutMs: number;
  maxRetries: number;
  /** Primary shards and replicas of indices this adapter creates (default 1 and 0: one local node). */
  shards?: number;
  replicas?: number;
  /** How indices this adapter creates store vectors (default int8_hnsw); an existing index keeps its type. */
  vectorIndexType?: VectorIndexType;
  /**
   * `rescore_vector.oversample` of every kNN: quantised index types rescore their candidates with the stored float
   * vectors (0: no rescoring, also not bbq's mapping default; undefined: the mapping's default).
   */
  knnOversample?: number;
  /** Requests open at once, and requests waiting for a slot before OVERLOADED (default 64 and 256). */
  maxInFlight?: number;
  maxQueued?: number;
  /** Told about every request (metrics). */
  observer?: ElasticsearchObserver;
} & ({ url: string } | { nodes: readonly string[] });

/** Settings for `new Client(...)` (@elastic/elasticsearch ClientOptions). */
export function clientOptions(o: ElasticsearchOptions) {
  return {
    // Every node: requests go round-robin to the live ones, and a request whose connection fails (node killed,
    // refused, reset) marks that node dead and is retried on the next one, up to maxRetries. A timeout is not retried
    // (the transport's default), so a slow cluster costs one ES_REQUEST_TIMEOUT_MS, not maxRetries + 1 of them. A
    // dead node is tried again after 60 s (doubling while it stays dead).
    nodes: 'nodes' in o ? [...o.nodes] : [o.url],
    auth: o.auth,
    requestTimeout: o.requestTimeoutMs,
    maxRetries: o.maxRetries,
    // 9.x has no response cap by default; a runaway response must not exhaust the heap.
    maxResponseSize: 64 * 1024 * 1024,
    compression: false,
    // Sniffing stays off: nodes advertise their publish addresses, which behind a load balancer, in containers or
    // across networks are not the addresses this server can reach; the configured URLs are the ones to use.
    sniffOnStart: false,
    sniffInterval: false as const,
    sniffOnConnectionFault: false,
  };
}
