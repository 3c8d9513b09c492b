/**
 * Duplicate scan throughput (`npm run dedup`, duplicateClusters) on a catalog of synthetic documents whose vectors are
 * derived from real embeddings (bench/lib/synthetic-catalog.ts: a cloud of near-variants around 300 real products),
 * against the yardstick measured in the same run: the bare kNN requests a developer would send by hand, one per
 * product (k = 10, the product itself excluded), at the same concurrency, with nothing done with the answers.
 * The synthetic documents have no near-duplicates (nearest-neighbour cosine at most ~0.925), so copies are planted:
 * for every 100th document one copy at cosine ~0.997 (a DUPLICATE) and one at ~0.96 (a VARIANT), and the scan's
 * recall of them is reported with its speed.
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
import { IMAGES_FIELD, VECTOR_FIELD } from '../src/search/elasticsearch/index-mapping';
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
  const config = loadConfig({ ...process.env, ES_URL, ES_INDEX_ALIAS: ALIAS, ES_REQUEST_TIMEOUT_MS: '120000', IMAGE_QUEUE_MAX: '1000' } as never);
  const embedder = await loadEmbedder(config);
  const seeds = await embedSeeds(embedder, 300);
  const thresholds = embedder.relationThresholds!;
  await embedder.close();
  const raw = new RawEs(ES_URL, ALIAS, CONCURRENCY);
  const index = ElasticsearchProductIndex.connect(config.elasticsearch);
  try {
    const load = await loadBenchIndex({ esUrl: ES_URL, es: raw, seeds, docs: DOCS, alias: ALIAS, log });
    log(`index ${load.index}: ${load.docs} documents${load.reused ? ' (reused)' : ''}`);
    const planted = await plant(raw, load.index, seeds);
    const total = DOCS + 2 * planted;

    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < total) {
          const i = next++;
          const v = syntheticDoc(seeds, i % DOCS).images[0]!.vector;
          await raw.search({
            size: 10,
            _source: false,
            knn: { field: VECTOR_FIELD, query_vector: v, k: 10, num_candidates: 100, filter: { bool: { must_not: [{ ids: { values: [docId(i % DOCS)] } }] } } },
          });
        }
      }),
    );
    const rawSeconds = (performance.now() - t0) / 1000;

    const service = new DuplicatesService(duplicateCatalog(index), thresholds);
    const rows: string[] = [];
    rows.push(`| run | seconds | products/s | vs raw kNN | clusters | products in clusters | planted pairs found |`, `|---|---|---|---|---|---|---|`);
    rows.push(`| raw kNN, one request per product | ${rawSeconds.toFixed(1)} | ${(total / rawSeconds).toFixed(0)} | 1.00 | | | |`);
    for (const level of ['DUPLICATE', 'VARIANT'] as const) {
      const t = performance.now();
      const clusters = await service.scan(level, { concurrency: CONCURRENCY });
      const s = (performance.now() - t) / 1000;
      const members = clusters.reduce((n, c) => n + c.members.length + 1, 0);
      const together = new Map<string, number>();
      clusters.forEach((c, k) => [c.representative, ...c.members.map((m) => m.product)].forEach((p) => together.set(p.id, k)));
      const kinds = level === 'DUPLICATE' ? ['dup'] : ['dup', 'var'];
      const pairs = Array.from({ length: planted }, (_, j) => kinds.map((kind) => [docId(j * 100), `plant-${kind}-${j * 100}`] as const)).flat();
      const found = pairs.filter(([a, b]) => together.has(a) && together.get(a) === together.get(b)).length;
      rows.push(
        `| dedup ${level} | ${s.toFixed(1)} | ${(total / s).toFixed(0)} | ${(rawSeconds / s).toFixed(2)} | ${clusters.length} | ${members} | ${found}/${pairs.length} |`,
      );
    }
    process.stdout.write(`dedup on ${total} documents (${DOCS} + ${2 * planted} planted), concurrency ${CONCURRENCY}, thresholds ${JSON.stringify(thresholds)}\n${rows.join('\n')}\n`);
  } finally {
    await index.dropAll();
    await Promise.allSettled([index.close(), raw.close()]);
  }
}

/** A unit vector at cosine ~`cosine` to `v`: v plus Gaussian noise of the matching norm, normalised. */
function copyAt(v: number[], cosine: number, rng: () => number): number[] {
  const r = Math.sqrt(1 / (cosine * cosine) - 1) / Math.sqrt(v.length);
  const out = v.map((x) => x + r * Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng()));
  const norm = Math.hypot(...out);
  return out.map((x) => Math.fround(x / norm));
}

async function plant(raw: RawEs, index: string, seeds: Parameters<typeof syntheticDoc>[0]): Promise<number> {
  let seed = 1;
  const rng = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
  const lines: string[] = [];
  let n = 0;
  for (let i = 0; i < DOCS; i += 100, n++) {
    const { images, ...rest } = syntheticDoc(seeds, i);
    for (const [kind, cosine] of [['dup', 0.997], ['var', 0.96]] as const) {
      const id = `plant-${kind}-${i}`;
      const image = { ...images[0]!, vector: copyAt(images[0]!.vector, cosine, rng) };
      lines.push(JSON.stringify({ index: { _index: index, _id: id } }), JSON.stringify({ ...rest, id, groupId: id, [IMAGES_FIELD]: [image] }));
    }
  }
  const res = await raw.bulk(`${lines.join('\n')}\n`);
  if (res.errors) throw new Error('planting copies failed');
  await raw.request('POST', `/${index}/_refresh`);
  return n;
}

main().catch((e: unknown) => {
  process.stderr.write(`dedup bench failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
