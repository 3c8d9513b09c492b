/** Domain shapes shared by the search and ingest services. They carry no GraphQL or Elasticsearch types. */

export interface Product {
  id: string;
  title: string;
  description?: string;
  brand?: string;
  category?: string;
  color?: string;
  price?: number;
  currency?: string;
  inStock: boolean;
  tags: string[];
  attributes: Record<string, string>;
  imageUrl?: string;
  /** Caller-supplied version (e.g. the catalog's updatedAt in ms); older versions never overwrite newer ones. */
  version?: number;
  updatedAt: string;
}

/** What is stored per product: the catalog fields plus the vector and the bookkeeping that makes ingest idempotent. */
export interface ProductDocument extends Product {
  imageVector: number[];
  /** SHA-256 of the image bytes the vector was computed from. */
  imageSha256: string;
  /** SHA-256 over the catalog fields and imageSha256: equal hashes mean a re-ingest would change nothing. */
  contentHash: string;
  modelId: string;
}

export interface ProductFilter {
  categories?: string[];
  brands?: string[];
  colors?: string[];
  tags?: string[];
  minPrice?: number;
  maxPrice?: number;
  inStock?: boolean;
}

export interface ScoredProduct {
  product: Product;
  /** Ranking score: the fused RRF score in hybrid mode, otherwise the engine's score. */
  score: number;
  /** Cosine similarity to the query vector when the hit came from the vector side. */
  similarity?: number;
}
