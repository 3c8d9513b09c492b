import type { IndexingFailureReason } from '../common/errors';
import type { MatchedImage, Product, ProductDocument, ProductFilter } from './product';
import type { FieldName } from './product-fields';
import type { FacetResult } from './search-result';

/**
 * What the services need from the product store. The Elasticsearch adapter (search/elasticsearch) implements it
 * against a real cluster; unit tests use an in-memory fake (test/support/fakes). Failures of the store itself reject
 * with a coded AppError; per-item write failures are reported in the results, never thrown.
 */
export interface ProductIndex {
  /** Catalog fields only (no vectors), for display. Absent ids are missing from the map. */
  getMany(ids: readonly string[]): Promise<Map<string, Product>>;
  /** Stored documents with their vectors and bookkeeping. Absent ids are missing from the map. */
  getDocuments(ids: readonly string[]): Promise<Map<string, ProductDocument>>;
  /**
   * What a query needs of the products it starts from, read as of the last write (no refresh wait): less to read than
   * whole documents. Absent ids are missing from the map.
   */
  getQuerySeeds(ids: readonly string[]): Promise<Map<string, QuerySeed>>;
  /**
   * One retrieval round of a search: the nearest neighbours of a query vector and/or the BM25 matches of keywords,
   * both under the same restriction, in one round trip where the store allows.
   */
  retrieve(q: RetrievalQuery): Promise<Retrieval>;
  /** Independent retrievals (no facets, no pins), answered in order, in one round trip where the store allows. */
  retrieveEach(qs: readonly RetrievalQuery[]): Promise<Retrieval[]>;
  /** Products under a restriction in a sort order, a page at a time (search_after), with the total count. */
  browse(q: BrowseQuery): Promise<BrowsePage>;
  /** How many products of each group pass the restriction; groups with none are missing from the map. */
  groupSizes(groupIds: readonly string[], restriction: Restriction): Promise<Map<string, number>>;
  /**
   * Upserts whole documents by id. A document with a `version` is written only when that version is newer than the
   * stored one (otherwise its result is a `conflict`).
   */
  bulkUpsert(docs: readonly ProductDocument[], o?: WriteOptions): Promise<BulkItemResult[]>;
  /** True when a product was deleted, false when there was none. */
  delete(id: string, o?: WriteOptions): Promise<boolean>;
  /**
   * Deletes a product only if its last write is still the one `stamp` marks: `deleted`; `gone` when there is no such
   * product; `changed` when it was written since the stamp was read (then it is kept).
   */
  deleteIfUnchanged(id: string, stamp: WriteStamp, o?: WriteOptions): Promise<ConditionalDelete>;
  /**
   * One page of the products whose free-form attribute `name` is exactly `value`, in id order after the id `after`,
   * each with the stamp of the write it was read at. The store filters: other products are not read at all.
   */
  idsByAttribute(name: string, value: string, page: { size: number; after?: string }): Promise<StampedId[]>;
}

/** The store's mark of a product's last write (Elasticsearch: sequence number and primary term). */
export interface WriteStamp {
  readonly seqNo: number;
  readonly primaryTerm: number;
}

export interface StampedId {
  id: string;
  stamp: WriteStamp;
}

export type ConditionalDelete = 'deleted' | 'gone' | 'changed';

/** A product a query starts from: its own vector (its first image's) and its category (context for stored rules). */
export interface QuerySeed {
  vector: number[];
  category?: string;
}

/** What every side of a search honours: filters and products never to return. */
export interface Restriction {
  filter?: ProductFilter;
  excludeIds?: readonly string[];
}

export interface RetrievalQuery {
  restriction: Restriction;
  /**
   * kNN over the image vectors: hits `from` to `from + size` of the `numCandidates` nearest products. A fixed
   * `numCandidates` makes a smaller window's hits a prefix of a larger one's.
   */
  vector?: {
    vector: ArrayLike<number>;
    from: number;
    size: number;
    numCandidates: number;
    /** Products of these groups are left out of the kNN (collapsing pages the kNN by groups). */
    excludeGroups?: readonly string[];
    /**
     * Hits are the best product (score, then id) of each group among the `numCandidates` nearest, best group first,
     * and `from`/`size` count groups: a page of groups costs one window however many variants its groups have.
     */
    collapse?: boolean;
    /** Only products with an image at least this similar (cosine) to the query. */
    minSimilarity?: number;
    /**
     * Ids of `restriction.excludeIds` this side does not filter out: the caller drops them from the hits itself
     * (asking for a few more hits is cheaper than a filter in the kNN walk). The side then searches the
     * `numCandidates + unfiltered.length` nearest, and `from`/`size` count positions in that list, these ids included.
     */
    unfiltered?: readonly string[];
  };
  /** BM25 over the text fields: matches `from` to `from + size`. */
  keyword?: { q: string; from: number; size: number };
  /**
   * Facet counts over the query's candidates (the `numCandidates` nearest, the keyword matches, or both), each
   * under its own restriction; in the same round trip as the sides.
   */
  facets?: readonly FacetQuery[];
  /** These products, if they pass the restriction, scored against the query vector when there is one (pins). */
  pinned?: readonly string[];
  /** Hits carry their image vectors (diversity needs them). */
  withVectors?: boolean;
}

/** Facets counted under one restriction (the request's, minus the filters of the facets counted here). */
export interface FacetQuery {
  restriction: Restriction;
  facets: readonly FacetDefinition[];
}

export interface FacetDefinition {
  field: FieldName;
  /** Bucket bounds of a range facet, ascending; absent for a terms facet. */
  ranges?: readonly number[];
  /** The most frequent values of a terms facet to return. */
  size: number;
}

/** Each side asked for, best first. */
export interface Retrieval {
  vector?: Hit[];
  keyword?: Hit[];
  /**
   * Which generation of the index answered (the concrete index behind the alias, which a reindex replaces);
   * undefined when there were no hits to tell.
   */
  generation?: string;
  /** One per facet definition asked for, in any order. */
  facets?: FacetResult[];
  /** The pinned products that pass the restriction. */
  pinned?: Hit[];
  /** A collapsed vector side: how many products its candidate set holds (fewer than `numCandidates`: all there are). */
  vectorCandidates?: number;
}

export interface BrowseQuery {
  restriction: Restriction;
  /** Ties (and products without the field, which come last) are ordered by id. */
  sort: { field: FieldName; descending: boolean };
  size: number;
  /** The sort values of the last product of the previous page. */
  after?: readonly unknown[];
  /** Facet counts over every product under each restriction. */
  facets?: readonly FacetQuery[];
}

export interface BrowsePage {
  products: { product: Product; sortValues: unknown[] }[];
  /** Every product under the restriction. */
  total: number;
  generation?: string;
  facets?: FacetResult[];
}

export interface WriteOptions {
  /** Answer only once the write is visible to searches (read-your-writes). */
  refresh?: boolean;
}

export interface Hit {
  product: Product;
  /** The product's image nearest to the query vector (kNN hits). */
  matchedImage?: MatchedImage;
  /** Its images' vectors, when asked for. */
  vectors?: number[][];
  /**
   * The store's ranking score, highest first. For kNN hits it is Elasticsearch's dot_product score over unit vectors,
   * (1 + cosine) / 2, in [0, 1].
   */
  score: number;
  /**
   * A kNN hit whose score is the exact similarity of the query vector and the product's nearest image (float
   * vectors, not a quantised estimate): relations can be cut from it without reading the vectors back.
   */
  exactScore?: boolean;
}

export interface BulkItemResult {
  id: string;
  ok: boolean;
  /** The stored version is newer or equal: the write was refused on purpose. */
  conflict?: boolean;
  error?: string;
  /** Why a non-conflict failure happened. */
  reason?: IndexingFailureReason;
  /** For a success, whether the store created the document (false: replaced one), when the store says so. */
  created?: boolean;
}

/**
 * Whole-catalog reads, for views of the entire catalog (the 2-D map) and for cache validators (persisted-query ETags).
 * The Elasticsearch adapter implements it next to ProductIndex.
 */
export interface CatalogScan {
  /** Changes whenever what searches see changes (any write, once visible); equal on every server replica. */
  generation(): Promise<string>;
  /** Every product with its vector, in id order, in batches. */
  scanVectors(batch?: number): AsyncGenerator<{ product: Product; vector: number[] }[]>;
}
