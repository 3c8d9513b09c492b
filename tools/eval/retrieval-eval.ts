/**
 * Retrieval quality of the configured model through the product's own pipeline: TypeScript preprocessing and
 * tokenisation, ONNX Runtime, Elasticsearch kNN. Runs on a synthetic catalog generated from a seed that training
 * never saw, in a throwaway alias that is dropped afterwards.
 */
import { createServices } from '../../src/app';
import { SearchMode } from '../../src/catalog/product';
import type { AppConfig } from '../../src/config/config';
import { canonicalQuery, generateCatalog } from '../synth/catalog';
import { makeNoiseTiles, mapPool, renderProduct } from '../synth/render';

export const HELD_OUT_SEED = 9999;

export interface EvalReport {
  seed: number;
  products: number;
  queries: number;
  /** Share of "<colour> <pattern> <category>" queries with at least one exact match in the top 10 (vector search). */
  textRecallAt10: number;
  /** Mean over queries of relevant-in-top-10 / min(10, #relevant): the stricter reading. */
  textStrictRecallAt10: number;
  /** Mean share of the 5 nearest other products (by image) that share the query product's category. */
  imagePrecisionAt5: number;
  seconds: { ingest: number; text: number; image: number };
}

export async function evaluateRetrieval(config: AppConfig, o: { seed?: number; n: number }): Promise<EvalReport> {
  const seed = o.seed ?? HELD_OUT_SEED;
  const items = generateCatalog(seed, o.n);
  const tiles = makeNoiseTiles(seed);
  const services = await createServices(config);
  try {
    let t = Date.now();
    const jpegs = await mapPool(items, 4, (item) => renderProduct(item, tiles));
    for (let i = 0; i < items.length; i += 50) {
      const outcomes = await services.ingest.ingest(
        items.slice(i, i + 50).map(({ record: { image: _i, pattern: _p, ...r } }, j) => ({
          ...r,
          image: { base64: jpegs[i + j].toString('base64') },
        })),
      );
      const failed = outcomes.filter((x) => !x.ok);
      if (failed.length > 0) throw new Error(`eval ingest failed for ${failed.length} products`);
    }
    await services.index.refresh();
    const ingestSecs = (Date.now() - t) / 1000;

    t = Date.now();
    const byQuery = new Map<string, Set<string>>();
    for (const { record } of items) {
      const q = canonicalQuery(record);
      if (!byQuery.has(q)) byQuery.set(q, new Set());
      byQuery.get(q)!.add(record.id);
    }
    let anyHit = 0;
    let strict = 0;
    for (const [q, relevant] of byQuery) {
      const hits = await services.search.searchByText(q, SearchMode.VECTOR, { first: 10 });
      const found = hits.filter((h) => relevant.has(h.product.id)).length;
      if (found > 0) anyHit++;
      strict += found / Math.min(10, relevant.size);
    }
    const textSecs = (Date.now() - t) / 1000;

    t = Date.now();
    const categoryOf = new Map(items.map(({ record }) => [record.id, record.category]));
    let precision = 0;
    for (const { record } of items) {
      const hits = await services.search.similarProducts(record.id, { first: 5 });
      precision += hits.filter((h) => categoryOf.get(h.product.id) === record.category).length / 5;
    }
    const imageSecs = (Date.now() - t) / 1000;

    return {
      seed,
      products: items.length,
      queries: byQuery.size,
      textRecallAt10: anyHit / byQuery.size,
      textStrictRecallAt10: strict / byQuery.size,
      imagePrecisionAt5: precision / items.length,
      seconds: { ingest: ingestSecs, text: textSecs, image: imageSecs },
    };
  } finally {
    await services.index.dropAll();
    await services.close();
  }
}
