/**
 * `npm run bench`: every row of the performance table in one command, as ratios against the raw system measured in
 * the same run (interleaved, median of --rounds, with the min–max spread and the load average beside each row).
 *
 *   npm run bench                                   # query (100k docs), ingest, batching
 *   npm run bench -- --only query --docs 1000000    # the scale run
 *   npm run bench -- --only ingest,batching         # no Elasticsearch index needed beyond the ingest alias
 *   npm run bench -- --only scale                   # 1M products per vector index type: recall, latency while ingesting, memory
 *
 * Options: --docs N (100000) --rounds N (3) --queries N per round and side (1000) --throughput-seconds S (8)
 * --first K (10) --seeds N real images the vectors derive from (300) --images N for ingest (200)
 * --only query,ingest,batching,scale (scale is not in the default set) --drop (delete the bench index afterwards; default keeps it for the next run)
 * Scale: --scale-docs N (1000000) --types int8_hnsw,int4_hnsw,bbq_hnsw --recall-queries N (200) --latency-queries N
 * per side (1000) --ingest-rate docs/s (200). Its indices (`bench-scale-<type>`) are kept and reused like the query one.
 * --profile (V8 CPU profiles of the server processes under bench/.work/profiles/; summarise with bench/profile-summary.ts).
 * Env: ES_URL (http://127.0.0.1:9200), MODEL_DIR (models/siglip-tiny).
 * The query rows use the alias `bench-products`, the ingest rows `bench-ingest`, the batching rows `bench-products` when
 * the query section runs too, else `bench-batching`; never a test alias.
 */
import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadEmbedder } from '../src/app';
import { setLogLevel } from '../src/common/logger';
import { loadConfig } from '../src/config/config';
import { VECTOR_INDEX_TYPES, type VectorIndexType } from '../src/common/vectors';
import { ElasticsearchProductIndex } from '../src/search/elasticsearch/elasticsearch.adapter';
import { batchingRows } from './lib/batching-bench';
import { GraphQLClient, RawEs } from './lib/http-clients';
import { ingestRows } from './lib/ingest-bench';
import { BENCH_ALIAS, loadBenchIndex } from './lib/load-index';
import { queryRows } from './lib/query-bench';
import { scaleReport, scaleRun } from './lib/scale-bench';
import { ROOT, startServerProcess } from './lib/server-process';
import { load1, machineLine, renderTable, rowRatios, type Row } from './lib/stats';
import { embedSeeds } from './lib/synthetic-catalog';

interface Args {
  docs: number;
  rounds: number;
  queries: number;
  throughputSeconds: number;
  first: number;
  seeds: number;
  images: number;
  only: Set<string>;
  drop: boolean;
  profile: boolean;
  scaleDocs: number;
  types: VectorIndexType[];
  recallQueries: number;
  latencyQueries: number;
  ingestRate: number;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { docs: 100_000, rounds: 3, queries: 1000, throughputSeconds: 8, first: 10, seeds: 300, images: 200, only: new Set(['query', 'ingest', 'batching']), drop: false, profile: false,
    scaleDocs: 1_000_000, types: ['int8_hnsw', 'int4_hnsw', 'bbq_hnsw'], recallQueries: 200, latencyQueries: 1000, ingestRate: 200 };
  const num = (flag: string, v: string | undefined) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} takes a positive integer, got ${v}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    if (flag === '--docs') a.docs = num(flag, argv[++i]);
    else if (flag === '--rounds') a.rounds = num(flag, argv[++i]);
    else if (flag === '--queries') a.queries = num(flag, argv[++i]);
    else if (flag === '--throughput-seconds') a.throughputSeconds = num(flag, argv[++i]);
    else if (flag === '--first') a.first = num(flag, argv[++i]);
    else if (flag === '--seeds') a.seeds = num(flag, argv[++i]);
    else if (flag === '--images') a.images = num(flag, argv[++i]);
    else if (flag === '--only') a.only = new Set((argv[++i] ?? '').split(','));
    else if (flag === '--drop') a.drop = true;
    else if (flag === '--profile') a.profile = true;
    else if (flag === '--scale-docs') a.scaleDocs = num(flag, argv[++i]);
    else if (flag === '--recall-queries') a.recallQueries = num(flag, argv[++i]);
    else if (flag === '--latency-queries') a.latencyQueries = num(flag, argv[++i]);
    else if (flag === '--ingest-rate') a.ingestRate = num(flag, argv[++i]);
    else if (flag === '--types') {
      a.types = (argv[++i] ?? '').split(',') as VectorIndexType[];
      for (const t of a.types) if (!VECTOR_INDEX_TYPES.includes(t)) throw new Error(`--types: unknown vector index type ${t}`);
    }
    else throw new Error(`unknown option ${flag} (see the header of bench/run.ts)`);
  }
  for (const s of a.only) if (!['query', 'ingest', 'batching', 'scale'].includes(s)) throw new Error(`--only: unknown section ${s}`);
  return a;
}

const log = (s: string) => process.stderr.write(`[bench] ${s}\n`);
const RUN_ID = new Date().toISOString().replace(/[:.]/g, '-');
const profileDir = (args: Args, section: string) => (args.profile ? path.join(ROOT, 'bench/.work/profiles', RUN_ID, section) : undefined);

async function querySection(args: Args, esUrl: string, modelDir: string): Promise<Row[]> {
  const raw = new RawEs(esUrl, BENCH_ALIAS, 8);
  try {
    const embedder = await loadEmbedder(loadConfig({ MODEL_DIR: modelDir }, ROOT));
    const seeds = await embedSeeds(embedder, args.seeds).finally(() => embedder.close());
    log(`embedded ${args.seeds} real catalog images (${seeds.modelId}, ${seeds.dims}-d); loading ${args.docs} derived documents`);
    const loaded = await loadBenchIndex({ esUrl, es: raw, seeds, docs: args.docs, log });
    log(
      loaded.reused
        ? `reusing ${loaded.index} (${loaded.docs} docs, ${loaded.segments} segments, ${(loaded.storeBytes / 2 ** 20).toFixed(0)} MiB)`
        : `loaded ${loaded.docs} docs into ${loaded.index} in ${loaded.seconds.toFixed(0)} s (${loaded.docsPerSecond.toFixed(0)} docs/s), ` +
            `${loaded.segments} segments, ${(loaded.storeBytes / 2 ** 20).toFixed(0)} MiB`,
    );
    const server = await startServerProcess({ ES_URL: esUrl, ES_INDEX_ALIAS: BENCH_ALIAS, MODEL_DIR: modelDir }, { profileDir: profileDir(args, 'query') });
    const gql = new GraphQLClient(server.url, 8);
    try {
      return await queryRows({ gql, raw, seeds, docs: args.docs, rounds: args.rounds, queries: args.queries, throughputSeconds: args.throughputSeconds, first: args.first, log });
    } finally {
      await gql.close();
      await server.stop();
    }
  } finally {
    await raw.close();
  }
}

const BATCHING_ALIAS = 'bench-batching';

async function scaleSection(args: Args, esUrl: string, modelDir: string): Promise<{ rows: Row[]; table: string }> {
  const raw = new RawEs(esUrl, BENCH_ALIAS, 4);
  try {
    const embedder = await loadEmbedder(loadConfig({ MODEL_DIR: modelDir }, ROOT));
    const seeds = await embedSeeds(embedder, args.seeds).finally(() => embedder.close());
    const results = await scaleRun({
      esUrl,
      raw,
      modelDir,
      seeds,
      docs: args.scaleDocs,
      types: args.types,
      first: args.first,
      recallQueries: args.recallQueries,
      latencyQueries: args.latencyQueries,
      ingestRate: args.ingestRate,
      log,
    });
    return scaleReport(results, args.scaleDocs, args.first);
  } finally {
    await raw.close();
  }
}

/** After every section: the batching servers also open the bench alias (and would re-create a dropped index). */
async function dropIndex(esUrl: string, alias: string): Promise<void> {
  const index = ElasticsearchProductIndex.connect({ url: esUrl, indexAlias: alias, requestTimeoutMs: 120_000, maxRetries: 1 });
  await index.dropAll().finally(() => index.close());
}

async function esVersion(esUrl: string): Promise<string> {
  const res = await fetch(`${esUrl}/_nodes/_local?filter_path=nodes.*.version`);
  const body = (await res.json()) as { nodes?: Record<string, { version: string }> };
  return Object.values(body.nodes ?? {})[0]?.version ?? 'unknown';
}

async function main(): Promise<void> {
  setLogLevel('warn');
  const args = parseArgs(process.argv.slice(2));
  const esUrl = process.env.ES_URL ?? 'http://127.0.0.1:9200';
  const modelDir = process.env.MODEL_DIR ?? 'models/siglip-tiny';
  const header = [`machine: ${machineLine()}`, `Elasticsearch ${await esVersion(esUrl)} at ${esUrl}, model ${modelDir}`];
  log(header.join('\n[bench] '));

  const rows: Row[] = [];
  let scaleTable: string | undefined;
  const started = load1();
  try {
    if (args.only.has('query')) rows.push(...(await querySection(args, esUrl, modelDir)));
    if (args.only.has('ingest')) rows.push(...(await ingestRows({ esUrl, modelDir, images: args.images, rounds: args.rounds, log, profileDir: profileDir(args, 'ingest') })));
    if (args.only.has('batching')) {
      // Without the query section, the bench alias may hold another run's index (another mapping version, which
      // the server refuses): the batching servers then get an alias of their own, dropped afterwards.
      const alias = args.only.has('query') ? BENCH_ALIAS : BATCHING_ALIAS;
      try {
        rows.push(...(await batchingRows({ esUrl, alias, modelDir, rounds: args.rounds, log })));
      } finally {
        if (alias === BATCHING_ALIAS) await dropIndex(esUrl, alias);
      }
    }

    if (args.only.has('scale')) {
      const scale = await scaleSection(args, esUrl, modelDir);
      rows.push(...scale.rows);
      scaleTable = scale.table;
    }
  } finally {
    if (args.drop) await dropIndex(esUrl, BENCH_ALIAS);
  }

  const out = [
    ...header,
    `ratios: median of ${args.rounds} interleaved rounds (spread = min–max); load1 = 1-minute load average at the end of each round (at start: ${started.toFixed(2)})`,
    '',
    renderTable(rows),
    '',
    ...(scaleTable ? [`vector index types at ${args.scaleDocs} products (one node; latency through GraphQL, 2 clients, while ingesting ${args.ingestRate} docs/s):`, '', scaleTable, ''] : []),
  ].join('\n');
  process.stdout.write(out);
  const dir = path.join(ROOT, 'bench/.work');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `results-${RUN_ID}.json`);
  writeFileSync(file, JSON.stringify({ header, args: { ...args, only: [...args.only] }, rows: rows.map((r) => ({ ...r, ratios: rowRatios(r) })) }, null, 2));
  log(`raw numbers: ${path.relative(ROOT, file)}`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
