import 'reflect-metadata';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { readFile } from 'node:fs/promises';
import type * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AppConfig } from './config/config';
import { logger } from './common/logger';
import { DuplicatesService } from './duplicates/duplicates.service';
import { duplicateCatalog } from './duplicates/duplicate-catalog';
import { EmbeddingService } from './embedding/embedding.service';
import { readModelFolder } from './embedding/model-folder';
import type { DedupRuntime } from './duplicates/dedup-command';
import { AppError } from './common/errors';
import { configureImageRuntime } from './embedding/pixels/decode.adapter';
import { ImageFetcher } from './sources/image-fetch.adapter';
import { ImageSourceService } from './sources/image-source.service';
import type { ImportRuntime } from './feeds/import-command';
import type { FeedCatalog } from './feeds/delete-missing';
import { ObservedUrlFetcher } from './sources/observed-url-fetcher';
import { IngestService } from './ingest/ingest.service';
import { createLoaders, type RequestContext } from './resolvers/context';
import { buildAppSchema } from './resolvers';
import { CatalogMapService } from './explore/catalog-map.service';
import { ElasticsearchProductIndex } from './search/elasticsearch/elasticsearch.adapter';
import { MerchandisingService } from './search/merchandising.service';
import { SearchService } from './search/search.service';
import { ApiKeyVerifier } from './server/auth';
import { identifyClient } from './server/client-identity';
import { complexityLimitPlugin } from './server/complexity.plugin';
import { createHttpServer, listen } from './server/http-server';
import { jitExecutorGateway } from './server/jit-executor';
import { maskError } from './server/mask-error';
import { overloadPlugin } from './server/overload.plugin';
import { createMetricsServer, ServerMetrics } from './server/metrics';
import { operationSummaryPlugin } from './server/operation-summary.plugin';
import { chargeOnPricing, RateLimiter } from './server/rate-limit';
import { requestAuth } from './server/request-auth';
import { createWebRoutes } from './server/routes/web-routes';
import { CatalogQaService } from './tagging/catalog-qa.service';
import { parseLabelFile } from './tagging/label-sets';
import { Tagger } from './tagging/tagger';
import type { ProductIndex } from './catalog/product-index';
import { CompareModelsService } from './reindex/compare-models.service';
import { withDualWrites, WriteTargets } from './reindex/dual-write-index';
import { ElasticsearchShadowStore } from './search/elasticsearch/shadow-store';

export interface Services {
  index: ElasticsearchProductIndex;
  embedder: EmbeddingService;
  images: ImageSourceService;
  search: SearchService;
  ingest: IngestService;
  duplicates: DuplicatesService;
  /** Zero-shot tagging, when a label file is configured. */
  tagger?: Tagger;
  qa: CatalogQaService;
  models: CompareModelsService;
  /** `index` with its writes mirrored into a shadow index while one is being built (reindex/dual-write-index.ts). */
  writes: ProductIndex;
  merchandising: MerchandisingService;
  close(): Promise<void>;
}

/**
 * Loads the model, connects Elasticsearch and makes sure the index behind the alias was built for this model.
 * Throws AppError with a readable message (model missing, Elasticsearch unreachable, dimension mismatch).
 */
export async function createServices(config: AppConfig, preloaded?: EmbeddingService, metrics?: ServerMetrics): Promise<Services> {
  const embedder = preloaded ?? (await loadEmbedder(config, metrics));
  const index = ElasticsearchProductIndex.connect({ ...config.elasticsearch, observer: metrics });
  try {
    const { index: name, created } = await index.ensureIndex({ modelId: embedder.modelId, dims: embedder.dims });
    logger.info(created ? 'created index' : 'using index', { alias: index.alias, index: name, model: embedder.modelId, dims: embedder.dims });
  } catch (e) {
    await Promise.allSettled([index.close(), preloaded ? undefined : embedder.close()]);
    throw e;
  }
  let tagger: Tagger | undefined;
  try {
    tagger = await loadTagger(config, embedder);
  } catch (e) {
    await Promise.allSettled([index.close(), preloaded ? undefined : embedder.close()]);
    throw e;
  }
  const fetcher = createImageFetcher(config);
  const images = new ImageSourceService(metrics ? new ObservedUrlFetcher(fetcher, metrics) : fetcher, config.images.maxBytes);
  if (!embedder.relationThresholds) {
    logger.warn('the model folder has no calibration.json: no relations on hits, no duplicate checks (run npm run calibrate)', { model: embedder.modelId });
  }
  const duplicates = new DuplicatesService(duplicateCatalog(index), embedder.relationThresholds);
  const shadows = new ElasticsearchShadowStore(index, index.transport());
  // While `npm run reindex -- --shadow` builds the next model's index, every write also goes there.
  const writes = withDualWrites(index, new WriteTargets(shadows), embedder.modelId);
  const merchandising = new MerchandisingService(index.ruleStore(), { cacheTtlMs: config.search.rulesCacheTtlMs });
  return {
    index,
    writes,
    embedder,
    images,
    duplicates,
    tagger,
    qa: new CatalogQaService(index.tagStore(), tagger),
    models: new CompareModelsService(index, shadows),
    search: new SearchService(index, embedder, images, { facetRanges: { price: config.search.facetPriceRanges }, modifierWeight: config.search.modifierWeight }, merchandising),
    ingest: new IngestService(writes, embedder, images, config.catalog, duplicates, tagger),
    merchandising,
    async close() {
      await Promise.allSettled([index.close(), embedder.close(), fetcher.close()]);
    },
  };
}

/**
 * What `npm run import` writes through: the API's own services (same index, model and image policy), with the image
 * host allowlist optionally replaced for this run (--image-hosts).
 */
export async function createImportRuntime(config: AppConfig, allowedHosts?: string[]): Promise<ImportRuntime> {
  const services = await createServices({ ...config, images: { ...config.images, allowedHosts: allowedHosts ?? config.images.allowedHosts } });
  return {
    images: services.images,
    ingestWith: (images) => new IngestService(services.writes, services.embedder, images, config.catalog, services.duplicates, services.tagger),
    catalog: services.writes,
    refresh: () => services.index.refresh(),
    close: () => services.close(),
  };
}

/**
 * What `npm run import -- --dry-run --delete-missing` reads: the products behind the alias, without the model and
 * without creating anything (no alias yet reads as an empty catalog).
 */
export async function createFeedCatalogReader(config: AppConfig): Promise<FeedCatalog & { close(): Promise<void> }> {
  const index = ElasticsearchProductIndex.connect(config.elasticsearch);
  let exists: boolean;
  try {
    exists = (await index.describeAlias()) !== undefined;
  } catch (e) {
    await index.close();
    throw e;
  }
  return {
    idsByAttribute: (name, value, page) => (exists ? index.idsByAttribute(name, value, page) : Promise.resolve([])),
    deleteIfUnchanged: () => Promise.reject(new Error('a dry run deletes nothing')),
    close: () => index.close(),
  };
}

/**
 * What `npm run dedup` reads through: the index behind the alias and the model folder's calibration. The model itself
 * is not loaded (stored vectors are compared), but the index must hold this model's vectors.
 */
export async function createDedupRuntime(config: AppConfig): Promise<DedupRuntime> {
  const folder = await readModelFolder(config.model.dir);
  const index = ElasticsearchProductIndex.connect(config.elasticsearch);
  try {
    const found = (await index.describeAlias())?.identity?.modelId;
    if (found !== folder.modelId) {
      throw new AppError('INDEX_DIMENSION_MISMATCH', `alias "${index.alias}" holds vectors of ${found ?? 'no model'}, not of ${folder.modelId} (MODEL_DIR)`);
    }
  } catch (e) {
    await index.close();
    throw e;
  }
  const duplicates = new DuplicatesService(duplicateCatalog(index), folder.relationThresholds);
  return { scan: (min, o) => duplicates.scan(min, o), count: () => index.count(), close: () => index.close() };
}

/**
 * The tagger for the configured label file, or undefined when tagging is off (no file named and none in the model
 * folder). A named file that is missing or invalid fails boot with a message naming it.
 */
export async function loadTagger(config: AppConfig, embedder: EmbeddingService): Promise<Tagger | undefined> {
  const file = config.tagging.labelsFile;
  if (!file) return undefined;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' && !config.tagging.required) return undefined;
    throw new AppError('CONFIG_INVALID', `LABELS_FILE=${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? String(e)})`, { cause: e });
  }
  let sets;
  try {
    sets = parseLabelFile(JSON.parse(text));
  } catch (e) {
    throw new AppError('CONFIG_INVALID', `LABELS_FILE=${file}: ${(e as Error).message}`, { cause: e });
  }
  const tagger = await Tagger.create(sets, embedder);
  logger.info('tagging', { labels: file, sets: sets.sets.map((s) => s.name), version: tagger.version });
  return tagger;
}

export function loadEmbedder(config: AppConfig, metrics?: ServerMetrics): Promise<EmbeddingService> {
  // Every decoded image is distinct, so libvips' operation cache only costs memory.
  configureImageRuntime({ concurrency: config.images.decodeThreads, cacheMemoryMb: 0 });
  return EmbeddingService.load({
    modelDir: config.model.dir,
    intraOpThreads: config.model.threads,
    visionSpinWait: config.model.visionSpinWait,
    maxBatchSize: config.model.maxBatchSize,
    maxWaitMs: config.model.maxWaitMs,
    maxInputPixels: config.images.maxPixels,
    decode: { threads: config.images.workers, maxWaiting: config.images.queueMax, budgetBytes: config.images.decodeBudgetBytes },
    observer: metrics,
  });
}

export function createImageFetcher(config: AppConfig): ImageFetcher {
  return new ImageFetcher({
    timeoutMs: config.images.fetchTimeoutMs,
    maxBytes: config.images.maxBytes,
    maxRedirects: config.images.maxRedirects,
    allowedPrivateHosts: config.images.allowPrivateCidrs,
    allowedHosts: config.images.allowedHosts,
  });
}

export interface RunningServer {
  url: string;
  port: number;
  httpServer: http.Server;
  services: Services;
  metrics: ServerMetrics;
  /** http://host:port/metrics on the separate listener, when METRICS_PORT is set. */
  metricsUrl?: string;
  /** /readyz answers 503 from now on (shutdown has begun). */
  markUnready(): void;
  stop(): Promise<void>;
}

/**
 * `metrics` is the registry the services were built with (main.ts builds both); without services, both are made here.
 */
export async function startServer(config: AppConfig, services?: Services, metrics = new ServerMetrics()): Promise<RunningServer> {
  const svc = services ?? (await createServices(config, undefined, metrics));
  metrics.setModel(svc.embedder.modelId, svc.embedder.dims);
  metrics.watchIndex(async () => {
    const found = await svc.index.describeAlias();
    return found && { alias: svc.index.alias, index: found.index };
  });
  metrics.queueDepth('embed_image', () => svc.embedder.queued.images);
  metrics.queueDepth('embed_text', () => svc.embedder.queued.texts);
  metrics.queueDepth('decode', () => svc.embedder.stats.decode.waiting);
  const r = config.rateLimit;
  const limiter = r.enabled ? new RateLimiter({ ...r, onLimited: (budget) => metrics.rateLimited(budget) }) : undefined;
  const maps = new CatalogMapService(svc.index, svc.embedder, config.map);
  const schema = await buildAppSchema({ services: { ...svc, maps } });
  // Products tagged by another label file or model catch up from their stored vectors, beside serving.
  const retag = new AbortController();
  const retagging =
    config.tagging.retagOnBoot && svc.tagger
      ? svc.qa.retagStale({ signal: retag.signal }).then(
          (r) => r.retagged + r.skipped > 0 && logger.info('re-tagged products', { ...r }),
          (e: unknown) => !retag.signal.aborted && logger.warn('re-tagging stopped', { error: (e as Error).message }),
        )
      : Promise.resolve();

  const g = config.graphql;
  const armor = new ApolloArmor({
    maxDepth: { n: g.maxDepth, flattenFragments: true },
    maxAliases: { n: g.maxAliases },
    // Token limits go to graphql-js's own parser (parseOptions below), so they fail as a 400 syntax error.
    maxTokens: { enabled: false },
    maxDirectives: { n: g.maxDirectives },
    // Cost is ours (complexityLimitPlugin): it knows page sizes and what model inference costs.
    costLimit: { enabled: false },
    blockFieldSuggestion: { enabled: true },
  }).protect();

  const apollo = new ApolloServer<RequestContext>({
    // Apollo's `gateway` slot is how an executor other than graphql-js plugs in; it serves this same schema.
    ...(g.jit ? { gateway: jitExecutorGateway(schema, { compileAfter: 2 }) } : { schema }),
    ...armor,
    plugins: [
      ...armor.plugins,
      operationSummaryPlugin(),
      complexityLimitPlugin(schema, g.maxCost, chargeOnPricing(limiter)),
      overloadPlugin(),
      // The explorer is GraphiQL served by this server (/explorer/), not Apollo's CDN-hosted landing page.
      ApolloServerPluginLandingPageDisabled(),
    ],
    parseOptions: { maxTokens: g.maxTokens },
    introspection: g.introspection,
    csrfPrevention: true,
    allowBatchedHttpRequests: false,
    includeStacktraceInErrorResponses: false,
    formatError: maskError,
  });
  await apollo.start();

  const keys = new ApiKeyVerifier(config.auth.apiKeySha256);
  if (!keys.configured) logger.warn('API_KEY_SHA256 is empty: writes are open to anyone (development only)');

  let lastReady = { at: 0, value: { ok: false, checks: {} as Record<string, string> } };
  let unready = false;
  const ready = async () => {
    if (unready) return { ok: false, checks: { ...lastReady.value.checks, shutdown: 'draining' } };
    if (Date.now() - lastReady.at < 1000) return lastReady.value;
    let es: string;
    try {
      es = await svc.index.health(1500);
    } catch {
      es = 'unreachable';
    }
    const value = { ok: es === 'green' || es === 'yellow', checks: { elasticsearch: es, model: svc.embedder.modelId } };
    lastReady = { at: Date.now(), value };
    return value;
  };

  const httpServer = createHttpServer({
    apollo,
    maxBodyBytes: config.http.maxBodyBytes,
    requestTimeoutMs: config.http.requestTimeoutMs,
    sampleCatalogDir: config.sampleCatalogDir,
    ready,
    web: createWebRoutes({ web: config.web, graphqlPath: '/graphql', apollo, generation: () => svc.index.generation() }),
    context: async (req, signal) => {
      const auth = requestAuth(req, { keys, readsRequireKey: config.auth.readsRequireKey, corsAllowedOrigins: config.web.corsAllowedOrigins });
      return { loaders: createLoaders(svc.index), auth, signal };
    },
    identify: (req) => identifyClient(req, keys, config.http.trustProxyHops),
    arrive: limiter && ((client) => limiter.arrive(client)),
    metrics: { keys: new ApiKeyVerifier(config.metrics.apiKeySha256), render: () => metrics.render() },
    onRequestDone: (summary) => metrics.observeRequest(summary),
  });
  const address = await listen(httpServer, config.http.host, config.http.port);
  const url = `${origin(address)}/graphql`;
  const metricsServer = config.metrics.port === undefined ? undefined : createMetricsServer(metrics);
  const metricsUrl = metricsServer && `${origin(await listen(metricsServer, config.metrics.host, config.metrics.port!))}/metrics`;

  return {
    url,
    port: address.port,
    httpServer,
    services: svc,
    metrics,
    metricsUrl,
    markUnready: () => void (unready = true),
    async stop() {
      retag.abort();
      await retagging;
      await new Promise<void>((resolve) => httpServer.close(() => resolve()));
      httpServer.closeAllConnections();
      if (metricsServer) {
        metricsServer.closeAllConnections();
        await new Promise<void>((resolve) => metricsServer.close(() => resolve()));
      }
      await apollo.stop();
      if (!services) await svc.close();
    },
  };
}

function origin(address: AddressInfo): string {
  return `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
}
