import { HeaderMap, type ApolloServer } from '@apollo/server';
import { promises as fs } from 'node:fs';
import { setMaxListeners } from 'node:events';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { AppError } from '../common/errors';
import type { RequestContext } from '../resolvers/context';
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
}

export class UnauthenticatedError extends Error {}

const GRAPHQL_PATH = '/graphql';

export function createHttpServer(o: HttpServerOptions): http.Server {
  const server = http.createServer((req, res) => {
    handle(o, req, res).catch((e) => {
      if (!res.headersSent) sendJson(res, 500, { errors: [{ message: 'Internal server error' }] });
      else res.destroy(e as Error);
    });
  });
  server.headersTimeout = 30_000;
  server.requestTimeout = 120_000;
  return server;
}

async function handle(o: HttpServerOptions, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname === '/healthz') return sendJson(res, 200, { status: 'ok' });
  if (url.pathname === '/readyz') {
    const r = await o.ready();
    return sendJson(res, r.ok ? 200 : 503, { status: r.ok ? 'ready' : 'not ready', checks: r.checks });
  }
  if (url.pathname.startsWith('/samples/') && o.sampleCatalogDir) return serveSample(o.sampleCatalogDir, url.pathname, res);
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

  let context: RequestContext;
  try {
    context = await o.context(req, requestSignal(res, o.requestTimeoutMs));
  } catch (e) {
    if (e instanceof UnauthenticatedError) {
      return sendJson(res, 401, { errors: [{ message: e.message, extensions: { code: 'UNAUTHENTICATED' } }] });
    }
    throw e;
  }

  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  const result = await o.apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: req.method, headers, search: url.search, body },
    context: async () => context,
  });
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
