import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import { z } from 'zod';
import { AppError } from '../common/errors';
import { LOG_LEVELS, type LogLevel } from '../common/logger';
import type { VectorIndexType } from '../common/vectors';
import { ELASTICSEARCH_ENV } from './elasticsearch-env';
import { bool, csv, int } from './env-fields';

/**
 * The one typed configuration object. It is read from the environment once, at boot, and every failure names the
 * variable and what is wrong with it. Nothing else in the codebase reads process.env.
 */

const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: int(0, 65535).default(4000),

  ...ELASTICSEARCH_ENV,

  MODEL_DIR: z.string().min(1).default('models/siglip-tiny'),
  MODEL_THREADS: int(1, 64).default(2),
  /**
   * Let the vision tower's ONNX Runtime pool threads busy-wait between operators (the runtime's own default). Off,
   * because image decoding needs those cycles: with it on, the in-process image pipeline (2 cores, siglip-tiny, batch
   * 32) spent ~1.5 ms of CPU per image spinning in the model's pool thread, and the model alone burnt 1.7 ms of CPU
   * per image at batch 32 against 0.9 with it off, for the same output bytes; interleaved, off embedded 1.52x as many
   * images/s. The cost: one image alone waits for sleeping threads, 1.2x the p50 of a spinning pool (1.5 -> 1.8 ms).
   * The text tower always spins: nothing decodes beside it, and one query at a time (the common case) ran at 0.8 ms
   * p50 spinning against 1.8-4.8 ms with its threads asleep.
   */
  MODEL_VISION_SPIN_WAIT: bool.default(false),
  EMBED_MAX_BATCH: int(1, 256).default(32),
  /** 0: adaptive batching (no fixed wait; see MicroBatcher). */
  EMBED_MAX_WAIT_MS: int(0, 1000).default(0),

  IMAGE_MAX_BYTES: int(1024, 100 * 1024 * 1024).default(10 * 1024 * 1024),
  IMAGE_MAX_PIXELS: int(1, 500_000_000).default(40_000_000),
  /** libvips threads per decode. Requests already decode in parallel, so one thread each avoids oversubscription. */
  IMAGE_DECODE_THREADS: int(1, 64).default(1),
  /** Decode worker threads (decode + Pillow-exact resize off the event loop); default: one per core. */
  IMAGE_WORKERS: int(1, 256).optional(),
  /** Images allowed to wait for a decode worker; one more is answered OVERLOADED (HTTP 503 + Retry-After) at once. */
  IMAGE_QUEUE_MAX: int(0, 100_000).default(128),
  /** Memory the decodes running at once may hold (decoded pixels, ~3-4 bytes each); they wait beyond it. */
  IMAGE_DECODE_BUDGET_MB: int(16, 1_048_576).default(256),
  IMAGE_FETCH_TIMEOUT_MS: int(100, 120_000).default(10_000),
  IMAGE_FETCH_MAX_REDIRECTS: int(0, 10).default(3),
  /** CIDRs that image URLs may resolve to despite being private. Empty in production; tests allow their fixture. */
  IMAGE_FETCH_ALLOW_PRIVATE: csv.default([]),
  /** Host names image URLs may name (`cdn.shop.com`, `*.shopifycdn.com`); empty = any public host. */
  IMAGE_FETCH_ALLOWED_HOSTS: csv.default([]),

  /** SHA-256 hex digests of API keys allowed to write. Store hashes, never keys. */
  API_KEY_SHA256: csv.default([]),
  /** Require an API key for reads too. */
  READS_REQUIRE_API_KEY: bool.default(false),

  GRAPHQL_MAX_DEPTH: int(2, 50).default(8),
  GRAPHQL_MAX_ALIASES: int(1, 100).default(15),
  GRAPHQL_MAX_TOKENS: int(100, 100_000).default(2000),
  GRAPHQL_MAX_DIRECTIVES: int(1, 100).default(20),
  GRAPHQL_MAX_COST: int(100, 1_000_000).default(5000),
  GRAPHQL_INTROSPECTION: bool.optional(),
  /** Compile query documents that repeat into JavaScript (graphql-jit); off: graphql-js interprets every request. */
  GRAPHQL_JIT: bool.default(true),
  HTTP_MAX_BODY_BYTES: int(1024, 200 * 1024 * 1024).default(25 * 1024 * 1024),
  /** Deadline per GraphQL request: past it, its image fetch and queued embeddings are cancelled. */
  REQUEST_TIMEOUT_MS: int(100, 600_000).default(60_000),
  /** SIGTERM to exit: in-flight requests get this long. Below Kubernetes' default 30 s grace period. */
  SHUTDOWN_TIMEOUT_MS: int(0, 600_000).default(25_000),
  /** From SIGTERM, /readyz answers 503 this long before the listener closes (inside SHUTDOWN_TIMEOUT_MS). */
  SHUTDOWN_UNREADY_DELAY_MS: int(0, 600_000).optional(),

  LOG_LEVEL: z.enum(LOG_LEVELS as [LogLevel, ...LogLevel[]]).default('info'),
  /** A separate listener that serves only /metrics; unset = none. */
  METRICS_PORT: int(0, 65535).optional(),
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  /** SHA-256 hex digests of bearer keys that may read /metrics on the main port; empty = not served there. */
  METRICS_API_KEY_SHA256: csv.default([]),

  /** Proxies in front of the server whose X-Forwarded-For entries are believed (0 = the socket address only). */
  TRUST_PROXY: z
    .union([z.enum(['true', 'false']).transform((v) => (v === 'true' ? 1 : 0)), int(0, 10)])
    .default(0),
  RATE_LIMIT_ENABLED: bool.optional(),
  RATE_LIMIT_WINDOW_S: int(1, 86_400).default(60),
  /** Points per window for each anonymous client address. */
  RATE_LIMIT_ANONYMOUS_POINTS: int(1, 10_000_000).default(300),
  /** Points per window for each API key. */
  RATE_LIMIT_KEY_POINTS: int(1, 10_000_000).default(3000),
  /** Points per window for each key's mutations, on top of its request budget. */
  RATE_LIMIT_WRITE_POINTS: int(1, 10_000_000).default(600),
  /** A request costs 1 point plus one per this much query cost (GRAPHQL_MAX_COST units). */
  RATE_LIMIT_COST_PER_POINT: int(1, 1_000_000).default(100),

  /** Serve the files of a generated sample catalog at /samples/ (quick start only). */
  SAMPLE_CATALOG_DIR: z.string().min(1).optional(),

  /** Storefront origins (scheme://host[:port]) that may call the API from the browser: reads only, never writes. */
  CORS_ALLOWED_ORIGINS: csv.default([]),
  /** Cache-Control max-age of persisted GET queries: how stale a CDN may serve a widget's results. */
  PERSISTED_QUERY_MAX_AGE_S: int(0, 86_400).default(60),
  /** Built browser assets (widgets, demo shop, catalog map, explorer): `npm run build` writes dist/public. */
  WEB_DIR: z.string().min(1).default('dist/public'),
  /** Serve /demo, /explore and the GraphiQL explorer; off in production unless set. The widgets are always served. */
  WEB_PAGES: bool.optional(),
  /** Catalogs up to this many products are mapped with UMAP; larger ones with PCA. */
  MAP_UMAP_MAX_PRODUCTS: int(10, 100_000).default(2000),
  /**
   * The label file for zero-shot tagging (label sets and prompt templates, see README "Zero-shot tagging"). Default:
   * labels.json in MODEL_DIR when it exists (tagging off otherwise); `none` turns tagging off.
   */
  LABELS_FILE: z.string().min(1).optional(),
  /** At boot, re-tag in the background every product tagged by another label file or model (from stored vectors). */
  RETAG_ON_BOOT: bool.default(true),
  /** The catalog map sends at most this many points (a uniform sample beyond that). */
  MAP_MAX_POINTS: int(100, 200_000).default(20_000),
  /** Images per product (ingest's `images`); each is embedded and searched. At most the GraphQL input's cap, 32. */
  PRODUCT_MAX_IMAGES: int(1, 32).default(8),
  /**
   * How long each server caches the stored merchandising rules. A rule saved through one server applies there at
   * once and on the others within this time; 0 reads the rules index on every search.
   */
  RULES_CACHE_TTL_MS: int(0, 3_600_000).default(5000),
  /**
   * How far a discover `modifier` ("red", "without stripes") pulls the query: the weight of its unit text vector
   * against the unit direction of the image/text/products it modifies (README, "Discover").
   */
  SEARCH_MODIFIER_WEIGHT: z.coerce.number().min(0).max(4).default(1.5),
  /** Bounds of the PRICE_RANGE facet's buckets: `10,25` counts under 10, 10 to 25, and 25 or more. */
  FACET_PRICE_RANGES: csv
    .transform((xs) => xs.map(Number))
    .pipe(z.array(z.number().finite().min(0)).min(1).max(20))
    .refine((xs: number[]) => xs.every((x, i) => i === 0 || x > xs[i - 1]!), 'bounds must be strictly ascending')
    .default([10, 25, 50, 100, 250]),
});

/** Every environment variable the server reads (docker-compose.yml must set or deliberately skip each one). */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(EnvSchema.shape);

export interface AppConfig {
  env: 'development' | 'production' | 'test';
  http: {
    host: string;
    port: number;
    maxBodyBytes: number;
    requestTimeoutMs: number;
    shutdownTimeoutMs: number;
    shutdownUnreadyDelayMs: number;
    trustProxyHops: number;
  };
  log: { level: LogLevel };
  metrics: { port?: number; host: string; apiKeySha256: string[] };
  rateLimit: {
    enabled: boolean;
    windowS: number;
    anonymousPoints: number;
    keyPoints: number;
    writePoints: number;
    costPerPoint: number;
  };
  elasticsearch: {
    /** Every node's URL (or one load balancer's). */
    nodes: string[];
    auth?: { apiKey: string } | { username: string; password: string };
    indexAlias: string;
    requestTimeoutMs: number;
    maxRetries: number;
    startupWaitMs: number;
    shards: number;
    replicas: number;
    maxInFlight: number;
    maxQueued: number;
    vectorIndexType: VectorIndexType;
    knnOversample: number;
  };
  model: { dir: string; threads: number; visionSpinWait: boolean; maxBatchSize: number; maxWaitMs: number };
  images: {
    maxBytes: number;
    maxPixels: number;
    decodeThreads: number;
    workers: number;
    queueMax: number;
    decodeBudgetBytes: number;
    fetchTimeoutMs: number;
    maxRedirects: number;
    allowPrivateCidrs: string[];
    allowedHosts: string[];
  };
  auth: { apiKeySha256: string[]; readsRequireKey: boolean };
  graphql: {
    maxDepth: number;
    maxAliases: number;
    maxTokens: number;
    maxDirectives: number;
    maxCost: number;
    introspection: boolean;
    jit: boolean;
  };
  sampleCatalogDir?: string;
  web: {
    dir: string;
    pages: boolean;
    corsAllowedOrigins: string[];
    persistedQueryMaxAgeS: number;
  };
  map: { umapMaxProducts: number; maxPoints: number };
  /** `labelsFile` undefined: tagging off. `required`: the file was named explicitly, so a missing file fails boot. */
  tagging: { labelsFile?: string; required: boolean; retagOnBoot: boolean };
  search: { facetPriceRanges: number[]; rulesCacheTtlMs: number; modifierWeight: number };
  catalog: { maxImages: number };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): AppConfig {
  // Empty strings mean "unset" so that `FOO= npm start` does not trip validation.
  const raw = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = EnvSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new AppError('CONFIG_INVALID', `Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if ((e.ES_USERNAME === undefined) !== (e.ES_PASSWORD === undefined)) {
    throw new AppError('CONFIG_INVALID', 'Invalid configuration:\n  ES_USERNAME and ES_PASSWORD must be set together');
  }
  for (const name of ['API_KEY_SHA256', 'METRICS_API_KEY_SHA256'] as const) {
    if (e[name].some((h) => !/^[0-9a-f]{64}$/i.test(h))) {
      throw new AppError(
        'CONFIG_INVALID',
        `Invalid configuration:\n  ${name}: each entry must be a 64-character hex SHA-256 digest ` +
          '(generate one with `printf %s "$KEY" | sha256sum`)',
      );
    }
  }
  if (e.NODE_ENV === 'production' && e.API_KEY_SHA256.length === 0) {
    throw new AppError(
      'CONFIG_INVALID',
      'Invalid configuration:\n  API_KEY_SHA256: required in production, otherwise anyone could write to the catalog',
    );
  }

  // One decode at the pixel limit must fit (RGBA, plus resize scratch), or such an image would wait forever.
  const oneDecodeMb = Math.ceil((4 * e.IMAGE_MAX_PIXELS) / 2 ** 20) + 16;
  if (e.IMAGE_DECODE_BUDGET_MB < oneDecodeMb) {
    throw new AppError(
      'CONFIG_INVALID',
      `Invalid configuration:\n  IMAGE_DECODE_BUDGET_MB: ${e.IMAGE_DECODE_BUDGET_MB} cannot hold one decode at IMAGE_MAX_PIXELS=${e.IMAGE_MAX_PIXELS} ` +
        `(4 bytes per pixel plus scratch); use at least ${oneDecodeMb} or lower IMAGE_MAX_PIXELS`,
    );
  }

  const badOrigin = e.CORS_ALLOWED_ORIGINS.find((o) => !isOrigin(o));
  if (badOrigin !== undefined) {
    throw new AppError(
      'CONFIG_INVALID',
      `Invalid configuration:\n  CORS_ALLOWED_ORIGINS: "${badOrigin}" is not an origin; use scheme://host[:port] with no path, e.g. https://shop.example.com`,
    );
  }

  const unreadyDelayMs = e.SHUTDOWN_UNREADY_DELAY_MS ?? (e.NODE_ENV === 'production' ? Math.min(5000, Math.floor(e.SHUTDOWN_TIMEOUT_MS / 2)) : 0);
  if (unreadyDelayMs > 0 && unreadyDelayMs >= e.SHUTDOWN_TIMEOUT_MS) {
    throw new AppError(
      'CONFIG_INVALID',
      `Invalid configuration:\n  SHUTDOWN_UNREADY_DELAY_MS: ${unreadyDelayMs} leaves no time to drain within SHUTDOWN_TIMEOUT_MS (${e.SHUTDOWN_TIMEOUT_MS})`,
    );
  }

  // The costliest request the cost limit lets through must fit in every budget, or it could never run.
  const rateLimitEnabled = e.RATE_LIMIT_ENABLED ?? e.NODE_ENV !== 'test';
  const maxPoints = 1 + Math.floor(e.GRAPHQL_MAX_COST / e.RATE_LIMIT_COST_PER_POINT);
  for (const name of ['RATE_LIMIT_ANONYMOUS_POINTS', 'RATE_LIMIT_KEY_POINTS', 'RATE_LIMIT_WRITE_POINTS'] as const) {
    if (rateLimitEnabled && e[name] < maxPoints) {
      throw new AppError(
        'CONFIG_INVALID',
        `Invalid configuration:\n  ${name}: ${e[name]} is below ${maxPoints}, the points of a request at GRAPHQL_MAX_COST ` +
          `(${e.GRAPHQL_MAX_COST}) with RATE_LIMIT_COST_PER_POINT ${e.RATE_LIMIT_COST_PER_POINT}; such a request could never run`,
      );
    }
  }

  const auth = e.ES_API_KEY
    ? { apiKey: e.ES_API_KEY }
    : e.ES_USERNAME && e.ES_PASSWORD
      ? { username: e.ES_USERNAME, password: e.ES_PASSWORD }
      : undefined;

  return {
    env: e.NODE_ENV,
    http: {
      host: e.HOST,
      port: e.PORT,
      maxBodyBytes: e.HTTP_MAX_BODY_BYTES,
      requestTimeoutMs: e.REQUEST_TIMEOUT_MS,
      shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
      shutdownUnreadyDelayMs: unreadyDelayMs,
      trustProxyHops: e.TRUST_PROXY,
    },
    log: { level: e.LOG_LEVEL },
    metrics: { port: e.METRICS_PORT, host: e.METRICS_HOST, apiKeySha256: e.METRICS_API_KEY_SHA256.map((h) => h.toLowerCase()) },
    rateLimit: {
      enabled: rateLimitEnabled,
      windowS: e.RATE_LIMIT_WINDOW_S,
      anonymousPoints: e.RATE_LIMIT_ANONYMOUS_POINTS,
      keyPoints: e.RATE_LIMIT_KEY_POINTS,
      writePoints: e.RATE_LIMIT_WRITE_POINTS,
      costPerPoint: e.RATE_LIMIT_COST_PER_POINT,
    },
    elasticsearch: {
      nodes: e.ES_URL,
      auth,
      indexAlias: e.ES_INDEX_ALIAS,
      requestTimeoutMs: e.ES_REQUEST_TIMEOUT_MS,
      maxRetries: e.ES_MAX_RETRIES,
      vectorIndexType: e.ES_VECTOR_INDEX_TYPE,
      knnOversample: e.ES_KNN_OVERSAMPLE,
      startupWaitMs: e.ES_STARTUP_WAIT_MS,
      shards: e.ES_INDEX_SHARDS,
      replicas: e.ES_INDEX_REPLICAS,
      maxInFlight: e.ES_MAX_IN_FLIGHT,
      maxQueued: e.ES_MAX_QUEUED,
    },
    model: {
      dir: path.resolve(cwd, e.MODEL_DIR),
      threads: e.MODEL_THREADS,
      visionSpinWait: e.MODEL_VISION_SPIN_WAIT,
      maxBatchSize: e.EMBED_MAX_BATCH,
      maxWaitMs: e.EMBED_MAX_WAIT_MS,
    },
    images: {
      maxBytes: e.IMAGE_MAX_BYTES,
      maxPixels: e.IMAGE_MAX_PIXELS,
      decodeThreads: e.IMAGE_DECODE_THREADS,
      workers: e.IMAGE_WORKERS ?? Math.max(1, availableParallelism()),
      queueMax: e.IMAGE_QUEUE_MAX,
      decodeBudgetBytes: e.IMAGE_DECODE_BUDGET_MB * 2 ** 20,
      fetchTimeoutMs: e.IMAGE_FETCH_TIMEOUT_MS,
      maxRedirects: e.IMAGE_FETCH_MAX_REDIRECTS,
      allowPrivateCidrs: e.IMAGE_FETCH_ALLOW_PRIVATE,
      allowedHosts: e.IMAGE_FETCH_ALLOWED_HOSTS,
    },
    auth: { apiKeySha256: e.API_KEY_SHA256.map((h) => h.toLowerCase()), readsRequireKey: e.READS_REQUIRE_API_KEY },
    graphql: {
      maxDepth: e.GRAPHQL_MAX_DEPTH,
      maxAliases: e.GRAPHQL_MAX_ALIASES,
      maxTokens: e.GRAPHQL_MAX_TOKENS,
      maxDirectives: e.GRAPHQL_MAX_DIRECTIVES,
      maxCost: e.GRAPHQL_MAX_COST,
      introspection: e.GRAPHQL_INTROSPECTION ?? e.NODE_ENV !== 'production',
      jit: e.GRAPHQL_JIT,
    },
    sampleCatalogDir: e.SAMPLE_CATALOG_DIR ? path.resolve(cwd, e.SAMPLE_CATALOG_DIR) : undefined,
    web: {
      dir: path.resolve(cwd, e.WEB_DIR),
      pages: e.WEB_PAGES ?? e.NODE_ENV !== 'production',
      corsAllowedOrigins: e.CORS_ALLOWED_ORIGINS.map((o) => new URL(o).origin),
      persistedQueryMaxAgeS: e.PERSISTED_QUERY_MAX_AGE_S,
    },
    map: { umapMaxProducts: e.MAP_UMAP_MAX_PRODUCTS, maxPoints: e.MAP_MAX_POINTS },
    tagging: {
      labelsFile: e.LABELS_FILE === 'none' ? undefined : path.resolve(cwd, e.LABELS_FILE ?? path.join(e.MODEL_DIR, 'labels.json')),
      required: e.LABELS_FILE !== undefined && e.LABELS_FILE !== 'none',
      retagOnBoot: e.RETAG_ON_BOOT,
    },
    search: { facetPriceRanges: e.FACET_PRICE_RANGES, rulesCacheTtlMs: e.RULES_CACHE_TTL_MS, modifierWeight: e.SEARCH_MODIFIER_WEIGHT },
    catalog: { maxImages: e.PRODUCT_MAX_IMAGES },
  };
}

function isOrigin(value: string): boolean {
  try {
    const u = new URL(value);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.origin === value.replace(/\/$/, '');
  } catch {
    return false;
  }
}
