import { pickProduct, primaryVector, type Product, type ProductDocument } from '../../../src/catalog/product';
import { PRODUCT_FIELDS, type FieldName } from '../../../src/catalog/product-fields';
import type { FacetResult } from '../../../src/catalog/search-result';
import type {
  BrowsePage,
  FacetQuery,
  BrowseQuery,
  BulkItemResult,
  Hit,
  ProductIndex,
  QuerySeed,
  Restriction,
  Retrieval,
  RetrievalQuery,
  StampedId,
  WriteOptions,
  WriteStamp,
  ConditionalDelete,
} from '../../../src/catalog/product-index';
import { filterClauses, KEYWORD_FIELDS, type EsClause } from '../../../src/search/elasticsearch/query-builder';
import { dot } from '../vectors';
import { byScoreThenId } from '../../../src/search/pipeline/ranked';

const PRIMARY_TERM = 1;

/**
 * ProductIndex in memory, for unit tests of the services. It keeps Elasticsearch's observable contract where the
 * services depend on it: kNN scores are (1 + cos) / 2 over unit vectors, filters are the very clauses the adapter
 * sends (evaluated here, lowercase-normalised keyword fields included), external versions must be newer than the
 * stored `_version`, a successful write says whether it created the document (Elasticsearch's `result: created`),
 * writes carry a sequence number that conditional deletes compare, and every call is recorded so tests can check what
 * the service asked for.
 */
export class InMemoryProductIndex implements ProductIndex {
  readonly docs = new Map<string, ProductDocument>();
  /** Elasticsearch's `_version`: the external version when one was given, else a counter bumped per write. */
  private readonly versions = new Map<string, number>();
  /** Elasticsearch's `_seq_no`: one counter over every write, as on a single shard. */
  private readonly seqNos = new Map<string, number>();
  private nextSeqNo = 0;
  readonly calls: { method: string; args: unknown[] }[] = [];
  /** Per id, a bulk item error to report once instead of writing (e.g. a mapping error). */
  readonly failNextWrite = new Map<string, string>();
  /** The concrete index a search reports; change it to simulate a reindex behind the alias. */
  generation = 'in-memory-1';
  /** Mark kNN hits of one-image products as exact (Hit.exactScore), like a float or rescored Elasticsearch index. */
  exactScores = false;

  constructor(docs: readonly ProductDocument[] = []) {
    for (const d of docs) this.store(d);
  }

  callsOf(method: keyof ProductIndex): unknown[][] {
    return this.calls.filter((c) => c.method === method).map((c) => c.args);
  }

  async getMany(ids: readonly string[]): Promise<Map<string, Product>> {
    this.calls.push({ method: 'getMany', args: [ids] });
    return new Map(ids.filter((id) => this.docs.has(id)).map((id) => [id, pickProduct(this.docs.get(id)!)]));
  }

  async getDocuments(ids: readonly string[]): Promise<Map<string, ProductDocument>> {
    this.calls.push({ method: 'getDocuments', args: [ids] });
    return new Map(ids.filter((id) => this.docs.has(id)).map((id) => [id, structuredClone(this.docs.get(id)!)]));
  }

  async getQuerySeeds(ids: readonly string[]): Promise<Map<string, QuerySeed>> {
    this.calls.push({ method: 'getQuerySeeds', args: [ids] });
    const seed = (d: ProductDocument): QuerySeed => ({ vector: [...primaryVector(d)], ...(d.category !== undefined ? { category: d.category } : {}) });
    return new Map(ids.filter((id) => this.docs.has(id)).map((id) => [id, seed(this.docs.get(id)!)]));
  }

  async retrieveEach(qs: readonly RetrievalQuery[]): Promise<Retrieval[]> {
    this.calls.push({ method: 'retrieveEach', args: [qs] });
    return Promise.all(qs.map((q) => this.answer(q)));
  }

  async retrieve(q: RetrievalQuery): Promise<Retrieval> {
    this.calls.push({ method: 'retrieve', args: [q] });
    return this.answer(q);
  }

  /**
   * Exact kNN stands in for the HNSW walk: the `numCandidates` nearest, of which hits from..from+size, in
   * Elasticsearch's tie order (equal scores keep insertion order, as Lucene keeps doc order).
   */
  private async answer(q: RetrievalQuery): Promise<Retrieval> {
    const out: Retrieval = {};
    if (q.vector) {
      const { vector, from, size, numCandidates, excludeGroups = [], minSimilarity, unfiltered = [] } = q.vector;
      // The unfiltered exclusions stay in the kNN's list, which is that many positions longer (the caller drops them).
      const restriction = { ...q.restriction, excludeIds: q.restriction.excludeIds?.filter((id) => !unfiltered.includes(id)) };
      const nearest = this.nearest(vector, restriction, minSimilarity).filter((h) => !excludeGroups.includes(h.product.groupId));
      let list = nearest.slice(0, numCandidates + unfiltered.length);
      if (q.vector.collapse) {
        // Elasticsearch's collapse under the sort [_score desc, id asc]: each group's best product, best group first.
        out.vectorCandidates = list.length;
        const best = new Map<string, Hit>();
        for (const h of [...list].sort(byScoreThenId)) if (!best.has(h.product.groupId)) best.set(h.product.groupId, h);
        list = [...best.values()];
      }
      out.vector = list.slice(from, from + size).map((h) => this.withVectors(h, q.withVectors));
    }
    if (q.keyword) {
      out.keyword = this.bm25ish(q.keyword.q, q.restriction)
        .slice(q.keyword.from, q.keyword.from + q.keyword.size)
        .map((h) => this.withVectors(h, q.withVectors));
    }
    if (q.pinned?.length) {
      const wanted = new Set(q.pinned);
      const allowed = (h: Hit) => wanted.has(h.product.id);
      out.pinned = q.vector
        ? this.nearest(q.vector.vector, q.restriction).filter(allowed)
        : this.candidates(q.restriction).map((d) => ({ product: pickProduct(d), score: 0 })).filter(allowed);
    }
    if ((out.vector?.length ?? 0) + (out.keyword?.length ?? 0) > 0) out.generation = this.generation;
    if (q.facets) {
      out.facets = q.facets.flatMap((f) => {
        const ids = new Set<string>();
        if (q.vector) for (const h of this.nearest(q.vector.vector, f.restriction, q.vector.minSimilarity).slice(0, q.vector.numCandidates)) ids.add(h.product.id);
        if (q.keyword) for (const h of this.bm25ish(q.keyword.q, f.restriction)) ids.add(h.product.id);
        return countFacets(f, [...ids].map((id) => this.docs.get(id)!));
      });
    }
    return out;
  }

  async browse(q: BrowseQuery): Promise<BrowsePage> {
    this.calls.push({ method: 'browse', args: [q] });
    const { field, descending } = q.sort;
    const keyOf = (d: ProductDocument): unknown[] => (field === 'id' ? [d.id] : [d[field] ?? null, d.id]);
    const all = this.candidates(q.restriction).sort((a, b) => compareSortValues(keyOf(a), keyOf(b), descending));
    const after = q.after;
    const rest = after ? all.filter((d) => compareSortValues(keyOf(d), [...after], descending) > 0) : all;
    return {
      products: rest.slice(0, q.size).map((d) => ({ product: pickProduct(d), sortValues: keyOf(d) })),
      total: all.length,
      generation: all.length > 0 ? this.generation : undefined,
      facets: (q.facets ?? []).flatMap((f) => countFacets(f, this.candidates(f.restriction))),
    };
  }

  async bulkUpsert(docs: readonly ProductDocument[], o: WriteOptions = {}): Promise<BulkItemResult[]> {
    this.calls.push({ method: 'bulkUpsert', args: [docs, o] });
    return docs.map((d) => {
      const failure = this.failNextWrite.get(d.id);
      if (failure !== undefined) {
        this.failNextWrite.delete(d.id);
        return { id: d.id, ok: false, error: failure };
      }
      const current = this.versions.get(d.id);
      if (d.version !== undefined && current !== undefined && d.version <= current) {
        return { id: d.id, ok: false, conflict: true, error: 'version conflict' };
      }
      const created = !this.docs.has(d.id);
      this.store(d);
      return { id: d.id, ok: true, created };
    });
  }

  async delete(id: string, o: WriteOptions = {}): Promise<boolean> {
    this.calls.push({ method: 'delete', args: [id, o] });
    this.versions.delete(id);
    this.seqNos.delete(id);
    return this.docs.delete(id);
  }

  async deleteIfUnchanged(id: string, stamp: WriteStamp, o: WriteOptions = {}): Promise<ConditionalDelete> {
    this.calls.push({ method: 'deleteIfUnchanged', args: [id, stamp, o] });
    if (!this.docs.has(id)) return 'gone';
    if (this.seqNos.get(id) !== stamp.seqNo || stamp.primaryTerm !== PRIMARY_TERM) return 'changed';
    this.versions.delete(id);
    this.seqNos.delete(id);
    this.docs.delete(id);
    return 'deleted';
  }

  async idsByAttribute(name: string, value: string, page: { size: number; after?: string }): Promise<StampedId[]> {
    this.calls.push({ method: 'idsByAttribute', args: [name, value, page] });
    return [...this.docs.values()]
      .filter((d) => d.attributes[name] === value && (page.after === undefined || d.id > page.after))
      .sort((a, b) => (a.id < b.id ? -1 : 1))
      .slice(0, page.size)
      .map((d) => ({ id: d.id, stamp: { seqNo: this.seqNos.get(d.id)!, primaryTerm: PRIMARY_TERM } }));
  }

  private store(d: ProductDocument): void {
    this.docs.set(d.id, structuredClone(d));
    this.versions.set(d.id, d.version ?? (this.versions.get(d.id) ?? 0) + 1);
    this.seqNos.set(d.id, this.nextSeqNo++);
  }

  private candidates(r: Restriction): ProductDocument[] {
    const clauses = filterClauses(r.filter);
    const excluded = new Set(r.excludeIds ?? []);
    return [...this.docs.values()].filter((d) => !excluded.has(d.id) && clauses.every((c) => matches(d, c)));
  }

  /** A product scores as its best image (nested kNN), and says which image that was; `minSimilarity` is a cosine. */
  private nearest(vector: ArrayLike<number>, r: Restriction, minSimilarity?: number): Hit[] {
    return this.candidates(r)
      .map((d) => {
        const scores = d.images.map((img) => (1 + dot(vector, img.vector)) / 2);
        const best = scores.indexOf(Math.max(...scores));
        const hit: Hit = { product: pickProduct(d), score: scores[best]!, matchedImage: { index: best, url: d.images[best]!.url } };
        if (this.exactScores && d.images.length === 1) hit.exactScore = true;
        return hit;
      })
      .filter((h) => minSimilarity === undefined || 2 * h.score - 1 >= minSimilarity - 1e-12)
      .sort((a, b) => b.score - a.score);
  }

  private withVectors(h: Hit, wanted: boolean | undefined): Hit {
    return wanted ? { ...h, vectors: this.docs.get(h.product.id)!.images.map((i) => i.vector) } : h;
  }

  async groupSizes(groupIds: readonly string[], restriction: Restriction): Promise<Map<string, number>> {
    this.calls.push({ method: 'groupSizes', args: [groupIds, restriction] });
    const sizes = new Map<string, number>();
    for (const d of this.candidates(restriction)) if (groupIds.includes(d.groupId)) sizes.set(d.groupId, (sizes.get(d.groupId) ?? 0) + 1);
    return sizes;
  }

  /** Term overlap weighted like KEYWORD_FIELDS; enough to rank, not BM25. */
  private bm25ish(q: string, r: Restriction): Hit[] {
    const terms = tokens(q);
    const weights = KEYWORD_FIELDS.map((f) => {
      const [name, boost] = f.split('^');
      return [name as FieldName, Number(boost ?? 1)] as const;
    });
    return this.candidates(r)
      .map((d) => {
        let score = 0;
        for (const [name, boost] of weights) {
          const words = new Set(tokens(String(d[name] ?? '')));
          score += boost * terms.filter((t) => words.has(t)).length;
        }
        return { product: pickProduct(d), score };
      })
      .filter((h) => h.score > 0)
      .sort((a, b) => b.score - a.score);
  }
}

/** Elasticsearch's terms and range aggregations over the given documents, keyword values normalised as mapped. */
function countFacets(f: FacetQuery, docs: ProductDocument[]): FacetResult[] {
  return f.facets.map(({ field, ranges, size }) => {
    const values = docs.map((d): unknown => d[field]).flatMap((v) => (Array.isArray(v) ? (v as unknown[]) : v === undefined ? [] : [v]));
    if (ranges) {
      const buckets = [...ranges, undefined].map((to, i) => ({ from: i > 0 ? ranges[i - 1] : undefined, to }));
      return {
        field,
        values: buckets.map(({ from, to }) => ({
          value: `${from ?? '*'}-${to ?? '*'}`,
          count: values.filter((v) => (from === undefined || (v as number) >= from) && (to === undefined || (v as number) < to)).length,
          from,
          to,
        })),
      };
    }
    const lower = (PRODUCT_FIELDS[field].es as { normalizer?: string }).normalizer === 'lowercase';
    const counts = new Map<string, number>();
    for (const v of values) {
      const key = lower ? String(v).toLowerCase() : String(v);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const sorted = [...counts].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1));
    return { field, values: sorted.slice(0, size).map(([value, count]) => ({ value, count })) };
  });
}

/** Elasticsearch's browse order: the field (nulls last in either direction), then id ascending. */
function compareSortValues(a: unknown[], b: unknown[], descending: boolean): number {
  for (let i = 0; i < a.length; i++) {
    const [x, y] = [a[i], b[i]];
    if (x === y) continue;
    if (x === null || x === undefined) return 1;
    if (y === null || y === undefined) return -1;
    const order = (x as number | string) < (y as number | string) ? -1 : 1;
    return i === 0 && descending ? -order : order;
  }
  return 0;
}

function tokens(text: string): string[] {
  return text.toLowerCase().split(/\W+/).filter(Boolean);
}

/** Evaluates one term-level clause of query-builder's filterClauses against a stored document. */
function matches(d: ProductDocument, clause: EsClause): boolean {
  const [kind, body] = Object.entries(clause)[0]! as [string, Record<string, unknown>];
  const [field, wanted] = Object.entries(body)[0]! as [FieldName, unknown];
  const lower = (PRODUCT_FIELDS[field].es as { normalizer?: string }).normalizer === 'lowercase';
  const norm = (v: unknown) => (lower && typeof v === 'string' ? v.toLowerCase() : v);
  const raw = d[field];
  const values = (Array.isArray(raw) ? raw : [raw]).map(norm);
  if (kind === 'terms') return (wanted as unknown[]).some((w) => values.includes(norm(w)));
  if (kind === 'term') return values.includes(norm(wanted));
  if (kind === 'range') {
    const { gte, lte } = wanted as { gte?: number; lte?: number };
    return values.some((v) => typeof v === 'number' && (gte === undefined || v >= gte) && (lte === undefined || v <= lte));
  }
  throw new Error(`InMemoryProductIndex: no support for a '${kind}' clause`);
}
