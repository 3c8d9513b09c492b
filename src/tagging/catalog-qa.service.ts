import { primaryVector, type AttributeConflict, type Product } from '../catalog/product';
import type { ConflictSortKey, TagStore } from '../catalog/tag-store';
import { InvalidInputError } from '../common/errors';
import type { ProductTagger } from './tagger';

export interface ConflictsPage {
  items: { product: Product; conflict: AttributeConflict; cursor: string }[];
  totalCount: number;
  hasNextPage: boolean;
  endCursor?: string;
}

export interface RetagReport {
  /** Products whose tags were recomputed and written. */
  retagged: number;
  /** Products rewritten by an ingest meanwhile (which tagged them itself). */
  skipped: number;
}

/**
 * Catalog QA over the zero-shot tags: the products whose stated attributes their images contradict, and bringing
 * every stored product's tags to the current label file and model (re-tagging reads stored vectors, so no image is
 * fetched or embedded again).
 */
export class CatalogQaService {
  constructor(
    private readonly store: TagStore,
    private readonly tagger: ProductTagger | undefined,
  ) {}

  get labelSets(): boolean {
    return this.tagger !== undefined;
  }

  async attributeConflicts(name: string, minConfidence: number, first: number, after?: string): Promise<ConflictsPage> {
    const page = await this.store.conflicts({ name: name.trim().toLowerCase(), minConfidence, size: first + 1, after: after ? decodeCursor(after) : undefined });
    const items = page.items.slice(0, first).map((i) => ({ product: i.product, conflict: i.conflict, cursor: encodeCursor(i.sortKey) }));
    return { items, totalCount: page.total, hasNextPage: page.items.length > first, endCursor: items.at(-1)?.cursor };
  }

  /** Re-tags every product tagged by another label file or model (or never tagged). Idempotent and resumable. */
  async retagStale(o: { batch?: number; signal?: AbortSignal } = {}): Promise<RetagReport> {
    const report: RetagReport = { retagged: 0, skipped: 0 };
    const tagger = this.tagger;
    if (!tagger) return report;
    for await (const batch of this.store.staleTags(tagger.version, o.batch)) {
      o.signal?.throwIfAborted();
      // Tags describe the product's own picture: one vector per product, the first image's (as at ingest).
      const docs = batch
        .filter((s) => primaryVector(s.doc).length > 0)
        .map((s) => ({ ...s, doc: { ...s.doc, ...tagger.tag(primaryVector(s.doc), s.doc) } }));
      const written = await this.store.rewrite(docs);
      report.retagged += written;
      report.skipped += docs.length - written;
    }
    return report;
  }
}

function encodeCursor(key: ConflictSortKey): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

function decodeCursor(cursor: string): ConflictSortKey {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(key) && key.length === 2 && typeof key[0] === 'number' && typeof key[1] === 'string') return [key[0], key[1]];
  } catch {
    // fall through
  }
  throw new InvalidInputError('after is not a cursor of attributeConflicts', 'after');
}
