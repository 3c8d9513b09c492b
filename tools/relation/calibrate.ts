/**
 * `npm run calibrate [-- --model-dir models/siglip-tiny --seed 4242 --n 300 --eval-seed 9999 --eval-n 300]`
 *
 * Computes the model's DUPLICATE / VARIANT cosine thresholds on a calibration seed, reports per-label precision and
 * recall on a different held-out seed, and writes both to <model-dir>/calibration.json. No Elasticsearch needed:
 * cosines are exact; hit similarities from the int8-quantised index differ from them by about 0.01 at most.
 */
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setLogLevel } from '../../src/common/logger';
import { EmbeddingService } from '../../src/embedding/embedding.service';
import { fitThresholds, scoreLabels, type LabelledPair } from './fit';
import { labelledPairs, type PairSet } from './pairs';
import { RELATIONS } from '../../src/catalog/relation';
import { CALIBRATION_FILE } from '../../src/embedding/calibration';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

const r4 = (x: number): number => Math.round(x * 1e4) / 1e4;

function counts(pairs: LabelledPair[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of pairs) out[`${p.label}/${p.kind}`] = (out[`${p.label}/${p.kind}`] ?? 0) + 1;
  return out;
}

function cosineSummary(set: PairSet): Record<string, { mean: number; min: number; max: number }> {
  const byKind: Record<string, number[]> = { ...set.hardCrops };
  for (const p of set.pairs) (byKind[`${p.label}/${p.kind}`] ??= []).push(p.cosine);
  return Object.fromEntries(
    Object.entries(byKind).map(([k, xs]) => [k, { mean: r4(xs.reduce((a, b) => a + b, 0) / xs.length), min: r4(Math.min(...xs)), max: r4(Math.max(...xs)) }]),
  );
}

async function main(): Promise<void> {
  setLogLevel('warn');
  const modelDir = resolve(arg('model-dir', process.env.MODEL_DIR ?? 'models/siglip-tiny'));
  const seed = Number(arg('seed', '4242'));
  const n = Number(arg('n', '300'));
  const evalSeed = Number(arg('eval-seed', '9999'));
  const evalN = Number(arg('eval-n', '300'));
  if (seed === evalSeed) throw new Error('the held-out seed must differ from the calibration seed');
  const embedder = await EmbeddingService.load({ modelDir, intraOpThreads: 2, maxBatchSize: 16, maxWaitMs: 2, maxInputPixels: 50_000_000 });
  try {
    const cal = await labelledPairs(embedder, seed, n);
    const { macroF1, ...thresholds } = fitThresholds(cal.pairs);
    const held = await labelledPairs(embedder, evalSeed, evalN);
    const score = scoreLabels(held.pairs, thresholds);
    const round = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, r4(v)]));
    const out = {
      model: embedder.modelId,
      thresholds,
      metric: 'cosine of the L2-normalised image embeddings of two products (a hit similarity in similarProducts / searchByImage)',
      rule: 'cosine >= duplicate: DUPLICATE; else cosine >= variant: VARIANT; else SIMILAR',
      definitions: {
        DUPLICATE: 'the same photo re-encoded (JPEG q45-70), resized (160-384 px), lightly cropped (4-20 px per side) or watermarked',
        VARIANT: 'the same product (category silhouette, brand) in another colour or another pattern shot the same way, or another shot of it (4-10 deg rotation, ~10 % scale, 6-14 px shift, other background and noise)',
        SIMILAR: `any other product; calibrated against each product's 5 most similar other products in the catalog`,
      },
      method: 'exhaustive search over (variant, duplicate) cut points for the best macro-F1 of the three labels on the calibration seed; ties to the higher thresholds',
      calibration: { seed, products: n, macroF1: r4(macroF1), pairs: counts(cal.pairs), cosines: cosineSummary(cal) },
      heldOut: {
        seed: evalSeed,
        products: evalN,
        pairs: counts(held.pairs),
        precision: round(score.precision),
        recall: round(score.recall),
        macroF1: r4(score.macroF1),
        confusion: score.confusion,
        cosines: cosineSummary(held),
      },
    };
    writeFileSync(join(modelDir, CALIBRATION_FILE), JSON.stringify(out, null, 1) + '\n');
    const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
    process.stdout.write(
      [
        `model       ${out.model}`,
        `thresholds  DUPLICATE >= ${thresholds.duplicate}, VARIANT >= ${thresholds.variant} (calibration seed ${seed}, ${n} products, ${cal.pairs.length} pairs, macro-F1 ${pct(macroF1)})`,
        `held out    seed ${evalSeed}, ${evalN} products, ${held.pairs.length} pairs:`,
        ...RELATIONS.map((r) => `  ${r.padEnd(10)} precision ${pct(score.precision[r])}  recall ${pct(score.recall[r])}`),
        `wrote       ${join(modelDir, CALIBRATION_FILE)}`,
        '',
      ].join('\n'),
    );
  } finally {
    await embedder.close();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`calibrate failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
