import { ProductApi } from '../../src/api/product-api';
import type { WidgetProduct } from '../../src/api/types';

/** The explore page's reads: the map queries (POST: large, same-origin only) and product details via the widgets' API. */
export interface MapFacet {
  name: string;
  values: string[];
  codes: number[];
}

export interface CatalogMapData {
  generation: string;
  method: 'UMAP' | 'PCA';
  totalProducts: number;
  ids: string[];
  x: number[];
  y: number[];
  facets: MapFacet[];
}

const ENDPOINT = '/graphql';
export const products = new ProductApi(ENDPOINT);

async function gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const res = await fetch(ENDPOINT, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  const body = (await res.json()) as { data?: T; errors?: { message: string }[] };
  if (body.errors?.length || !body.data) throw new Error(body.errors?.[0]?.message ?? `HTTP ${res.status}`);
  return body.data;
}

export async function loadMap(): Promise<CatalogMapData> {
  const d = await gql<{ catalogMap: CatalogMapData }>(
    `{ catalogMap { generation method totalProducts ids x y facets { name values codes } } }`,
  );
  return d.catalogMap;
}

export async function placeText(q: string): Promise<{ position: { x: number; y: number }; nearest: string[] }> {
  const [p, hits] = await Promise.all([
    gql<{ catalogMapPosition: { x: number; y: number } }>(`query($q: String!) { catalogMapPosition(q: $q) { x y } }`, { q }),
    products.searchText(q, 'VECTOR', { first: 10 }),
  ]);
  return { position: p.catalogMapPosition, nearest: hits.hits.map((h) => h.product.id) };
}

export async function similarityMatrix(ids: string[]): Promise<{ ids: string[]; values: number[] }> {
  const d = await gql<{ similarityMatrix: { ids: string[]; values: number[] } }>(
    `query($ids: [ID!]!) { similarityMatrix(ids: $ids) { ids values } }`,
    { ids },
  );
  return d.similarityMatrix;
}

const details = new Map<string, Promise<WidgetProduct | null>>();

/** Product details for tooltips, fetched in small batches and kept for the page's life. */
export function product(id: string): Promise<WidgetProduct | null> {
  let p = details.get(id);
  if (!p) {
    p = products.products([id]).then((r) => r[0] ?? null, () => null);
    details.set(id, p);
  }
  return p;
}
