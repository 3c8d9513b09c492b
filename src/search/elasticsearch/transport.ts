import type { ProductDocument } from '../../catalog/product';
import type { EsClause } from './query-builder';
import { toDocument, toSource, type Source } from './source';

/**
 * The client calls the stores beside the adapter (tag-store.ts, shadow-store.ts) make, lent by the adapter, which
 * alone imports the client and translates its errors. Every call names its index or alias.
 */
export interface EsTransport {
  /** A search; hits carry the whole stored document (vectors too when `_source` asks for them) and its sequence number. */
  search(index: string, body: EsClause): Promise<{ total: number; hits: StoredHit[] }>;
  /** A bulk request; `{ doc }` entries are encoded as stored sources. One result per operation, in order. */
  bulk(index: string, operations: readonly unknown[]): Promise<{ id: string; status: number; error?: string }[]>;
  /** Atomic alias actions (`_aliases`). */
  aliases(actions: readonly EsClause[]): Promise<void>;
  deleteIndex(index: string): Promise<void>;
}

export interface StoredHit {
  doc: ProductDocument;
  sort: unknown[];
  seqNo: number;
  primaryTerm: number;
}

/** A search response as stored hits (structural types: only the adapter imports the client). */
export function storedHits(res: {
  hits: { total?: number | { value: number }; hits: { _source?: Source; sort?: unknown[]; _seq_no?: number; _primary_term?: number }[] };
}): { total: number; hits: StoredHit[] } {
  const total = typeof res.hits.total === 'number' ? res.hits.total : (res.hits.total?.value ?? 0);
  return { total, hits: res.hits.hits.map((h) => ({ doc: toDocument(h._source!), sort: h.sort ?? [], seqNo: h._seq_no!, primaryTerm: h._primary_term! })) };
}

/** `{ doc }` bulk entries as stored sources; action lines unchanged. */
export function encodeDocs(o: unknown): unknown {
  return typeof o === 'object' && o !== null && 'doc' in o ? toSource((o as { doc: ProductDocument }).doc) : o;
}

/** One result per bulk operation, whatever its action. */
export function bulkResults(res: { items: Record<string, { _id?: string | null; status: number; error?: { type: string } }>[] }) {
  return res.items.map((i) => Object.values(i)[0]!).map((op) => ({ id: op._id!, status: op.status, error: op.error?.type }));
}
