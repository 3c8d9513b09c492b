import { mulberry32 } from '../../src/common/random';
import type { VectorIndexType } from '../../src/common/vectors';
import { primaryVector } from '../../src/catalog/product';
import { loadConfig } from '../../src/config/config';
import { IMAGES_FIELD } from '../../src/search/elasticsearch/index-mapping';
import { retrievalSearches } from '../../src/search/elasticsearch/search-requests';
import { NUM_CANDIDATES } from '../../src/search/pipeline/windows';
import { GraphQLClient, type RawEs, type SimilarQuery } from './http-clients';
import { loadBenchIndex } from './load-index';
import { startServerProcess } from './server-process';
import { load1, percentile, type Row } from './stats';
import { docId, docMeta, syntheticDoc, type SeedSet } from './synthetic-catalog';

/**
 * The scale run: one index per vector index type at `docs` products on one node, each measured for
 *  - recall@k of the kNN query the server sends (its k, num_candidates, rescoring, filter; the product dropped) against exact
 *    search: a brute-force dot product in this process over the same vectors, which the generator recomputes;
 *  - similarProducts latency through the GraphQL server while a steady bulk ingest overwrites random products
 *    (refreshes every second, as in production), filtered and unfiltered;
 *  - disk (store size, vector files by kind) and memory (the off-heap vector bytes searches touch, the JVM heap).
 */

const SERVER_DEFAULTS = loadConfig({}, process.cwd());

export interface ScaleOptions {
  esUrl: string;
  raw: RawEs;
  modelDir: string;
  seeds: SeedSet;
  docs: number;
  types: VectorIndexType[];
  first: number;
  recallQueries: number;
  latencyQueries: number;
  ingestRate: number;
  log: (s: string) => void;
}

export interface ScaleResult {
  type: VectorIndexType;
  recall: { unfiltered: number; filtered: number };
  latency: { unfiltered: { p50: number; p99: number }; filtered: { p50: number; p99: number } };
  ingested: number;
  ingestPerSecond: number;
  storeBytes: number;
  offHeap: Record<string, number>;
  heapUsedBytes: number;
  heapMaxBytes: number;
  segments: number;
  loadSeconds: number;
  load1: number;
}

/** Every document's vector, category and stock flag, recomputed from the generator (what exact search scans). */
interface Corpus {
  vectors: Float32Array;
  category: Uint16Array;
  inStock: Uint8Array;
  categories: string[];
}

function buildCorpus(seeds: SeedSet, docs: number): Corpus {
  const dims = seeds.dims;
  const vectors = new Float32Array(docs * dims);
  const category = new Uint16Array(docs);
  const inStock = new Uint8Array(docs);
  const categories = [...seeds.byCategory.keys()];
  const catIndex = new Map(categories.map((c, i) => [c, i]));
  for (let i = 0; i < docs; i++) {
    const d = syntheticDoc(seeds, i);
    // One vector per synthetic product: its only image's.
    vectors.set(primaryVector(d), i * dims);
    category[i] = catIndex.get(d.category!)!;
    inStock[i] = d.inStock ? 1 : 0;
  }
  return { vectors, category, inStock, categories };
}

/** Exact top-k by dot product over the corpus, the query document excluded, optionally filtered. */
function exactTopK(c: Corpus, dims: number, q: number, k: number, filter?: { category: number }): number[] {
  const top: { i: number; s: number }[] = [];
  const qv = c.vectors.subarray(q * dims, q * dims + dims);
  const n = c.category.length;
  for (let i = 0; i < n; i++) {
    if (i === q) continue;
    if (filter && (c.category[i] !== filter.category || c.inStock[i] !== 1)) continue;
    let s = 0;
    const off = i * dims;
    for (let j = 0; j < dims; j++) s += qv[j]! * c.vectors[off + j]!;
    if (top.length < k || s > top[top.length - 1]!.s) {
      top.push({ i, s });
      top.sort((a, b) => b.s - a.s);
      if (top.length > k) top.pop();
    }
  }
  return top.map((t) => t.i);
}

/**
 * The kNN request the server sends for the first page of similarProducts (search-requests.ts, with the default
 * ES_KNN_OVERSAMPLE), straight to Elasticsearch; the product itself is dropped from the hits as the server does.
 */
async function approxTopK(raw: RawEs, alias: string, c: Corpus, dims: number, q: number, k: number, filter?: { category: number }): Promise<string[]> {
  const id = docId(q);
  const [planned] = retrievalSearches(
    {
      restriction: { filter: filter ? { categories: [c.categories[filter.category]!], inStock: true } : undefined, excludeIds: [id] },
      vector: { vector: Array.from(c.vectors.subarray(q * dims, q * dims + dims)), from: 0, size: k + 1, numCandidates: NUM_CANDIDATES, unfiltered: [id] },
    },
    { oversample: SERVER_DEFAULTS.elasticsearch.knnOversample },
  );
  const res = await raw.search({ ...planned!.body, _source: false }, alias);
  return res.hits.hits.map((h) => h._id).filter((hit) => hit !== id).slice(0, k);
}

async function recall(o: ScaleOptions, alias: string, c: Corpus, filtered: boolean): Promise<number> {
  const rng = mulberry32(0x5ca1e + (filtered ? 1 : 0));
  let hit = 0;
  let total = 0;
  for (let n = 0; n < o.recallQueries; n++) {
    const q = Math.floor(rng() * o.docs);
    const filter = filtered ? { category: c.category[q]! } : undefined;
    const exact = new Set(exactTopK(c, o.seeds.dims, q, o.first, filter).map(docId));
    const approx = await approxTopK(o.raw, alias, c, o.seeds.dims, q, o.first, filter);
    hit += approx.filter((id) => exact.has(id)).length;
    total += exact.size;
  }
  return hit / total;
}

/** Overwrites random products through `_bulk` at `rate` documents per second until stopped. */
function steadyIngest(o: ScaleOptions, alias: string): { stop: () => Promise<{ docs: number; seconds: number }> } {
  const rng = mulberry32(0x1a9e57);
  const tickMs = 250;
  const perTick = Math.max(1, Math.round((o.ingestRate * tickMs) / 1000));
  let running = true;
  let docs = 0;
  const t0 = performance.now();
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      const lines: string[] = [];
      for (let n = 0; n < perTick; n++) {
        const { images, ...rest } = syntheticDoc(o.seeds, Math.floor(rng() * o.docs));
        lines.push(JSON.stringify({ index: { _index: alias, _id: rest.id } }), JSON.stringify({ ...rest, [IMAGES_FIELD]: images }));
      }
      const res = await o.raw.bulk(`${lines.join('\n')}\n`);
      if (res.errors) throw new Error('scale ingest: bulk reported errors');
      docs += perTick;
      await new Promise((r) => setTimeout(r, Math.max(0, tickMs - (performance.now() - started))));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return { docs, seconds: (performance.now() - t0) / 1000 };
    },
  };
}

async function latencies(gql: GraphQLClient, o: ScaleOptions, filtered: boolean): Promise<{ p50: number; p99: number }> {
  const rng = mulberry32(0x1a7e + (filtered ? 1 : 0));
  const out: number[] = [];
  // Two closed-loop clients: a storefront's widget traffic, not a saturation test.
  const queries: SimilarQuery[] = Array.from({ length: o.latencyQueries }, () => {
    const i = Math.floor(rng() * o.docs);
    return { id: docId(i), first: o.first, filter: filtered ? { categories: [docMeta(o.seeds, i).category], inStock: true } : undefined };
  });
  let next = 0;
  await Promise.all(
    [0, 1].map(async () => {
      while (next < queries.length) {
        const q = queries[next++]!;
        const t = performance.now();
        await gql.similar(q);
        out.push(performance.now() - t);
      }
    }),
  );
  return { p50: percentile(out, 50), p99: percentile(out, 99) };
}

async function indexStats(raw: RawEs, alias: string) {
  const stats = (await raw.request('GET', `/${alias}/_stats/store,segments,dense_vector`)).body._all.primaries;
  const jvm = (await raw.request('GET', '/_nodes/_local/stats/jvm')).body.nodes;
  const mem = (Object.values(jvm)[0] as { jvm: { mem: { heap_used_in_bytes: number; heap_max_in_bytes: number } } }).jvm.mem;
  return {
    storeBytes: stats.store.size_in_bytes as number,
    segments: stats.segments.count as number,
    offHeap: (stats.dense_vector?.off_heap ?? {}) as Record<string, number>,
    heapUsedBytes: mem.heap_used_in_bytes,
    heapMaxBytes: mem.heap_max_in_bytes,
  };
}

export async function scaleRun(o: ScaleOptions): Promise<ScaleResult[]> {
  o.log(`scale: recomputing ${o.docs} vectors for exact search`);
  const corpus = buildCorpus(o.seeds, o.docs);
  const results: ScaleResult[] = [];
  for (const type of o.types) {
    const alias = `bench-scale-${type.replace(/_/g, '-')}`;
    const loaded = await loadBenchIndex({ esUrl: o.esUrl, es: o.raw, seeds: o.seeds, docs: o.docs, alias, vectorIndexType: type, log: o.log });
    o.log(`${type}: ${loaded.reused ? 'reusing' : 'loaded'} ${loaded.docs} docs in ${alias}${loaded.reused ? '' : ` (${loaded.seconds.toFixed(0)} s)`}, ${loaded.segments} segments`);
    const r = { unfiltered: await recall(o, alias, corpus, false), filtered: await recall(o, alias, corpus, true) };
    o.log(`${type}: recall@${o.first} unfiltered ${r.unfiltered.toFixed(3)}, filtered ${r.filtered.toFixed(3)}`);

    const server = await startServerProcess({ ES_URL: o.esUrl, ES_INDEX_ALIAS: alias, MODEL_DIR: o.modelDir });
    const gql = new GraphQLClient(server.url, 2);
    let lat: ScaleResult['latency'];
    let ingest: { docs: number; seconds: number };
    try {
      await latencies(gql, { ...o, latencyQueries: 200 }, false); // warm-up
      const writer = steadyIngest(o, alias);
      try {
        lat = { unfiltered: await latencies(gql, o, false), filtered: await latencies(gql, o, true) };
      } finally {
        ingest = await writer.stop();
      }
    } finally {
      await gql.close();
      await server.stop();
    }
    const stats = await indexStats(o.raw, alias);
    const res: ScaleResult = {
      type,
      recall: r,
      latency: lat,
      ingested: ingest.docs,
      ingestPerSecond: ingest.docs / ingest.seconds,
      ...stats,
      loadSeconds: loaded.seconds,
      load1: load1(),
    };
    o.log(
      `${type}: p50/p99 unfiltered ${lat.unfiltered.p50.toFixed(1)}/${lat.unfiltered.p99.toFixed(1)} ms, filtered ` +
        `${lat.filtered.p50.toFixed(1)}/${lat.filtered.p99.toFixed(1)} ms while ingesting ${res.ingestPerSecond.toFixed(0)} docs/s (load ${res.load1.toFixed(1)})`,
    );
    results.push(res);
  }
  return results;
}

const mib = (b: number | undefined) => (b === undefined ? '–' : `${(b / 2 ** 20).toFixed(0)} MiB`);

/** The index-type table, and rows for the main table (p99 against the 50 ms goal). */
export function scaleReport(results: ScaleResult[], docs: number, first: number): { table: string; rows: Row[] } {
  const header = [
    'index type',
    `recall@${first}`,
    `recall@${first} filtered`,
    'p50 / p99 ms',
    'p50 / p99 ms filtered',
    'ingest docs/s',
    'store',
    'vectors in RAM (veq+veb+vex)',
    'raw floats (vec)',
    'heap used / max',
    'segments',
    'load1',
  ];
  const body = results.map((r) => [
    r.type,
    r.recall.unfiltered.toFixed(3),
    r.recall.filtered.toFixed(3),
    `${r.latency.unfiltered.p50.toFixed(1)} / ${r.latency.unfiltered.p99.toFixed(1)}`,
    `${r.latency.filtered.p50.toFixed(1)} / ${r.latency.filtered.p99.toFixed(1)}`,
    r.ingestPerSecond.toFixed(0),
    mib(r.storeBytes),
    mib((r.offHeap.total_veq_size_bytes ?? 0) + (r.offHeap.total_veb_size_bytes ?? 0) + (r.offHeap.total_vex_size_bytes ?? 0)),
    mib(r.offHeap.total_vec_size_bytes),
    `${mib(r.heapUsedBytes)} / ${mib(r.heapMaxBytes)}`,
    String(r.segments),
    r.load1.toFixed(1),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  const table = [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
  const scale = docs >= 1_000_000 ? `${docs / 1_000_000}M` : `${Math.round(docs / 1000)}k`;
  const rows: Row[] = results.flatMap((r) =>
    (['unfiltered', 'filtered'] as const).map((f) => ({
      measure: `similarProducts p99 while ingesting, ${scale} docs, ${f}, ${r.type}`,
      unit: 'ms',
      ours: [r.latency[f].p99],
      reference: [],
      referenceName: '–',
      goal: '≤ 50 ms',
      load: [r.load1],
    })),
  );
  return { table, rows };
}
