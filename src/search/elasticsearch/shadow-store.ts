import type { StoredDocument } from '../../catalog/tag-store';
import type { IndexInfo, ModelIdentity, ShadowStore, ShadowWrite, ShadowWriteResult } from '../../catalog/shadow-store';
import { AppError } from '../../common/errors';
import type { ElasticsearchProductIndex } from './elasticsearch.adapter';
import type { EsTransport } from './transport';
import { IMAGES_FIELD, VECTOR_FIELD } from './index-mapping';
import type { EsClause } from './query-builder';

/**
 * The shadow index of a safe model upgrade (`npm run reindex -- --shadow`). The shadow alias `<alias>--shadow` names
 * it; servers look it up and mirror their writes into it (reindex/dual-write-index.ts).
 */
export class ElasticsearchShadowStore implements ShadowStore {
  readonly shadowAlias: string;

  constructor(
    private readonly live: ElasticsearchProductIndex,
    private readonly es: EsTransport,
  ) {
    this.shadowAlias = shadowAliasOf(live.alias);
  }

  async describe(): Promise<{ live?: IndexInfo; shadow?: IndexInfo }> {
    const [live, shadow] = await Promise.all([this.live.describeAlias(), this.live.sibling(this.shadowAlias).describeAlias()]);
    return { live, shadow };
  }

  async create(identity: ModelIdentity): Promise<string> {
    const existing = await this.live.sibling(this.shadowAlias).describeAlias();
    if (existing) {
      throw new AppError('INTERNAL', `A shadow index is already being built (${existing.index}); --promote or --abort it first`);
    }
    const index = await this.live.createIndex(identity, `shadow-${Date.now()}`);
    await this.es.aliases([{ add: { index, alias: this.shadowAlias, is_write_index: true } }]);
    return index;
  }

  shadowIndex(): ElasticsearchProductIndex {
    return this.live.sibling(this.shadowAlias);
  }

  scan(side: 'live' | 'shadow' | { index: string }, batch = 500): AsyncGenerator<StoredDocument[]> {
    return this.scanWhere(side === 'live' ? this.live.alias : side === 'shadow' ? this.shadowAlias : side.index, { match_all: {} }, batch);
  }

  scanPending(batch = 200): AsyncGenerator<StoredDocument[]> {
    // A mirrored write keeps its images without their vectors: any such image makes the product pending.
    const unembedded = { nested: { path: IMAGES_FIELD, query: { bool: { must_not: [{ exists: { field: VECTOR_FIELD } }] } } } };
    return this.scanWhere(this.shadowAlias, unembedded, batch);
  }

  private async *scanWhere(alias: string, query: EsClause, batch: number): AsyncGenerator<StoredDocument[]> {
    let after: unknown[] | undefined;
    for (;;) {
      const res = await this.es.search(alias, {
        query,
        size: batch,
        sort: [{ id: 'asc' }],
        ...(after ? { search_after: after } : {}),
        _source: { exclude_vectors: false },
      });
      if (res.hits.length === 0) return;
      yield res.hits.map(({ doc, seqNo, primaryTerm }) => ({ doc, seqNo, primaryTerm }));
      after = res.hits[res.hits.length - 1]!.sort;
    }
  }

  async write(ops: readonly ShadowWrite[]): Promise<ShadowWriteResult[]> {
    if (ops.length === 0) return [];
    const items = await this.es.bulk(this.shadowAlias, shadowOperations(ops));
    return items.map((item) => {
      if (item.error && item.status !== 409 && item.status !== 404) {
        throw new AppError('SEARCH_BACKEND_ERROR', `shadow write of ${item.id} failed: ${item.error}`);
      }
      return { id: item.id, written: !item.error };
    });
  }

  async promote(): Promise<{ index: string; previous: string[] }> {
    const { live, shadow } = await this.describe();
    if (!shadow) throw new AppError('INTERNAL', `No shadow index behind "${this.shadowAlias}" to promote`);
    const previous = live ? [live.index] : [];
    await this.es.aliases([
      ...previous.map((index) => ({ remove: { index, alias: this.live.alias } })),
      { add: { index: shadow.index, alias: this.live.alias, is_write_index: true } },
    ]);
    return { index: shadow.index, previous };
  }

  async dropShadowAlias(): Promise<void> {
    const shadow = await this.live.sibling(this.shadowAlias).describeAlias();
    if (shadow) await this.es.aliases([{ remove: { index: shadow.index, alias: this.shadowAlias } }]);
  }

  async abort(): Promise<string | undefined> {
    const { live, shadow } = await this.describe();
    if (shadow && live?.index === shadow.index) throw new AppError('INTERNAL', `${shadow.index} is already live; it cannot be aborted`);
    if (shadow) await this.es.deleteIndex(shadow.index);
    return shadow?.index;
  }

  async refresh(side: 'live' | 'shadow'): Promise<void> {
    await (side === 'live' ? this.live : this.live.sibling(this.shadowAlias)).refresh();
  }
}

export function shadowAliasOf(alias: string): string {
  return `${alias}--shadow`;
}

/** Bulk operations for conditional shadow writes (pure, unit-tested). */
export function shadowOperations(ops: readonly ShadowWrite[]): unknown[] {
  return ops.flatMap((op): unknown[] => {
    if (op.kind === 'delete') return [{ delete: { _id: op.id, if_seq_no: op.expect.seqNo, if_primary_term: op.expect.primaryTerm } }];
    const { doc } = op;
    const meta =
      doc.version !== undefined
        ? { index: { _id: doc.id, version: doc.version, version_type: op.expect === 'absent' ? 'external' : 'external_gte' } }
        : op.expect === 'absent'
          ? { create: { _id: doc.id } }
          : { index: { _id: doc.id, if_seq_no: op.expect.seqNo, if_primary_term: op.expect.primaryTerm } };
    return [meta, { doc }];
  });
}
