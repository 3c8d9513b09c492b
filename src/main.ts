import 'reflect-metadata';
import { createServices, loadEmbedder, startServer, type Services } from './app';
import { loadConfig, type AppConfig } from './config/config';
import type { EmbeddingService } from './embedding/embedding.service';
import { AppError } from './common/errors';
import { logger, setLogLevel } from './common/logger';
import { gracefulShutdown } from './server/graceful-shutdown';
import { ServerMetrics } from './server/metrics';

/**
 * Boot: config, model, Elasticsearch, index check, HTTP. A boot failure prints one readable paragraph and exits 1;
 * stack traces are for bugs, not for "Elasticsearch is not running".
 */
async function main(): Promise<void> {
  const config = loadConfig();
  setLogLevel(config.log.level);
  const metrics = new ServerMetrics();
  const services = await connectWithRetry(config, await loadEmbedder(config, metrics), metrics);
  const server = await startServer(config, services, metrics);
  logger.info('server ready', {
    url: server.url,
    metricsUrl: server.metricsUrl,
    model: server.services.embedder.modelId,
    dims: server.services.embedder.dims,
    rateLimit: config.rateLimit.enabled,
  });
  const origin = server.url.replace(/\/graphql$/, '');
  const pages = config.web.pages
    ? `Demo shop:        ${origin}/demo/\nCatalog map:      ${origin}/explore/\nExplorer:         ${origin}/explorer/\n`
    : '';
  process.stdout.write(`\nGraphQL endpoint: ${server.url}\n${pages}Widgets:          ${origin}/widgets/v1/widgets.js\n\n`);

  const shutdown = gracefulShutdown({
    httpServer: server.httpServer,
    timeoutMs: config.http.shutdownTimeoutMs,
    unreadyDelayMs: config.http.shutdownUnreadyDelayMs,
    markUnready: () => server.markUnready(),
    close: async () => {
      await server.stop();
      await services.close();
    },
  });
  process.on('SIGINT', () => shutdown.stop('SIGINT'));
  process.on('SIGTERM', () => shutdown.stop('SIGTERM'));
}

/** Elasticsearch often starts alongside us (compose, systemd): wait for it briefly before giving up. */
async function connectWithRetry(config: AppConfig, embedder: EmbeddingService, metrics: ServerMetrics): Promise<Services> {
  const deadline = Date.now() + config.elasticsearch.startupWaitMs;
  for (;;) {
    try {
      return await createServices(config, embedder, metrics);
    } catch (e) {
      if (!(e instanceof AppError && e.code === 'SEARCH_BACKEND_UNAVAILABLE') || Date.now() > deadline) throw e;
      logger.warn('waiting for Elasticsearch', { nodes: config.elasticsearch.nodes });
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
}

main().catch((e: unknown) => {
  if (e instanceof AppError) {
    const hint =
      e.code === 'SEARCH_BACKEND_UNAVAILABLE'
        ? '\nStart the local one with `npm run es:start`, or point ES_URL at your cluster.'
        : '';
    process.stderr.write(`\nCannot start: ${e.message}${hint}\n\n`);
  } else {
    process.stderr.write(`\nCannot start: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n\n`);
  }
  process.exit(1);
});
