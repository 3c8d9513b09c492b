import type { AttributeConflict, Product, ProductDocument } from './product';

/**
 * What catalog QA and re-tagging need from the product store, beside ProductIndex. The Elasticsearch adapter
 * implements it; unit tests use an in-memory fake.
 */
export interface TagStore {
  /** Products whose stated `name` the image contradicts with at least `minConfidence`, most confident first, then by id. */
  conflicts(q: ConflictQuery): Promise<ConflictPage>;
  /** Every product whose tagsVersion is not `version` (or that has none), with its vector, in id order, in batches. */
  staleTags(version: string, batch?: number): AsyncGenerator<StoredDocument[]>;
  /**
   * Writes documents back unless they changed since they were read (sequence number, or a newer catalog version);
   * those are skipped, as their writer stored its own tags. Resolves to how many were written.
   */
  rewrite(docs: readonly StoredDocument[]): Promise<number>;
}

export interface ConflictQuery {
  name: string;
  minConfidence: number;
  size: number;
  /** The sort key of the last item of the previous page. */
  after?: ConflictSortKey;
}

export type ConflictSortKey = readonly [confidence: number, id: string];

export interface ConflictPage {
  items: { product: Product; conflict: AttributeConflict; sortKey: ConflictSortKey }[];
  /** Every product with such a conflict. */
  total: number;
}

/** A document as read, with what makes a conditional write-back possible. */
export interface StoredDocument {
  doc: ProductDocument;
  seqNo: number;
  primaryTerm: number;
}
