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
import { cropTop1, type CropKind, type CropTop1 } from './hard-queries';

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
  /**
   * With `patterns`: share of the same "<colour> <pattern> <category>" queries whose top hit is an exact match,
   * in VECTOR and in HYBRID mode (red t-shirts of another pattern must not come first).
   */
  patternTop1?: { vector: number; hybrid: number };
  /** With `crops`: per near-duplicate kind, share of copies whose top searchByImage hit is their source product. */
  cropTop1?: CropTop1;
  seconds: { ingest: number; text: number; image: number; crops?: number };
}

export interface EvalOptions {
  seed?: number;
  n: number;
  /** Also measure exact-match top-1 for colour+pattern+category queries (VECTOR and HYBRID). */
  patterns?: boolean;
  /**
   * Also measure copy top-1 (needs `n` >= a few hundred to be meaningful): copies of every indexed product, or of the
   * first `sample` products only, of the given kinds (default all) are searched against the whole index.
   */
  crops?: boolean | { sample?: number; kinds?: CropKind[] };
}

export async function evaluateRetrieval(config: AppConfig, o: EvalOptions): Promise<EvalReport> {
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
    const top1 = { vector: 0, hybrid: 0 };
    for (const [q, relevant] of byQuery) {
      const { hits } = await services.search.searchByText(q, SearchMode.VECTOR, { first: 10 });
      const found = hits.filter((h) => relevant.has(h.product.id)).length;
      if (found > 0) anyHit++;
      strict += found / Math.min(10, relevant.size);
      if (o.patterns) {
        if (relevant.has(hits[0]?.product.id ?? '')) top1.vector++;
        const {
          hits: [first],
        } = await services.search.searchByText(q, SearchMode.HYBRID, { first: 1 });
        if (relevant.has(first?.product.id ?? '')) top1.hybrid++;
      }
    }
    const textSecs = (Date.now() - t) / 1000;

    t = Date.now();
    const categoryOf = new Map(items.map(({ record }) => [record.id, record.category]));
    let precision = 0;
    for (const { record } of items) {
      const { hits } = await services.search.similarProducts(record.id, { first: 5 });
      precision += hits.filter((h) => categoryOf.get(h.product.id) === record.category).length / 5;
    }
    const imageSecs = (Date.now() - t) / 1000;

    t = Date.now();
    const c = o.crops === true ? {} : o.crops || undefined;
    const sample = c?.sample ?? items.length;
    const crops = c ? await cropTop1(services, items.slice(0, sample), jpegs.slice(0, sample), seed, c.kinds) : undefined;
    const cropSecs = (Date.now() - t) / 1000;

    return {
      seed,
      products: items.length,
      queries: byQuery.size,
      textRecallAt10: anyHit / byQuery.size,
      textStrictRecallAt10: strict / byQuery.size,
      imagePrecisionAt5: precision / items.length,
      ...(o.patterns ? { patternTop1: { vector: top1.vector / byQuery.size, hybrid: top1.hybrid / byQuery.size } } : {}),
      ...(crops ? { cropTop1: crops } : {}),
      seconds: { ingest: ingestSecs, text: textSecs, image: imageSecs, ...(crops ? { crops: cropSecs } : {}) },
    };
  } finally {
    await services.index.dropAll();
    await services.close();
  }
}
