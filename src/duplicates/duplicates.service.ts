import type { Product } from '../catalog/product';
import { minCosineFor, Relation, relationOf, type RelatedProduct, type RelationThresholds } from '../catalog/relation';
import { AppError, InvalidInputError } from '../common/errors';
import { dot } from '../common/vectors';
import { round, scanClusters, type DuplicateCluster } from './cluster-scan';
import type { DuplicateCatalog } from './duplicate-catalog';

export interface ClusterPage {
  clusters: DuplicateCluster[];
  /** Clusters in the whole catalog at this level. */
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor?: string };
  /** The catalog generation the clusters were computed on. */
  generation: string;
}

/** A product about to be written, checked against the catalog and the rest of its batch. */
export interface CheckItem {
  product: Product;
  vector: ArrayLike<number>;
}

export interface DuplicatesOptions {
  /** Neighbours per product when clustering the catalog. */
  k: number;
  /** Neighbours (and so the most related products) reported per product at ingest. */
  checkTop: number;
}

const CURSOR_PREFIX = 'dc:';

/**
 * Duplicates and variants in the catalog: whole-catalog clusters (computed on demand, cached per catalog generation
 * and level, so pages of one listing are consistent and concurrent requests share one scan) and the check of new
 * products at ingest. Every relation comes from the model's calibrated thresholds.
 */
export class DuplicatesService {
  private readonly cache = new Map<Relation, { generation: string; clusters: Promise<DuplicateCluster[]> }>();

  constructor(
    private readonly catalog: DuplicateCatalog,
    private readonly thresholds: RelationThresholds | undefined,
    private readonly o: DuplicatesOptions = { k: 10, checkTop: 3 },
  ) {}

  get calibrated(): boolean {
    return this.thresholds !== undefined;
  }

  async clusters(minRelation: Relation, first: number, after?: string): Promise<ClusterPage> {
    if (minRelation === Relation.SIMILAR) throw new InvalidInputError('minRelation must be DUPLICATE or VARIANT: every product is SIMILAR to its neighbours', 'minRelation');
    const offset = after === undefined ? 0 : decodeCursor(after);
    const generation = await this.catalog.generation();
    let entry = this.cache.get(minRelation);
    if (entry?.generation !== generation) {
      const clusters = this.scan(minRelation);
      entry = { generation, clusters };
      this.cache.set(minRelation, entry);
      // A failed scan must not stay cached.
      clusters.catch(() => {
        if (this.cache.get(minRelation) === entry) this.cache.delete(minRelation);
      });
    }
    const all = await entry.clusters;
    const page = all.slice(offset, offset + first);
    const end = offset + page.length;
    return {
      clusters: page,
      totalCount: all.length,
      pageInfo: { hasNextPage: end < all.length, endCursor: page.length > 0 ? encodeCursor(end) : undefined },
      generation,
    };
  }

  /** Every cluster at this level, for the dedup command; `onProgress` gets the products scanned so far. */
  scan(
    minRelation: Relation,
    o: { onProgress?: (done: number) => void; signal?: AbortSignal; concurrency?: number; k?: number } = {},
  ): Promise<DuplicateCluster[]> {
    const t = this.require();
    return scanClusters(this.catalog, { minCosine: minCosineFor(minRelation, t), thresholds: t, ...o, k: o.k ?? this.o.k });
  }

  /**
   * The catalog products (other than itself) each item is a DUPLICATE or VARIANT of, plus such items of the same
   * batch, most similar first, at most `checkTop` each. Undefined without a calibrated model.
   */
  async check(items: readonly CheckItem[]): Promise<Map<string, RelatedProduct[]> | undefined> {
    const t = this.thresholds;
    if (!t || items.length === 0) return t && new Map();
    const found = new Map<string, RelatedProduct[]>(items.map((i) => [i.product.id, []]));
    const ids = new Set(found.keys());
    const candidates: [CheckItem, string][] = [];
    // One round trip for the whole batch. The batch's own products are compared below, exactly, with their new vectors.
    const nearest = await this.catalog.nearestEach(items.map((i) => i.vector), this.o.checkTop, [...ids]);
    items.forEach((item, i) => {
      for (const n of nearest[i]!) if (n.cosine >= t.variant - 0.02) candidates.push([item, n.id]);
    });
    const stored = await this.catalog.vectors([...new Set(candidates.map(([, id]) => id))]);
    const add = (item: CheckItem, other: Product, cosine: number) => {
      const similarity = round(cosine);
      const relation = relationOf(similarity, t);
      if (relation !== Relation.SIMILAR) found.get(item.product.id)!.push({ product: other, relation, similarity });
    };
    for (const [item, id] of candidates) {
      const s = stored.get(id);
      if (s) add(item, s.product, dot(item.vector, s.vector));
    }
    for (let a = 0; a < items.length; a++) {
      for (let b = a + 1; b < items.length; b++) {
        const cosine = dot(items[a]!.vector, items[b]!.vector);
        add(items[a]!, items[b]!.product, cosine);
        add(items[b]!, items[a]!.product, cosine);
      }
    }
    for (const [id, list] of found) {
      list.sort((x, y) => y.similarity - x.similarity || (x.product.id < y.product.id ? -1 : 1));
      found.set(id, list.slice(0, this.o.checkTop));
    }
    return found;
  }

  private require(): RelationThresholds {
    if (!this.thresholds) throw new AppError('MODEL_NOT_CALIBRATED', 'The model folder has no calibration.json: run npm run calibrate');
    return this.thresholds;
  }
}

function encodeCursor(offset: number): string {
  return Buffer.from(`${CURSOR_PREFIX}${offset}`).toString('base64url');
}

function decodeCursor(cursor: string): number {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const offset = text.startsWith(CURSOR_PREFIX) ? Number(text.slice(CURSOR_PREFIX.length)) : NaN;
  if (!Number.isSafeInteger(offset) || offset < 0) throw new InvalidInputError('after is not a cursor of duplicateClusters', 'after');
  return offset;
}
