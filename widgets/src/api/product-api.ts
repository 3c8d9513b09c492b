import { DOCUMENTS, type DocumentName } from '../../../src/server/persisted-documents';
import { WidgetError, type HitPage, type ProductFilters, type WidgetHit, type WidgetProduct } from './types';

/** sha256 of each persisted document, computed by the build from documents.ts (scripts/build-web.ts). */
declare const __PERSISTED_QUERY_HASHES__: Partial<Record<DocumentName, string>>;

export interface PageRequest {
  first: number;
  filters?: ProductFilters;
  signal?: AbortSignal;
}

interface GraphQLBody {
  data?: Record<string, any> | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/**
 * The widgets' only door to the server. Cacheable reads go as GET persisted queries (hash + variables, no custom
 * headers, so a cross-origin read is a "simple" request with no preflight and a CDN can cache it); the image upload
 * is a POST. Every failure leaves as a WidgetError with a reason the widget can explain.
 */
export class ProductApi {
  constructor(readonly endpoint: string) {}

  private page(hits: WidgetHit[]): HitPage {
    return page(hits.map((h) => ({ ...h, product: absoluteImages(h.product, this.endpoint) })));
  }

  async similar(id: string, o: PageRequest): Promise<HitPage> {
    const data = await this.persisted('SimilarProducts', { id, first: o.first, filters: o.filters ?? null }, o.signal);
    const r = data.similarProducts;
    if (r.__typename === 'ProductNotFound') throw new WidgetError('not-found', `Product “${id}” is not in the catalog.`);
    return this.page(r.hits);
  }

  async recommended(ids: string[], negativeIds: string[], o: PageRequest): Promise<HitPage & { unknownIds: string[] }> {
    const data = await this.persisted('Recommendations', { ids, negativeIds, first: o.first, filters: o.filters ?? null }, o.signal);
    return { ...this.page(data.recommendations.hits), unknownIds: data.recommendations.unknownIds };
  }

  async searchText(q: string, mode: 'HYBRID' | 'VECTOR' | 'KEYWORD', o: PageRequest): Promise<HitPage> {
    const data = await this.persisted('SearchByText', { q, mode, first: o.first, filters: o.filters ?? null }, o.signal);
    return this.page(data.searchByText.hits);
  }

  async searchImage(base64: string, o: PageRequest): Promise<HitPage> {
    const data = await this.post('SearchByImage', { image: { base64 }, first: o.first, filters: o.filters ?? null }, o.signal);
    const r = data.searchByImage;
    if (r.__typename !== 'ProductHits') throw new WidgetError('rejected', r.message ?? 'The photo was not accepted.');
    return this.page(r.hits);
  }

  async products(ids: string[], signal?: AbortSignal): Promise<(WidgetProduct | null)[]> {
    const products = (await this.persisted('Products', { ids }, signal)).products as (WidgetProduct | null)[];
    return products.map((p) => (p ? absoluteImages(p, this.endpoint) : null));
  }

  /** GET with the document's hash; the variables are serialised with sorted keys so equal requests share a URL. */
  private async persisted(name: DocumentName, variables: Record<string, unknown>, signal?: AbortSignal): Promise<Record<string, any>> {
    const hash = __PERSISTED_QUERY_HASHES__[name];
    if (!hash) return this.post(name, variables, signal);
    const url = new URL(this.endpoint, document.baseURI);
    url.searchParams.set('operationName', name);
    url.searchParams.set('variables', stableJson(variables));
    url.searchParams.set('extensions', JSON.stringify({ persistedQuery: { version: 1, sha256Hash: hash } }));
    return this.send(url.href, { method: 'GET', signal });
  }

  private post(name: DocumentName, variables: Record<string, unknown>, signal?: AbortSignal): Promise<Record<string, any>> {
    return this.send(new URL(this.endpoint, document.baseURI).href, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ operationName: name, query: DOCUMENTS[name], variables }),
      signal,
    });
  }

  private async send(url: string, init: RequestInit): Promise<Record<string, any>> {
    let res: Response;
    try {
      // No credentials: the widgets read public data, and an allowlisted origin needs no cookie or key.
      res = await fetch(url, { ...init, credentials: 'omit', mode: 'cors' });
    } catch (e) {
      if (isAbort(e)) throw e;
      // A CORS refusal looks exactly like a network failure from here, so the message names both.
      throw new WidgetError('unreachable', `Could not reach the product service at ${this.endpoint} (it is down, or this site is not allowed to call it).`);
    }
    let body: GraphQLBody;
    try {
      body = (await res.json()) as GraphQLBody;
    } catch (e) {
      if (isAbort(e)) throw e;
      throw new WidgetError('server', `The product service answered ${res.status} without a GraphQL response.`);
    }
    const error = body.errors?.[0];
    if (error || !body.data) {
      const code = error?.extensions?.code;
      const reason = code === 'BAD_USER_INPUT' || code === 'GRAPHQL_VALIDATION_FAILED' ? 'bad-input' : 'server';
      throw new WidgetError(reason, `The product service refused the request: ${error?.message ?? `HTTP ${res.status}`}`);
    }
    return body.data;
  }
}

function page(hits: WidgetHit[]): HitPage {
  return { hits, nextCursor: null };
}

/** Catalog image URLs may be relative to the API server; on a storefront's own origin they must not be. */
function absoluteImages<T extends { imageUrl?: string | null }>(product: T, endpoint: string): T {
  if (!product.imageUrl) return product;
  try {
    return { ...product, imageUrl: new URL(product.imageUrl, new URL(endpoint, document.baseURI)).href };
  } catch {
    return product;
  }
}

export function isAbort(e: unknown): boolean {
  return e instanceof DOMException && e.name === 'AbortError';
}

/** JSON with object keys sorted at every level. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** The GraphQL endpoint of the server this script was loaded from: embedding needs no `endpoint` attribute. */
export const DEFAULT_ENDPOINT = new URL('/graphql', import.meta.url).href;
