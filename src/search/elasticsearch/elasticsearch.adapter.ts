import { observeRequests, type ElasticsearchObserver } from './request-metrics';
import { Client, errors } from '@elastic/elasticsearch';
import { primaryVector, type Product, type ProductDocument } from '../../catalog/product';
import type {
  BrowsePage,
  BrowseQuery,
  BulkItemResult,
  CatalogScan,
  ConditionalDelete,
  ProductIndex,
  QuerySeed,
  Restriction,
  Retrieval,
  RetrievalQuery,
  StampedId,
  WriteOptions,
  WriteStamp,
} from '../../catalog/product-index';
import { AppError } from '../../common/errors';
import { DEFAULT_VECTOR_INDEX_TYPE } from '../../common/vectors';
import { logger } from '../../common/logger';
import {
  identityFromMapping,
  IMAGES_FIELD,
  indexMappings,
  indexSettings,
  mappingVersionOf,
  type IndexShape,
  scoresFloatVectors,
  servingRefusal,
  versionedIndexName,
  type IndexIdentity,
} from './index-mapping';
import { clientOptions, type ElasticsearchOptions } from './connection';
import { translateError } from './failures';
import { bulkUpsertRetrying, msearchRetrying, type BulkAttempt } from './retrying';
import { InFlightLimit } from './in-flight';
import { attributePageQuery, groupSizesQuery } from './query-builder';
import { GENERATION_SEARCH, generationOf } from './generation';
import { ElasticsearchRuleStore } from './rule-store';
import { browseSearches, knnHitIndices, readBrowse, readRetrieval, retrievalSearches, type KnnOptions, type MsearchAnswer, type PlannedSearch } from './search-requests';
import { SEED_SOURCE, toDocument, toProduct, toQuerySeed, type Source } from './source';

export type { ElasticsearchOptions } from './connection';
import { ElasticsearchTagStore } from './tag-store';
import { bulkResults, encodeDocs, storedHits, type EsTransport } from './transport';

/**
 * The only module that talks to Elasticsearch. It implements the services' ProductIndex over the product index
 * behind its alias (plus the index lifecycle the composition root and scripts use) and speaks in domain types;
 * every client error leaves here as a coded AppError so nothing above needs to know the client's error zoo.
 */

export class ElasticsearchProductIndex implements ProductIndex, CatalogScan {
  private constructor(
    private readonly client: Client,
    readonly alias: string,
    private readonly shape: IndexShape,
    private readonly requestTimeoutMs: number,
    private readonly limit: InFlightLimit,
    private readonly knn: KnnOptions,
  ) {}

  /**
   * Index lifecycle calls (create, alias, settings, health waits) go through the master and wait for shards to start,
   * which takes longer than a search on a busy cluster; they get at least a minute, never less than a request.
   */
  private get admin() {
    return { requestTimeout: Math.max(this.requestTimeoutMs, 60_000) };
  }

  static connect(o: ElasticsearchOptions): ElasticsearchProductIndex {
    const client = new Client(clientOptions(o));
    if (o.observer) observeRequests(client, o.observer);
    const shape = { shards: o.shards ?? 1, replicas: o.replicas ?? 0, vectorIndex: o.vectorIndexType ?? DEFAULT_VECTOR_INDEX_TYPE };
    const limit = new InFlightLimit(o.maxInFlight ?? 64, o.maxQueued ?? 256);
    return new ElasticsearchProductIndex(client, o.indexAlias, shape, o.requestTimeoutMs, limit, { oversample: o.knnOversample });
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  /** `_cluster/health` (the integ-test build has no `GET /`, so ping and info cannot be used). */
  async health(timeoutMs = 2000): Promise<'green' | 'yellow' | 'red'> {
    return this.call(async () => {
      // Retried like any request: one dead node of several must not make the server look unready.
      const h = await this.client.cluster.health({}, { requestTimeout: timeoutMs });
      return h.status.toLowerCase() as 'green' | 'yellow' | 'red';
    }, { unbounded: true }); // readiness must answer even when the bound is full
  }

  /**
   * Makes sure the alias points at an index built for this model and this mapping version. Creates the versioned
   * index and alias on first start; refuses to continue when the alias serves vectors of another model or dimension,
   * or an index of an older mapping, and says how to rebuild it.
   */
  async ensureIndex(identity: IndexIdentity): Promise<{ index: string; created: boolean }> {
    const current = await this.describeAlias();
    const target = versionedIndexName(this.alias, identity);
    if (current) {
      const refusal = servingRefusal(this.alias, current.index, current.identity, current.mappingVersion, identity);
      if (refusal) throw refusal;
      await this.applyReplicas(current.index);
      return { index: current.index, created: false };
    }
    return this.call(async () => {
      const exists = await this.client.indices.exists({ index: target });
      if (!exists) {
        await this.client.indices.create({ index: target, settings: indexSettings(this.shape), mappings: indexMappings(identity, this.shape.vectorIndex) }, this.admin);
      }
      await this.client.indices.putAlias({ index: target, name: this.alias, is_write_index: true }, this.admin);
      await this.client.cluster.health({ index: target, wait_for_status: 'yellow', timeout: '30s' }, this.admin);
      return { index: target, created: !exists };
    });
  }

  /**
   * The replica count is a dynamic setting, so the configured one is applied to an existing index too (moving from
   * one node to a cluster is a restart with ES_INDEX_REPLICAS=1). The shard count is fixed at creation: a different
   * one takes `npm run reindex`, and is only reported here.
   */
  private async applyReplicas(index: string): Promise<void> {
    await this.call(async () => {
      const res = await this.client.indices.getSettings({ index, name: ['index.number_of_shards', 'index.number_of_replicas', 'index.auto_expand_replicas'], flat_settings: true });
      const s = (Object.values(res)[0]?.settings ?? {}) as Record<string, string | undefined>;
      const replicas = Number(s['index.number_of_replicas']);
      const autoExpand = s['index.auto_expand_replicas'];
      if (replicas !== this.shape.replicas || (autoExpand !== undefined && autoExpand !== 'false')) {
        await this.client.indices.putSettings({ index, settings: { number_of_replicas: this.shape.replicas, auto_expand_replicas: 'false' } }, this.admin);
        logger.info('index replicas set from ES_INDEX_REPLICAS', { index, from: replicas, autoExpand, to: this.shape.replicas });
      }
      const shards = Number(s['index.number_of_shards']);
      if (shards !== this.shape.shards) {
        logger.warn('index has another shard count than ES_INDEX_SHARDS; `npm run reindex` rebuilds it', { index, shards, configured: this.shape.shards });
      }
    });
  }

  /** The index behind the alias, the model identity and mapping version recorded in its mapping; undefined without an alias. */
  async describeAlias(): Promise<{ index: string; identity?: IndexIdentity; mappingVersion?: number } | undefined> {
    return this.call(async () => {
      if (!(await this.client.indices.existsAlias({ name: this.alias }))) return undefined;
      const mappings = await this.client.indices.getMapping({ index: this.alias });
      const [index, body] = Object.entries(mappings)[0];
      return { index, identity: identityFromMapping(body.mappings as never), mappingVersion: mappingVersionOf(body.mappings as never) };
    });
  }

  /** Creates a fresh versioned index (for a model change) without touching the alias. */
  async createIndex(identity: IndexIdentity, suffix: string): Promise<string> {
    return this.call(async () => {
      const index = `${versionedIndexName(this.alias, identity)}--${suffix}`;
      await this.client.indices.create({ index, settings: indexSettings(this.shape), mappings: indexMappings(identity, this.shape.vectorIndex) }, this.admin);
      return index;
    });
  }

  /** Points the alias at `index` atomically, removing it from whatever it served before. */
  async swapAlias(index: string): Promise<string[]> {
    return this.call(async () => {
      const current = (await this.client.indices.existsAlias({ name: this.alias }))
        ? Object.keys(await this.client.indices.getAlias({ name: this.alias }))
        : [];
      await this.client.indices.updateAliases({
        actions: [
          ...current.map((i) => ({ remove: { index: i, alias: this.alias } })),
          { add: { index, alias: this.alias, is_write_index: true } },
        ],
      }, this.admin);
      return current;
    });
  }

  /** One `mget` for any number of ids; absent ids are simply missing from the map. */
  async getMany(ids: readonly string[]): Promise<Map<string, Product>> {
    if (ids.length === 0) return new Map();
    return this.call(async () => {
      const res = await this.client.mget<Source>({ index: this.alias, ids: [...ids], _source_excludes: [IMAGES_FIELD] });
      const out = new Map<string, Product>();
      for (const doc of res.docs) {
        if ('found' in doc && doc.found && doc._source) out.set(doc._id, toProduct(doc._source));
      }
      return out;
    });
  }

  /** Stored documents including vectors and bookkeeping, for ingest decisions and vector-seeded queries. */
  async getDocuments(ids: readonly string[]): Promise<Map<string, ProductDocument>> {
    if (ids.length === 0) return new Map();
    return this.call(async () => {
      // A realtime mget, not a search: ingest reads what it wrote a moment ago (versions, the unchanged check) without
      // waiting for a refresh. 9.x leaves vectors out of _source unless asked; the client does not know the parameter.
      const res = await this.client.mget<Source>({ index: this.alias, ids: [...ids], querystring: { _source_exclude_vectors: false } });
      const out = new Map<string, ProductDocument>();
      for (const d of res.docs) {
        if ('error' in d) throw new AppError('SEARCH_BACKEND_ERROR', `mget of ${d._id} failed: ${d.error.type}`);
        if (d.found && d._source) out.set(d._id, toDocument(d._source));
      }
      return out;
    });
  }

  /** What a query needs of its seed products: one id (more like this) is a realtime GET, the cheapest read; more, an mget. */
  async getQuerySeeds(ids: readonly string[]): Promise<Map<string, QuerySeed>> {
    if (ids.length === 0) return new Map();
    // 9.x leaves vectors out of _source unless asked (the client types the parameter for GET only).
    const params = { index: this.alias, _source_includes: SEED_SOURCE };
    return this.call(async () => {
      const one = ids.length === 1 && (await this.client.get<Source>({ ...params, id: ids[0]!, _source_exclude_vectors: false }, { ignore: [404] }));
      const docs = one ? [one] : (await this.client.mget<Source>({ ...params, ids: [...ids], querystring: { _source_exclude_vectors: false } })).docs;
      const out = new Map<string, QuerySeed>();
      for (const d of docs) {
        if ('error' in d && d.error) throw new AppError('SEARCH_BACKEND_ERROR', `get of ${d._id} failed: ${d.error.type}`);
        if ('found' in d && d.found && d._source) out.set(d._id, toQuerySeed(d._source));
      }
      return out;
    });
  }

  /** The kNN and keyword sides of one retrieval round and its facet counts, in one msearch. */
  retrieve = async (q: RetrievalQuery): Promise<Retrieval> => (await this.retrieveEach([q]))[0]!;

  /** Several retrieval rounds in one msearch (the duplicate check of a whole ingest call). */
  async retrieveEach(qs: readonly RetrievalQuery[]): Promise<Retrieval[]> {
    const planned = qs.map((q) => retrievalSearches(q, this.knn));
    const all = planned.flat();
    const answers = all.length > 0 ? await this.msearch(all) : [];
    const exact = new Set<string>();
    for (const index of knnHitIndices(answers)) if (await this.scoresFloatVectors(index)) exact.add(index);
    let at = 0;
    return planned.map((p) => readRetrieval(answers.slice(at, (at += p.length)), exact));
  }

  /** Per index (its type never changes; the alias may move): whether its kNN scores are float similarities. */
  private readonly floatScoring = new Map<string, Promise<boolean>>();

  private scoresFloatVectors(index: string): Promise<boolean> {
    let known = this.floatScoring.get(index);
    if (!known) {
      known = this.call(async () => scoresFloatVectors(Object.values(await this.client.indices.getMapping({ index }))[0]?.mappings as never, this.knn.oversample));
      // Unknown is "not exact": the caller then reads the vectors back, and the next search asks again.
      known = known.catch(() => {
        this.floatScoring.delete(index);
        return false;
      });
      this.floatScoring.set(index, known);
    }
    return known;
  }

  async groupSizes(groupIds: readonly string[], restriction: Restriction): Promise<Map<string, number>> {
    if (groupIds.length === 0) return new Map();
    return this.call(async () => {
      const res = await this.client.search({ index: this.alias, ...groupSizesQuery(groupIds, restriction) } as never);
      const buckets = (res.aggregations as { groups: { buckets: { key: string; doc_count: number }[] } }).groups.buckets;
      return new Map(buckets.map((b) => [b.key, b.doc_count]));
    });
  }

  /** The stored merchandising rules of this alias, in `<alias>--rules`, over this connection. */
  ruleStore(): ElasticsearchRuleStore {
    const c = this.client;
    return new ElasticsearchRuleStore(
      {
        indexExists: (index) => this.call(() => c.indices.exists({ index })),
        createIndex: (index, body) => this.call(async () => void (await c.indices.create({ index, ...body } as never))),
        search: (index, body) => this.call(async () => (await c.search({ index, ...body } as never)).hits.hits),
        put: (index, id, doc) => this.call(async () => void (await c.index({ index, id, document: doc, refresh: 'wait_for' }))),
        remove: (index, id) =>
          this.call(async () => {
            try {
              await c.delete({ index, id, refresh: 'wait_for' });
              return true;
            } catch (e) {
              if (e instanceof errors.ResponseError && e.statusCode === 404) return false;
              throw e;
            }
          }),
      },
      `${this.alias}--rules`,
    );
  }

  /** A page of the catalog in a sort order, with the exact total and its facet counts, in one msearch. */
  async browse(q: BrowseQuery): Promise<BrowsePage> {
    return readBrowse(await this.msearch(browseSearches(q)));
  }

  private async msearch(planned: PlannedSearch[]): Promise<[PlannedSearch, MsearchAnswer][]> {
    const responses = await msearchRetrying(() => this.call(() => this.client.msearch<Source>({ index: this.alias, searches: planned.flatMap((p) => [{}, p.body as never]) })));
    return responses.map((r, i): [PlannedSearch, MsearchAnswer] => [planned[i]!, r as MsearchAnswer]);
  }

  /** Whole documents by id, versioned ones never over a newer version; 429s retried (retrying.ts). */
  bulkUpsert(docs: readonly ProductDocument[], o: WriteOptions = {}): Promise<BulkItemResult[]> {
    const send = (a: BulkAttempt) => this.call(() => this.client.bulk({ ...a, operations: a.operations as never }));
    return bulkUpsertRetrying(send, this.alias, this.requestTimeoutMs, docs, o);
  }

  delete = async (id: string, o: WriteOptions = {}): Promise<boolean> => (await this.remove(id, undefined, o)) === 'deleted';
  deleteIfUnchanged = (id: string, stamp: WriteStamp, o: WriteOptions = {}): Promise<ConditionalDelete> => this.remove(id, stamp, o);

  private async remove(id: string, stamp: WriteStamp | undefined, o: WriteOptions): Promise<ConditionalDelete> {
    const ifSeen = stamp ? { if_seq_no: stamp.seqNo, if_primary_term: stamp.primaryTerm } : {};
    return this.call(async () => {
      try {
        await this.client.delete({ index: this.alias, id, refresh: o.refresh ? 'wait_for' : false, ...ifSeen });
        return 'deleted';
      } catch (e) {
        if (!(e instanceof errors.ResponseError) || (e.statusCode !== 404 && !(stamp && e.statusCode === 409))) throw e;
        // A conditional delete of a product that is not there answers 409 too: a realtime check tells gone from changed.
        return e.statusCode === 409 && (await this.client.exists({ index: this.alias, id })) ? 'changed' : 'gone';
      }
    });
  }

  async idsByAttribute(name: string, value: string, page: { size: number; after?: string }): Promise<StampedId[]> {
    const res = await this.call(() => this.client.search({ index: this.alias, ...attributePageQuery(name, value, page) } as never));
    return res.hits.hits.map((h) => ({ id: h._id!, stamp: { seqNo: h._seq_no!, primaryTerm: h._primary_term! } }));
  }

  /** A token that changes whenever what searches see changes (generation.ts). */
  async generation(): Promise<string> {
    return this.call(async () => generationOf(await this.client.search({ index: this.alias, ...GENERATION_SEARCH })));
  }

  /** Every stored document, vectors included, in id order: for reindexing (a new mapping copies them as they are). */
  scanDocuments(batch = 500): AsyncGenerator<ProductDocument[]> {
    return this.scan(batch, { exclude_vectors: false }, toDocument);
  }

  /** Every product with its own vector (its first image's), in id order: for whole-catalog views such as the 2-D map. */
  scanVectors(batch = 1000): AsyncGenerator<{ product: Product; vector: number[] }[]> {
    const source = { exclude_vectors: false, excludes: ['description', 'contentHash', `${IMAGES_FIELD}.sha256`, `${IMAGES_FIELD}.url`] };
    return this.scan(batch, source, (s) => ({ product: toProduct(s), vector: primaryVector(toDocument(s)) }));
  }

  private async *scan<T>(batch: number, source: Record<string, unknown>, convert: (s: Source) => T): AsyncGenerator<T[]> {
    let searchAfter: string[] | undefined;
    for (;;) {
      const res = await this.call(() =>
        this.client.search<Source>({ index: this.alias, size: batch, sort: [{ id: 'asc' }], search_after: searchAfter, _source: source as never }),
      );
      const hits = res.hits.hits;
      if (hits.length === 0) return;
      yield hits.map((h) => convert(h._source!));
      searchAfter = hits[hits.length - 1]!.sort as string[];
    }
  }
  count = (): Promise<number> => this.call(async () => (await this.client.count({ index: this.alias })).count);
  tagStore = (): ElasticsearchTagStore => new ElasticsearchTagStore(this.transport(), this.alias);
  /** The same cluster under another alias (a shadow index being built), sharing this client; closing it is a no-op. */
  sibling = (alias: string) => Object.assign(new ElasticsearchProductIndex(this.client, alias, this.shape, this.requestTimeoutMs, this.limit, this.knn), { close: async () => undefined });
  /** The few client calls the stores beside this adapter need, with its error translation and document codec. */
  transport(c = this.client): EsTransport {
    return {
      search: (index, body) => this.call(async () => storedHits(await c.search<Source>({ index, ...body, seq_no_primary_term: true }))),
      bulk: (index, ops) => this.call(async () => bulkResults(await c.bulk({ index, operations: ops.map(encodeDocs) as never }))),
      aliases: (actions) => this.call(async () => void (await c.indices.updateAliases({ actions: actions as never }))),
      deleteIndex: (index) => this.call(async () => void (await c.indices.delete({ index }))),
    };
  }

  async refresh(): Promise<void> {
    await this.call(() => this.client.indices.refresh({ index: this.alias }));
  }

  /** Test and ops helper: drops every versioned index of this alias (including unswapped reindex targets). */
  async dropAll(): Promise<void> {
    await this.call(async () => {
      // Wildcard deletes are refused by default (action.destructive_requires_name), so resolve names first.
      const indices = Object.keys(await this.client.indices.get({ index: `${this.alias}--*`, allow_no_indices: true }));
      if (indices.length > 0) await this.client.indices.delete({ index: indices });
    });
  }

  /** Every request but the health probe takes a slot of the in-flight bound (OVERLOADED when it is full). */
  private async call<T>(fn: () => Promise<T>, o: { unbounded?: boolean } = {}): Promise<T> {
    try {
      return await (o.unbounded ? fn() : this.limit.run(fn));
    } catch (e) {
      throw translateError(e);
    }
  }
}
