import { pickProduct, type AttributeConflict, type ProductDocument } from '../../catalog/product';
import type { ConflictPage, ConflictQuery, StoredDocument, TagStore } from '../../catalog/tag-store';
import { AppError } from '../../common/errors';
import type { EsClause } from './query-builder';
import type { EsTransport } from './transport';

/**
 * The tag store (catalog QA and re-tagging) over the product alias. Its request bodies are pure functions, unit-tested
 * without a cluster; it reaches Elasticsearch only through the calls the adapter lends it.
 */

const PATH = 'attributeConflicts';

/** Products with a conflict on `name` at `minConfidence` or more, sorted by that conflict's confidence, then id. */
export function conflictSearch(q: ConflictQuery): EsClause {
  const nestedFilter = {
    bool: { filter: [{ term: { [`${PATH}.name`]: q.name } }, { range: { [`${PATH}.confidence`]: { gte: q.minConfidence } } }] },
  };
  return {
    query: { nested: { path: PATH, query: nestedFilter } },
    sort: [
      { [`${PATH}.confidence`]: { order: 'desc', mode: 'max', nested: { path: PATH, filter: nestedFilter } } },
      { id: 'asc' },
    ],
    size: q.size,
    track_total_hits: true,
    ...(q.after ? { search_after: [...q.after] } : {}),
  };
}

/** The conflict on `name` a stored document carries (the query guarantees there is one). */
export function conflictOf(source: Pick<ProductDocument, 'attributeConflicts'>, name: string): AttributeConflict {
  return (source.attributeConflicts ?? []).find((c) => c.name === name)!;
}

/**
 * Whole-document writes that only land on the version that was read: a caller-versioned document keeps its version
 * (external_gte lets the same version be written again, and refuses once a newer one is stored); the others are
 * conditional on the sequence number they were read at.
 */
export function rewriteOperations<S>(index: string | undefined, docs: readonly StoredDocument[], toSource: (d: ProductDocument) => S): unknown[] {
  return docs.flatMap(({ doc, seqNo, primaryTerm }) => [
    {
      index: {
        ...(index ? { _index: index } : {}),
        _id: doc.id,
        ...(doc.version !== undefined
          ? { version: doc.version, version_type: 'external_gte' as const }
          : { if_seq_no: seqNo, if_primary_term: primaryTerm }),
      },
    },
    toSource(doc),
  ]);
}

export class ElasticsearchTagStore implements TagStore {
  constructor(
    private readonly es: EsTransport,
    private readonly alias: string,
  ) {}

  async conflicts(q: ConflictQuery): Promise<ConflictPage> {
    const res = await this.es.search(this.alias, { ...conflictSearch(q), _source: { exclude_vectors: true } });
    return {
      total: res.total,
      items: res.hits.map((h) => ({ product: pickProduct(h.doc), conflict: conflictOf(h.doc, q.name), sortKey: h.sort as [number, string] })),
    };
  }

  async *staleTags(version: string, batch = 500): AsyncGenerator<StoredDocument[]> {
    let after: unknown[] | undefined;
    for (;;) {
      const res = await this.es.search(this.alias, {
        size: batch,
        query: { bool: { must_not: [{ term: { tagsVersion: version } }] } },
        sort: [{ id: 'asc' }],
        ...(after ? { search_after: after } : {}),
        _source: { exclude_vectors: false },
      });
      if (res.hits.length === 0) return;
      yield res.hits.map(({ doc, seqNo, primaryTerm }) => ({ doc, seqNo, primaryTerm }));
      after = res.hits[res.hits.length - 1].sort;
    }
  }

  async rewrite(docs: readonly StoredDocument[]): Promise<number> {
    if (docs.length === 0) return 0;
    const items = await this.es.bulk(this.alias, rewriteOperations(undefined, docs, (doc) => ({ doc })));
    let written = 0;
    for (const item of items) {
      if (!item.error) written++;
      // 409: written meanwhile by an ingest, which tagged it itself. Anything else is a store fault.
      else if (item.status !== 409) throw new AppError('SEARCH_BACKEND_ERROR', `rewrite of ${item.id} failed: ${item.error}`);
    }
    return written;
  }
}
