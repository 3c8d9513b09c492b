import { HeaderMap, type ApolloServer } from '@apollo/server';
import { promises as fs } from 'node:fs';
import { setMaxListeners } from 'node:events';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { AppError } from '../common/errors';
import { requestScope, type ClientIdentity } from '../common/request-scope';
import type { RequestContext } from '../resolvers/context';
import type { ApiKeyVerifier } from './auth';
import type { RateLimitVerdict } from './rate-limit';
import { rateLimitedMessage } from './rate-limit';
import { logRequest, requestIdFrom, summarize, type RequestSummary } from './request-log';
import { PUBLIC_FAULTS } from './mask-error';
import type { WebRoute } from './routes/web-routes';

/**
 * A small node:http integration for Apollo Server (the documented executeHTTPGraphQLRequest contract), plus the
 * probes and the sample-image route. No framework: the surface is four routes and a body cap.
 */

export interface HttpServerOptions {
  apollo: ApolloServer<RequestContext>;
  maxBodyBytes: number;
  /** Deadline per request, after which its signal fires. */
  requestTimeoutMs: number;
  /**
   * Builds the per-request context around the request's signal; throws UnauthenticatedError when reads need a key
   * that is missing.
   */
  context: (req: http.IncomingMessage, signal: AbortSignal) => Promise<RequestContext>;
  ready: () => Promise<{ ok: boolean; checks: Record<string, string> }>;
  sampleCatalogDir?: string;
  /** Browser-facing routes (widgets, pages, CORS, persisted GETs), tried before the GraphQL route. */
  web?: WebRoute;
  /** Who a GraphQL request counts against (rate limits, the summary line). */
  identify?: (req: http.IncomingMessage) => ClientIdentity;
  /** Charges a GraphQL request's arrival to its client; a refusal answers 429 before the body is read. */
  arrive?: (client: ClientIdentity) => Promise<RateLimitVerdict>;
  /** `/metrics` on this port, for bearers of these keys only. */
  metrics?: { keys: ApiKeyVerifier; render: () => Promise<{ contentType: string; body: string }> };
  /** Told about every finished request (after its summary line is logged). */
  onRequestDone?: (summary: RequestSummary) => void;
}

export class UnauthenticatedError extends Error {}

const GRAPHQL_PATH = '/graphql';

export function createHttpServer(o: HttpServerOptions): http.Server {
  const server = http.createServer((req, res) => {
    // Every line logged for this request's work carries its id (logger.ts reads the scope); the client sees it too.
    const scope = requestScope.open(requestIdFrom(req.headers));
    res.setHeader('x-request-id', scope.requestId);
    // Whether the response was complete when the connection closed; false means the client left first (499).
    const closed = new Promise<boolean>((resolve) => res.once('close', () => resolve(res.writableFinished)));
    const handled = requestScope.run(scope, () =>
      handle(o, req, res).catch((e) => {
        if (!res.headersSent) sendJson(res, 500, { errors: [{ message: 'Internal server error' }] });
        else res.destroy(e as Error);
      }),
    );
    // Summed up once the response is gone and the work is done (a client that left early does not end the work).
    void Promise.all([closed, handled]).then(([completed]) =>
      requestScope.run(scope, () => {
        const summary = summarize(scope, req, res, completed);
        logRequest(summary, scope);
        o.onRequestDone?.(summary);
      }),
    );
  });
  server.headersTimeout = 30_000;
  server.requestTimeout = 120_000;
  // Node's 5 s default closes an idle keep-alive socket just as a client may be sending on it ("fetch failed": a
  // stalled event loop makes that likely, the soak met it under load), and a load balancer in front keeps its own
  // connections idle for 60 s: the server must not be the side that closes first.
  server.keepAliveTimeout = 65_000;
  return server;
}

async function handle(o: HttpServerOptions, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname === '/healthz') return sendJson(res, 200, { status: 'ok' });
  if (url.pathname === '/readyz') {
    const r = await o.ready();
    return sendJson(res, r.ok ? 200 : 503, { status: r.ok ? 'ready' : 'not ready', checks: r.checks });
  }
  if (url.pathname === '/metrics' && o.metrics?.keys.configured) return serveMetrics(o.metrics, req, res);
  if (url.pathname.startsWith('/samples/') && o.sampleCatalogDir) return serveSample(o.sampleCatalogDir, url.pathname, res);
  if (url.pathname === GRAPHQL_PATH && req.method !== 'OPTIONS' && o.identify) {
    const scope = requestScope.current()!;
    scope.client = o.identify(req);
    const verdict = o.arrive ? await o.arrive(scope.client) : { ok: true as const };
    if (!verdict.ok) {
      scope.errorCodes.add('RATE_LIMITED');
      res.setHeader('retry-after', String(verdict.retryAfterS));
      return sendJson(res, 429, {
        errors: [{ message: rateLimitedMessage(verdict), extensions: { code: 'RATE_LIMITED', retryAfterSeconds: verdict.retryAfterS } }],
      });
    }
  }
  if (o.web && (await o.web(req, res, url, () => o.context(req, requestSignal(res, o.requestTimeoutMs))))) return;
  if (url.pathname === '/' && req.method === 'GET') {
    res.writeHead(302, { location: GRAPHQL_PATH });
    return void res.end();
  }
  if (url.pathname !== GRAPHQL_PATH) return sendJson(res, 404, { error: 'Not found' });
  if (req.method !== 'GET' && req.method !== 'POST') {
    res.setHeader('allow', 'GET, POST');
    return sendJson(res, 405, { errors: [{ message: 'Use GET or POST' }] });
  }

  let body: unknown;
  if (req.method === 'POST') {
    const raw = await readBody(req, o.maxBodyBytes);
    if (raw === 'too-large') return sendJson(res, 413, { errors: [{ message: `Request body over ${o.maxBodyBytes} bytes` }] });
    const contentType = req.headers['content-type'] ?? '';
    if (/^application\/(graphql-response\+)?json\b/i.test(contentType) && raw.length > 0) {
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        return sendJson(res, 400, { errors: [{ message: 'Malformed JSON body', extensions: { code: 'BAD_REQUEST' } }] });
      }
    } else {
      // Apollo decides what to do with non-JSON bodies (its CSRF prevention rejects simple requests).
      body = raw.length > 0 ? raw.toString('utf8') : undefined;
    }
  }

  const signal = requestSignal(res, o.requestTimeoutMs);
  let context: RequestContext;
  try {
    context = await o.context(req, signal);
  } catch (e) {
    if (e instanceof UnauthenticatedError) {
      requestScope.current()?.errorCodes.add('UNAUTHENTICATED');
      return sendJson(res, 401, { errors: [{ message: e.message, extensions: { code: 'UNAUTHENTICATED' } }] });
    }
    throw e;
  }

  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  const execution = o.apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: req.method, headers, search: url.search, body },
    context: async () => context,
  });
  // The deadline holds whatever the request waits on (a slow Elasticsearch, a stuck upstream): past it the client
  // gets REQUEST_TIMEOUT, and the work still running has its signal aborted and its own bounds (ES_REQUEST_TIMEOUT_MS).
  if (await Promise.race([execution.then(() => false, () => false), deadlinePassed(signal)])) {
    execution.catch(() => undefined);
    return sendJson(res, 200, { errors: [{ message: PUBLIC_FAULTS.REQUEST_TIMEOUT, extensions: { code: 'REQUEST_TIMEOUT' } }], data: null });
  }
  const result = await execution;
  for (const [key, value] of result.headers) res.setHeader(key, value);
  res.statusCode = result.status ?? 200;
  if (result.body.kind === 'complete') return void res.end(result.body.string);
  for await (const chunk of result.body.asyncIterator) res.write(chunk);
  res.end();
}

/**
 * One signal per request: it fires when the client goes away before the answer is complete (the response closes
 * unfinished) or when the deadline passes, so the request's image fetch and queued embeddings stop with it.
 */
function requestSignal(res: http.ServerResponse, timeoutMs: number): AbortSignal {
  const controller = new AbortController();
  // A bulk ingest has dozens of items in flight on this one signal (fetch, decode line, model queue each listen).
  setMaxListeners(512, controller.signal);
  const deadline = setTimeout(
    () => controller.abort(new AppError('REQUEST_TIMEOUT', `Request did not finish within ${timeoutMs} ms`)),
    timeoutMs,
  );
  deadline.unref();
  res.once('close', () => {
    clearTimeout(deadline);
    if (!res.writableFinished) controller.abort(new AppError('REQUEST_CANCELLED', 'The client closed the connection'));
  });
  return controller.signal;
}

/** Resolves true a moment after the deadline fired (so work that honours the signal answers for itself first). */
function deadlinePassed(signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    const fired = () => {
      if (signal.reason instanceof AppError && signal.reason.code === 'REQUEST_TIMEOUT') setTimeout(() => resolve(true), 100).unref();
    };
    if (signal.aborted) fired();
    else signal.addEventListener('abort', fired, { once: true });
  });
}

async function readBody(req: http.IncomingMessage, max: number): Promise<Buffer | 'too-large'> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > max) {
    req.resume();
    return 'too-large';
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > max) {
      req.resume();
      return 'too-large';
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

async function serveSample(root: string, pathname: string, res: http.ServerResponse): Promise<void> {
  const relative = decodeURIComponent(pathname.slice('/samples/'.length));
  const file = path.resolve(root, relative);
  if (!file.startsWith(path.resolve(root) + path.sep) || !/\.(jpe?g|png|webp)$/i.test(file)) {
    return sendJson(res, 404, { error: 'Not found' });
  }
  try {
    const bytes = await fs.readFile(file);
    res.writeHead(200, {
      'content-type': /\.png$/i.test(file) ? 'image/png' : /\.webp$/i.test(file) ? 'image/webp' : 'image/jpeg',
      'cache-control': 'public, max-age=3600',
    });
    res.end(bytes);
  } catch {
    sendJson(res, 404, { error: 'Not found' });
  }
}

async function serveMetrics(m: NonNullable<HttpServerOptions['metrics']>, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  if (!m.keys.verify(bearer(req.headers.authorization))) {
    res.setHeader('www-authenticate', 'Bearer');
    return sendJson(res, 401, { error: 'A metrics key is required (METRICS_API_KEY_SHA256)' });
  }
  const { contentType, body } = await m.render();
  res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' });
  res.end(body);
}

function bearer(header: string | undefined): string | undefined {
  return header && /^bearer\s+/i.test(header) ? header.replace(/^bearer\s+/i, '').trim() : undefined;
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

export async function listen(server: http.Server, host: string, port: number): Promise<AddressInfo> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server.address() as AddressInfo;
}
