/**
 * Fits each label set's conflict calibration (label file `conflict`) on a labelled synthetic catalog, so that an
 * attributeConflicts confidence means the same thing for every set: the probability that the stated value is wrong,
 * at a stated prior share of mislabelled products.
 *
 *   npm run calibrate-conflicts [-- --labels models/siglip-tiny/labels.json --seed 4242 --n 400 --prior 0.1]
 *
 * Every product is seen once as stated correctly and once per other label as mislabelled; those are weighted so
 * mislabelled products make up `prior` of the catalog. Products the image agrees with are never conflicts, so only the
 * others are fitted. Use a seed other than the held-out evaluation seed (9999).
 */
import 'reflect-metadata';
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { loadEmbedder } from '../../src/app';
import type { Product } from '../../src/catalog/product';
import { loadConfig } from '../../src/config/config';
import { parseLabelFile } from '../../src/tagging/label-sets';
import { statedIndex, Tagger } from '../../src/tagging/tagger';
import { syntheticCatalog } from '../../test/support/catalog';
import { fitLogistic, type Sample } from './logistic';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { labels: { type: 'string' }, seed: { type: 'string', default: '4242' }, n: { type: 'string', default: '400' }, prior: { type: 'string', default: '0.1' } },
  });
  const config = loadConfig();
  const file = values.labels ?? config.tagging.labelsFile!;
  const seed = Number(values.seed);
  const n = Number(values.n);
  const prior = Number(values.prior);
  const json = JSON.parse(await readFile(file, 'utf8')) as { sets: Record<string, unknown>[] };
  const embedder = await loadEmbedder(config);
  try {
    const tagger = await Tagger.create(parseLabelFile(json), embedder);
    const catalog = await syntheticCatalog(seed, n);
    const vectors: Float32Array[] = [];
    for (let i = 0; i < catalog.length; i += 32) vectors.push(...(await Promise.all(catalog.slice(i, i + 32).map((p) => embedder.embedImage(p.jpeg)))));
    const samples = new Map<string, Sample[]>();
    catalog.forEach((p, k) => {
      const product = p.record as unknown as Product;
      for (const { set, logits, best } of tagger.scores(vectors[k])) {
        const truth = statedIndex(set, product);
        if (truth === undefined) continue;
        const list = samples.get(set.name) ?? [];
        samples.set(set.name, list);
        const add = (stated: number, y: 0 | 1, weight: number) => {
          if (stated !== best) list.push({ x: [logits[best] - logits[stated], logits[stated], logits[best]], y, weight });
        };
        add(truth, 0, (1 - prior) / n);
        set.labels.forEach((_, j) => j !== truth && add(j, 1, prior / n / (set.labels.length - 1)));
      }
    });
    for (const entry of json.sets) {
      const list = samples.get(entry.name as string);
      if (!list || list.length === 0) continue;
      const { w, b } = fitLogistic(list);
      const r = (x: number) => Math.round(x * 1e4) / 1e4;
      entry.conflict = { margin: r(w[0]), stated: r(w[1]), best: r(w[2]), bias: r(b), fit: `seed ${seed}, ${n} products, prior ${prior}, ${embedder.modelId}` };
      process.stdout.write(`${entry.name as string}: ${JSON.stringify(entry.conflict)} (${list.length} candidates)\n`);
    }
    await writeFile(file, `${JSON.stringify(json, null, 2)}\n`);
    process.stdout.write(`wrote ${file}\n`);
  } finally {
    await embedder.close();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`calibrate-conflicts failed: ${(e as Error).message}\n`);
  process.exit(1);
});
