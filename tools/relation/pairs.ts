/**
 * Labelled image pairs from one synthetic seed, embedded by the real pipeline (TypeScript preprocessing, ONNX
 * Runtime). Per product: its 4 near-duplicates (DUPLICATE), its 3 product variants (VARIANT), and the `nearest`
 * most similar other catalog products (SIMILAR: the hits a relation label has to tell apart from the first two).
 * The harder crops are embedded too, as a diagnostic (they are none of the three labels by definition).
 */
import type { Embedder } from '../../src/embedding/embedder';
import { generateCatalog } from '../synth/catalog';
import { makeNoiseTiles, mapPool, renderProduct, renderVariants } from '../synth/render';
import { renderHardCrops, renderProductVariants } from '../synth/variants';
import type { LabelledPair } from './fit';

export interface PairSet {
  seed: number;
  products: number;
  pairs: LabelledPair[];
  /** Harder crops (not labelled): kind -> cosines to their source. */
  hardCrops: Record<string, number[]>;
}

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

export async function labelledPairs(embedder: Embedder, seed: number, n: number, nearest = 5): Promise<PairSet> {
  const items = generateCatalog(seed, n);
  const tiles = makeNoiseTiles(seed);
  const rows = await mapPool(items, 4, async (item) => {
    const source = await renderProduct(item, tiles);
    const copies = [
      ...(await renderVariants(item, source, seed)).map((v) => ({ kind: v.record.kind as string, label: 'DUPLICATE' as const, data: v.data })),
      ...(await renderProductVariants(item, tiles, seed)).map((v) => ({ ...v, label: 'VARIANT' as const })),
      ...(await renderHardCrops(item, source, seed)).map((v) => ({ ...v, label: undefined })),
    ];
    const [vec, ...vecs] = await Promise.all([source, ...copies.map((c) => c.data)].map((b) => embedder.embedImage(b)));
    return { vec, copies: copies.map((c, i) => ({ kind: c.kind, label: c.label, cosine: dot(vec, vecs[i]) })) };
  });
  const pairs: LabelledPair[] = [];
  const hardCrops: Record<string, number[]> = {};
  for (const r of rows) {
    for (const c of r.copies) {
      if (c.label) pairs.push({ label: c.label, kind: c.kind, cosine: c.cosine });
      else (hardCrops[c.kind] ??= []).push(c.cosine);
    }
  }
  for (let i = 0; i < rows.length; i++) {
    const others = rows.map((r, j) => (j === i ? -Infinity : dot(rows[i].vec, r.vec))).sort((a, b) => b - a);
    for (const cosine of others.slice(0, nearest)) pairs.push({ label: 'SIMILAR', kind: 'nearest-other', cosine });
  }
  return { seed, products: n, pairs, hardCrops };
}
