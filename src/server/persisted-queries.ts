import type { ApolloServer } from '@apollo/server';
import { createHash } from 'node:crypto';
import type * as http from 'node:http';
import { OperationTypeNode, parse } from 'graphql';
import { DOCUMENTS, PERSISTED } from './persisted-documents';
import type { RequestContext } from '../resolvers/context';
import { ifNoneMatch } from './static-assets';

/**
 * GET persisted queries: a fixed set of read-only documents (the widgets', from persisted-documents.ts),
 * addressed by sha256 in Apollo's APQ wire format
 * (`GET /graphql?extensions={"persistedQuery":{"version":1,"sha256Hash":"…"}}&variables=…`).
 *
 * Because the set is fixed and every document is a query, such a GET has no side effects and needs no CSRF
 * preflight header: a cross-origin widget can send it as a "simple" request, and a CDN can cache it. The answer
 * carries `Cache-Control: public, max-age=N` and an ETag derived from the catalog generation read *before* the
 * query runs: a tag can be older than the data it labels (harmless: the next revalidation misses) but never newer,
 * so a 304 never confirms stale data. The generation comes from Elasticsearch, so every replica agrees.
 */
export interface PersistedDocument {
  name: string;
  query: string;
  hash: string;
}

export function persistedDocuments(): Map<string, PersistedDocument> {
  const out = new Map<string, PersistedDocument>();
  for (const name of PERSISTED) {
    const query = DOCUMENTS[name];
    const ops = parse(query).definitions.filter((d) => d.kind === 'OperationDefinition');
    if (ops.length !== 1 || ops[0].operation !== OperationTypeNode.QUERY) throw new Error(`persisted document ${name} must be exactly one query`);
    const hash = createHash('sha256').update(query).digest('hex');
    out.set(hash, { name, query, hash });
  }
  return out;
}

export interface PersistedRequest {
  hash: string;
  variables: Record<string, unknown>;
  operationName?: string;
}

/** The persisted-query part of a GET URL, `undefined` when the URL is not one, or an error message. */
export function parsePersistedGet(url: URL): PersistedRequest | { error: string } | undefined {
  const ext = url.searchParams.get('extensions');
  if (ext === null || url.searchParams.has('query')) return undefined;
  let hash: unknown;
  try {
    hash = (JSON.parse(ext) as { persistedQuery?: { sha256Hash?: unknown } })?.persistedQuery?.sha256Hash;
  } catch {
    return { error: 'extensions is not valid JSON' };
  }
  if (hash === undefined) return undefined;
  if (typeof hash !== 'string' || !/^[0-9a-f]{64}$/.test(hash)) return { error: 'persistedQuery.sha256Hash must be 64 hex digits' };
  let variables: unknown = {};
  const raw = url.searchParams.get('variables');
  if (raw !== null) {
    try {
      variables = JSON.parse(raw);
    } catch {
      return { error: 'variables is not valid JSON' };
    }
  }
  if (variables === null || typeof variables !== 'object' || Array.isArray(variables)) return { error: 'variables must be a JSON object' };
  return { hash, variables: variables as Record<string, unknown>, operationName: url.searchParams.get('operationName') ?? undefined };
}

export interface PersistedQueryOptions {
  apollo: ApolloServer<RequestContext>;
  /** Changes whenever the catalog as searches see it changes (ProductIndex.generation). */
  generation: () => Promise<string>;
  maxAgeS: number;
}

export class PersistedQueries {
  private readonly documents = persistedDocuments();

  constructor(private readonly o: PersistedQueryOptions) {}

  async answer(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    request: PersistedRequest,
    context: () => Promise<RequestContext>,
  ): Promise<void> {
    const doc = this.documents.get(request.hash);
    if (!doc) {
      return send(res, 404, { 'cache-control': 'no-store' }, {
        errors: [{ message: 'PersistedQueryNotFound: this server serves a fixed set of documents', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } }],
      });
    }
    const generation = await this.o.generation();
    const etag = `"${createHash('sha256').update(`${doc.hash}\n${canonicalJson(request.variables)}\n${generation}`).digest('base64url').slice(0, 32)}"`;
    // Vary: Origin because the CORS headers differ per origin; a shared cache must not mix them up.
    const cacheHeaders = { 'cache-control': `public, max-age=${this.o.maxAgeS}`, etag, vary: 'Origin' };
    if (ifNoneMatch(req, etag)) {
      res.writeHead(304, cacheHeaders);
      return void res.end();
    }
    const contextValue = await context();
    const response = await this.o.apollo.executeOperation(
      { query: doc.query, variables: request.variables, operationName: doc.name },
      { contextValue },
    );
    if (response.body.kind !== 'single') throw new Error('persisted queries never stream');
    const result = response.body.singleResult;
    // Faults and bad variables are not cached: the next request may succeed.
    const ok = !result.errors?.length;
    const status = response.http.status ?? (ok ? 200 : result.data ? 200 : 400);
    // Headers an error asked for (Retry-After on RATE_LIMITED) go out too.
    const extra = Object.fromEntries(response.http.headers);
    send(res, status, ok ? { ...extra, ...cacheHeaders } : { ...extra, 'cache-control': 'no-store' }, result);
  }
}

function send(res: http.ServerResponse, status: number, headers: Record<string, string>, body: unknown): void {
  res.writeHead(status, { ...headers, 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

/** Key-sorted JSON, so equivalent variables produce the same ETag. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
