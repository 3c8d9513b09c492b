import { randomUUID } from 'node:crypto';
import type * as http from 'node:http';
import { logger } from '../common/logger';
import type { RequestScope } from '../common/request-scope';

/** What one finished HTTP request did: its summary log line, and what metrics count. */
export interface RequestSummary {
  requestId: string;
  method: string;
  path: string;
  /** A bounded name for metrics: the first path segment when the server knows it, else `other`. */
  route: string;
  /** 499 when the client left before the response was complete. */
  status: number;
  seconds: number;
  /** One per GraphQL root field (or one `(none)` when the request never got that far), with its result. */
  operations: { operation: string; result: string }[];
}

const ROUTES = new Set(['graphql', 'healthz', 'readyz', 'metrics', 'samples', 'widgets', 'demo', 'explore', 'explorer']);
const PROBES = new Set(['healthz', 'readyz', 'metrics']);
/** A client's id is kept when it is a plain token; anything else (spaces, JSON, 10 kB) is replaced. */
const SANE_REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

export function requestIdFrom(headers: http.IncomingHttpHeaders): string {
  const given = headers['x-request-id'];
  return typeof given === 'string' && SANE_REQUEST_ID.test(given) ? given : randomUUID();
}

export function routeOf(pathname: string): string {
  if (pathname === '/') return 'root';
  const first = pathname.split('/')[1] ?? '';
  return ROUTES.has(first) ? first : 'other';
}

export function summarize(scope: RequestScope, req: http.IncomingMessage, res: http.ServerResponse, completed: boolean): RequestSummary {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  const route = routeOf(path);
  const status = completed ? res.statusCode : 499;
  let operations = scope.results.map((r) => ({ operation: r.field, result: r.result }));
  if (operations.length === 0 && route === 'graphql' && req.method !== 'OPTIONS') {
    // Refused before execution (rate limit, cost, validation, auth): every root field gets the refusal's code.
    const result = [...scope.errorCodes][0] ?? `HTTP_${status}`;
    operations = (scope.rootFields?.length ? scope.rootFields : ['(none)']).map((operation) => ({ operation, result }));
  }
  return {
    requestId: scope.requestId,
    method: req.method ?? 'GET',
    path,
    route,
    status,
    seconds: (performance.now() - scope.startedAt) / 1000,
    operations,
  };
}

/** The one line per request an on-call engineer greps for (README "Operations" shows one). */
export function logRequest(s: RequestSummary, scope: RequestScope): void {
  const fields = {
    method: s.method,
    path: s.path,
    status: s.status,
    durationMs: Math.round(s.seconds * 10_000) / 10,
    ...(scope.operationName ? { operationName: scope.operationName } : {}),
    ...(s.operations.length ? { operations: s.operations.map((o) => o.operation), results: s.operations.map((o) => o.result) } : {}),
    ...(scope.errorCodes.size ? { errors: [...scope.errorCodes] } : {}),
    ...(scope.cost !== undefined ? { cost: scope.cost } : {}),
    ...(scope.client ? { client: scope.client.id } : {}),
  };
  if (s.status >= 500 && s.status !== 503) logger.warn('request', fields);
  else if (PROBES.has(s.route)) logger.debug('request', fields);
  else logger.info('request', fields);
}
