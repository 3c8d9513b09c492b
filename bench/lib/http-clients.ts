import { Pool } from 'undici';
import { IMAGES_FIELD, VECTOR_FIELD } from '../../src/search/elasticsearch/index-mapping';

/**
 * The two clients the query benchmark compares, built the same way (one undici keep-alive pool each, JSON in and
 * out) so the client side costs the same on both and the ratio shows only what sits between them: our GraphQL
 * server and its Elasticsearch client.
 */

function pool(origin: string, connections: number): Pool {
  return new Pool(origin, { connections, pipelining: 1, keepAliveTimeout: 30_000 });
}

async function postJson<T>(p: Pool, path: string, body: unknown, headers: Record<string, string> = {}): Promise<T> {
  const res = await p.request({
    method: 'POST',
    path,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const text = await res.body.text();
  if (res.statusCode >= 300) throw new Error(`POST ${path} → ${res.statusCode}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

export interface SimilarQuery {
  id: string;
  first: number;
  /** The filter as the GraphQL API takes it; the raw side translates it the way the server does. */
  filter?: { categories?: string[]; inStock?: boolean };
}

interface SearchHits {
  hits: { hits: { _id: string; _source?: Record<string, unknown> }[] };
}

/** "Raw Elasticsearch": the requests a competent developer would send by hand for "more like this". */
export class RawEs {
  private readonly pool: Pool;

  constructor(
    readonly url: string,
    readonly alias: string,
    connections = 8,
  ) {
    this.pool = pool(url, connections);
  }

  search<T = SearchHits>(body: unknown, index = this.alias): Promise<T> {
    return postJson<T>(this.pool, `/${index}/_search`, body);
  }

  /**
   * The textbook two round trips, kept fixed so runs compare across server versions: the stored vector by a search on
   * its id, then a kNN of k = first over max(100, 10 × first) candidates with the filter and the product itself
   * excluded. The server does more Elasticsearch work for the same widget (1,000 candidates rescored with the float
   * vectors, for recall and for cursors; README "Performance"), so its lists can differ and the ratio includes that.
   */
  async similar(q: SimilarQuery): Promise<string[]> {
    const seed = await this.search({ size: 1, query: { ids: { values: [q.id] } }, _source: { exclude_vectors: false } });
    const images = seed.hits.hits[0]?._source?.[IMAGES_FIELD] as { vector: number[] }[] | undefined;
    const vector = images?.[0]?.vector;
    if (!vector) throw new Error(`raw ES: no vector for ${q.id}`);
    const filter: unknown[] = [];
    if (q.filter?.categories) filter.push({ terms: { category: q.filter.categories } });
    if (q.filter?.inStock !== undefined) filter.push({ term: { inStock: q.filter.inStock } });
    const res = await this.search({
      knn: {
        field: VECTOR_FIELD,
        query_vector: vector,
        k: q.first,
        num_candidates: Math.min(10_000, Math.max(100, q.first * 10)),
        filter: { bool: { filter, must_not: [{ ids: { values: [q.id] } }] } },
      },
      size: q.first,
      _source: { exclude_vectors: true },
    });
    return res.hits.hits.map((h) => h._id);
  }

  async bulk(ndjson: string): Promise<{ errors: boolean; items: Record<string, { status: number; error?: unknown }>[] }> {
    const res = await this.pool.request({
      method: 'POST',
      path: '/_bulk?refresh=false',
      headers: { 'content-type': 'application/x-ndjson' },
      body: ndjson,
    });
    const text = await res.body.text();
    if (res.statusCode >= 300) throw new Error(`_bulk → ${res.statusCode}: ${text.slice(0, 300)}`);
    return JSON.parse(text);
  }

  async request(method: 'GET' | 'PUT' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<any> {
    const res = await this.pool.request({
      method,
      path,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.body.text();
    if (res.statusCode >= 300 && res.statusCode !== 404) throw new Error(`${method} ${path} → ${res.statusCode}: ${text.slice(0, 300)}`);
    return { status: res.statusCode, body: text ? JSON.parse(text) : undefined };
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

/** What a storefront widget asks for. */
export const SIMILAR_QUERY = `query Similar($id: ID!, $first: Int!, $filters: ProductFilterInput) {
  similarProducts(id: $id, first: $first, filters: $filters) {
    __typename
    ... on ProductHits { hits { similarity product { id title price currency imageUrl } } }
  }
}`;

/** The same widget with the merchandising controls on: facets, one product per style, and a varied strip. */
export const SIMILAR_FEATURES_QUERY = `query SimilarFeatures($id: ID!, $first: Int!, $filters: ProductFilterInput) {
  similarProducts(id: $id, first: $first, filters: $filters, facets: [CATEGORY, BRAND, COLOR, PRICE_RANGE], collapse: true, diversity: 0.5) {
    __typename
    ... on ProductHits { hits { similarity groupSize product { id title price currency imageUrl } } facets { field values { value count } } }
  }
}`;

export class GraphQLClient {
  private readonly pool: Pool;
  private readonly path: string;

  constructor(
    endpoint: string,
    connections = 8,
    private readonly apiKey?: string,
  ) {
    const u = new URL(endpoint);
    this.pool = pool(u.origin, connections);
    this.path = u.pathname;
  }

  async query<T = any>(query: string, variables: Record<string, unknown>): Promise<T> {
    const body = await postJson<{ data?: T; errors?: unknown[] }>(
      this.pool,
      this.path,
      { query, variables },
      this.apiKey ? { authorization: `Bearer ${this.apiKey}` } : {},
    );
    if (body.errors) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors).slice(0, 500)}`);
    return body.data as T;
  }

  /** similarProducts as a storefront widget asks for it; with `features`, with facets, collapse and diversity too. */
  async similar(q: SimilarQuery, features = false): Promise<string[]> {
    const data = await this.query<{ similarProducts: { __typename: string; hits?: { product: { id: string } }[] } }>(features ? SIMILAR_FEATURES_QUERY : SIMILAR_QUERY, {
      id: q.id,
      first: q.first,
      filters: q.filter ?? null,
    });
    if (!data.similarProducts.hits) throw new Error(`similarProducts(${q.id}) answered ${data.similarProducts.__typename}`);
    return data.similarProducts.hits.map((h) => h.product.id);
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
