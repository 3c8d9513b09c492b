import { z } from 'zod';
import { DEFAULT_VECTOR_INDEX_TYPE, VECTOR_INDEX_TYPES } from '../common/vectors';
import { csv, int } from './env-fields';

/** The variables of the Elasticsearch connection and index, part of the one schema in config.ts. */
export const ELASTICSEARCH_ENV = {
  /**
   * Every node the client may send requests to, comma-separated (or one load balancer). The client spreads requests
   * over them and retries a failed connection on the next one, so one node going away fails no request.
   */
  ES_URL: csv
    .pipe(z.array(z.url({ protocol: /^https?$/ })).min(1, 'at least one http(s) URL'))
    .default(['http://127.0.0.1:9200']),
  ES_API_KEY: z.string().min(1).optional(),
  ES_USERNAME: z.string().min(1).optional(),
  ES_PASSWORD: z.string().min(1).optional(),
  ES_INDEX_ALIAS: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]{0,60}$/, 'lowercase letters, digits, "-" or "_", at most 61 characters')
    .default('products'),
  ES_REQUEST_TIMEOUT_MS: int(100, 300_000).default(10_000),
  ES_MAX_RETRIES: int(0, 10).default(2),
  /**
   * Elasticsearch requests open at once, and how many more may wait for one; the next is answered OVERLOADED (503)
   * at once. A slow cluster then sheds load instead of queueing requests without bound.
   */
  ES_MAX_IN_FLIGHT: int(1, 10_000).default(64),
  ES_MAX_QUEUED: int(0, 100_000).default(256),
  /** Primary shards of a new index (fixed once created). One suits catalogs up to tens of millions of products. */
  ES_INDEX_SHARDS: int(1, 64).default(1),
  /** Copies of each shard on other nodes; 0 for one node, at least 1 on a cluster so losing a node loses nothing. */
  ES_INDEX_REPLICAS: int(0, 8).default(0),
  /** How a new index stores vectors (README "Performance" has recall and latency per type at 1M products). */
  ES_VECTOR_INDEX_TYPE: z.enum(VECTOR_INDEX_TYPES).default(DEFAULT_VECTOR_INDEX_TYPE),
  /**
   * kNN `rescore_vector.oversample` for quantised index types: the candidates are rescored with the stored float
   * vectors. The kNN's k is the whole candidate set (1,000), so 1 rescores every candidate; 0 turns rescoring off.
   * README "Performance" has recall and latency.
   */
  ES_KNN_OVERSAMPLE: z.coerce
    .number()
    .refine((v) => v === 0 || (v >= 1 && v <= 10), 'must be 0 (off) or between 1 and 10 (Elasticsearch\'s bounds)')
    .default(1),
  /** How long boot waits for an unreachable Elasticsearch before giving up. */
  ES_STARTUP_WAIT_MS: int(0, 600_000).default(30_000),
};
