import { ElasticsearchProductIndex } from '../../src/search/elasticsearch/elasticsearch.adapter';
import { DEFAULT_VECTOR_INDEX_TYPE, type VectorIndexType } from '../../src/common/vectors';
import { IMAGES_FIELD } from '../../src/search/elasticsearch/index-mapping';
import { toSource } from '../../src/search/elasticsearch/source';
import type { RawEs } from './http-clients';
import { docId, syntheticDoc, type SeedSet } from './synthetic-catalog';

/**
 * Fills the bench alias with `docs` synthetic documents as fast as `_bulk` allows. The index itself is created by the
 * product's own code (ElasticsearchProductIndex.ensureIndex: same settings, mapping and versioned name the server expects), so the
 * server serves it unchanged. A complete index from an earlier run (same model, same count, same generator) is reused.
 */

export const BENCH_ALIAS = 'bench-products';

const BATCH = 2000; // ~3 MB of NDJSON at 128 dims
const IN_FLIGHT = 2; // one bulk per core keeps Elasticsearch busy without queueing

export interface LoadReport {
  index: string;
  docs: number;
  reused: boolean;
  seconds: number;
  docsPerSecond: number;
  segments: number;
  storeBytes: number;
}

function ndjson(seeds: SeedSet, index: string, from: number, to: number): string {
  const lines: string[] = [];
  for (let i = from; i < to; i++) {
    const doc = syntheticDoc(seeds, i);
    lines.push(JSON.stringify({ index: { _index: index, _id: doc.id } }));
    lines.push(JSON.stringify(toSource(doc)));
  }
  return `${lines.join('\n')}\n`;
}

export interface LoadOptions {
  esUrl: string;
  es: RawEs;
  seeds: SeedSet;
  docs: number;
  alias?: string;
  vectorIndexType?: VectorIndexType;
  log: (s: string) => void;
}

export async function loadBenchIndex(o: LoadOptions): Promise<LoadReport> {
  const alias = o.alias ?? BENCH_ALIAS;
  const vectorIndexType = o.vectorIndexType ?? DEFAULT_VECTOR_INDEX_TYPE;
  const identity = { modelId: o.seeds.modelId, dims: o.seeds.dims };
  const products = ElasticsearchProductIndex.connect({ url: o.esUrl, indexAlias: alias, requestTimeoutMs: 300_000, maxRetries: 1, vectorIndexType });
  try {
    const current = await products.describeAlias();
    const sameModel = current?.identity?.modelId === identity.modelId && current.identity.dims === identity.dims;
    if (current && sameModel && (await indexTypeOf(o.es, current.index)) === vectorIndexType) {
      const count = (await o.es.request('GET', `/${alias}/_count`)).body.count as number;
      const last = await o.es.request('GET', `/${alias}/_doc/${docId(o.docs - 1)}?_source=false`);
      if (count === o.docs && last.status === 200) return { ...(await describe(o.es, current.index)), reused: true, seconds: 0, docsPerSecond: NaN };
      o.log(`bench index ${current.index} holds ${count} documents, want ${o.docs}: rebuilding`);
    }
    if (current) await products.dropAll();
    const { index } = await products.ensureIndex(identity);
    // Bulk-load settings, undone below: no refreshes, and no fsync per request (a crash only loses a bench index).
    await o.es.request('PUT', `/${index}/_settings`, { index: { refresh_interval: '-1', 'translog.durability': 'async' } });

    const t0 = performance.now();
    let next = 0;
    let done = 0;
    let lastLog = t0;
    const worker = async () => {
      while (next < o.docs) {
        const from = next;
        const to = (next = Math.min(o.docs, next + BATCH)); // claimed before the await: the other worker moves `next`
        const res = await o.es.bulk(ndjson(o.seeds, index, from, to));
        if (res.errors) {
          const bad = res.items.map((it) => it.index!).find((it) => it.error);
          throw new Error(`bulk load failed: ${JSON.stringify(bad)}`);
        }
        done += to - from;
        if (performance.now() - lastLog > 10_000) {
          lastLog = performance.now();
          o.log(`loaded ${done}/${o.docs} (${Math.round(done / ((lastLog - t0) / 1000))} docs/s)`);
        }
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    await o.es.request('PUT', `/${index}/_settings`, { index: { refresh_interval: null, 'translog.durability': null } });
    await o.es.request('POST', `/${index}/_refresh`);
    const seconds = (performance.now() - t0) / 1000;
    return { ...(await describe(o.es, index)), reused: false, seconds, docsPerSecond: o.docs / seconds };
  } finally {
    await products.close();
  }
}

async function indexTypeOf(es: RawEs, index: string): Promise<string | undefined> {
  const mapping = (await es.request('GET', `/${index}/_mapping`)).body[index]?.mappings;
  return mapping?.properties?.[IMAGES_FIELD]?.properties?.vector?.index_options?.type;
}

async function describe(es: RawEs, index: string): Promise<Pick<LoadReport, 'index' | 'docs' | 'segments' | 'storeBytes'>> {
  const stats = (await es.request('GET', `/${index}/_stats/docs,store,segments`)).body.indices[index].primaries;
  return { index, docs: stats.docs.count, segments: stats.segments.count, storeBytes: stats.store.size_in_bytes };
}
