import type { ApolloServer } from '@apollo/server';
import type * as http from 'node:http';
import * as path from 'node:path';
import type { RequestContext } from '../../resolvers/context';
import { classifyOrigin, corsResponseHeaders, preflightHeaders } from '../cors';
import { UnauthenticatedError } from '../http-server';
import { parsePersistedGet, PersistedQueries } from '../persisted-queries';
import { IMMUTABLE, StaticAssets } from '../static-assets';

/**
 * Everything the server does for browsers, in front of the plain GraphQL route: the widget modules, the demo
 * shop, the catalog map, the offline explorer, CORS for storefront origins, and GET persisted queries.
 * Returns true when it answered the request.
 */
export type WebRoute = (
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
  context: () => Promise<RequestContext>,
) => Promise<boolean>;

/** The `web` part of the app config (server/ does not import config/). */
export interface WebOptions {
  dir: string;
  pages: boolean;
  corsAllowedOrigins: string[];
  persistedQueryMaxAgeS: number;
}

export interface WebRoutesOptions {
  web: WebOptions;
  graphqlPath: string;
  apollo: ApolloServer<RequestContext>;
  generation: () => Promise<string>;
}

/** Entry modules keep stable names that shops embed; a day of caching plus ETag revalidation lets fixes reach them. */
const ENTRY = 'public, max-age=86400, stale-while-revalidate=604800';
/** Pages revalidate every time (cheap with the ETag): the demo and map should always match the server. */
const PAGE = 'no-cache';

export function createWebRoutes(o: WebRoutesOptions): WebRoute {
  const dir = (sub: string) => path.join(o.web.dir, sub);
  const assets = new StaticAssets([
    {
      prefix: '/widgets/v1/',
      dir: dir('widgets/v1'),
      cacheControl: (file) => (file.startsWith('chunk-') ? IMMUTABLE : ENTRY),
      // Any page may load the widget code; what the API answers is governed by CORS_ALLOWED_ORIGINS.
      headers: { 'access-control-allow-origin': '*', 'cross-origin-resource-policy': 'cross-origin' },
    },
    ...(o.web.pages
      ? ['demo', 'explore', 'explorer'].map((name) => ({
          prefix: `/${name}/`,
          dir: dir(name),
          cacheControl: (file: string) => (/^chunk-|\.[0-9A-Z]{8}\.(js|css)$/.test(file) ? IMMUTABLE : PAGE),
        }))
      : []),
  ]);
  const persisted = new PersistedQueries({ apollo: o.apollo, generation: o.generation, maxAgeS: o.web.persistedQueryMaxAgeS });

  return async (req, res, url, context) => {
    if (url.pathname === '/' && o.web.pages && req.method === 'GET') {
      res.writeHead(302, { location: '/demo/' });
      res.end();
      return true;
    }
    if (url.pathname !== o.graphqlPath) return assets.serve(req, res, url.pathname);

    const origin = classifyOrigin(req.headers, o.web.corsAllowedOrigins);
    if (origin.kind === 'denied') {
      return json(res, 403, { errors: [{ message: `Origin ${origin.origin} is not allowed (CORS_ALLOWED_ORIGINS)`, extensions: { code: 'ORIGIN_NOT_ALLOWED' } }] });
    }
    if (origin.kind === 'allowed') {
      if (req.method === 'OPTIONS') {
        res.writeHead(204, preflightHeaders(origin.origin));
        res.end();
        return true;
      }
      for (const [k, v] of Object.entries(corsResponseHeaders(origin.origin))) res.setHeader(k, v);
    }
    if (req.method !== 'GET') return false;

    const pq = parsePersistedGet(url);
    if (pq && 'error' in pq) return json(res, 400, { errors: [{ message: pq.error, extensions: { code: 'BAD_REQUEST' } }] });
    if (pq) {
      try {
        await persisted.answer(req, res, pq, context);
      } catch (e) {
        if (!(e instanceof UnauthenticatedError)) throw e;
        json(res, 401, { errors: [{ message: e.message, extensions: { code: 'UNAUTHENTICATED' } }] });
      }
      return true;
    }
    // A browser opening the endpoint gets the explorer (GraphiQL, served from this server).
    if (o.web.pages && !url.search && /text\/html/.test(String(req.headers.accept ?? ''))) {
      res.writeHead(302, { location: '/explorer/' });
      res.end();
      return true;
    }
    return false;
  };
}

function json(res: http.ServerResponse, status: number, body: unknown): true {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
  return true;
}
