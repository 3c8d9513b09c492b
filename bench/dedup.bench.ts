/**
 * Duplicate scan throughput (`npm run dedup`, duplicateClusters) on a catalog of synthetic documents whose vectors are
 * derived from real embeddings (bench/lib/synthetic-catalog.ts: a cloud of near-variants around 300 real products),
 * against the yardstick measured in the same run: the bare kNN requests a developer would send by hand, one per
 * product (k = 10, the product itself excluded), at the same concurrency, with nothing done with the answers.
 *
 *   npx tsx bench/dedup.bench.ts [docs=20000] [concurrency=4]
 */
import 'reflect-metadata';
import { loadEmbedder } from '../src/app';
import { setLogLevel } from '../src/common/logger';
import { loadConfig } from '../src/config/config';
import { duplicateCatalog } from '../src/duplicates/duplicate-catalog';
import { DuplicatesService } from '../src/duplicates/duplicates.service';
import { ElasticsearchProductIndex } from '../src/search/elasticsearch/elasticsearch.adapter';
import { VECTOR_FIELD } from '../src/search/elasticsearch/index-mapping';
import { RawEs } from './lib/http-clients';
import { loadBenchIndex } from './lib/load-index';
import { docId, embedSeeds, syntheticDoc } from './lib/synthetic-catalog';

const [docsArg = '20000', concurrencyArg = '4'] = process.argv.slice(2);
const DOCS = Number(docsArg);
const CONCURRENCY = Number(concurrencyArg);
const ES_URL = process.env.ES_URL ?? 'http://127.0.0.1:9200';
const ALIAS = `bench-dedup-${DOCS}`;
const log = (s: string) => process.stderr.write(`${s}\n`);

async function main(): Promise<void> {
  setLogLevel('warn');
  const config = loadConfig({ ...process.env, ES_URL, ES_INDEX_ALIAS: ALIAS, ES_REQUEST_TIMEOUT_MS: '120000' } as never);
  const embedder = await loadEmbedder(config);
  const seeds = await embedSeeds(embedder, 300);
  const thresholds = embedder.relationThresholds!;
  await embedder.close();
  const raw = new RawEs(ES_URL, ALIAS, CONCURRENCY);
  const index = ElasticsearchProductIndex.connect(config.elasticsearch);
  try {
    const load = await loadBenchIndex({ esUrl: ES_URL, es: raw, seeds, docs: DOCS, alias: ALIAS, log });
    log(`index ${load.index}: ${load.docs} documents${load.reused ? ' (reused)' : ''}`);

    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < DOCS) {
          const i = next++;
          const v = syntheticDoc(seeds, i).imageVector;
          await raw.search({
            size: 10,
            _source: false,
            knn: { field: VECTOR_FIELD, query_vector: v, k: 10, num_candidates: 100, filter: { bool: { must_not: [{ ids: { values: [docId(i)] } }] } } },
          });
        }
      }),
    );
    const rawSeconds = (performance.now() - t0) / 1000;

    const service = new DuplicatesService(duplicateCatalog(index), thresholds);
    const rows: string[] = [];
    rows.push(`| run | seconds | products/s | vs raw kNN | clusters | products in clusters |`, `|---|---|---|---|---|---|`);
    rows.push(`| raw kNN, one request per product | ${rawSeconds.toFixed(1)} | ${(DOCS / rawSeconds).toFixed(0)} | 1.00 | | |`);
    for (const level of ['DUPLICATE', 'VARIANT'] as const) {
      const t = performance.now();
      const clusters = await service.scan(level, { concurrency: CONCURRENCY });
      const s = (performance.now() - t) / 1000;
      const members = clusters.reduce((n, c) => n + c.members.length + 1, 0);
      rows.push(`| dedup ${level} | ${s.toFixed(1)} | ${(DOCS / s).toFixed(0)} | ${(rawSeconds / s).toFixed(2)} | ${clusters.length} | ${members} |`);
    }
    process.stdout.write(`dedup on ${DOCS} documents, concurrency ${CONCURRENCY}, thresholds ${JSON.stringify(thresholds)}\n${rows.join('\n')}\n`);
  } finally {
    await index.dropAll();
    await Promise.allSettled([index.close(), raw.close()]);
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`dedup bench failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
