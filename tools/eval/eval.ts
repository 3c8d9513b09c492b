/**
 * `npm run eval [-- --n 600 --seed 9999]`: prints the model's retrieval quality through the real pipeline.
 * Needs Elasticsearch (npm run es:start) and uses MODEL_DIR like the server.
 */
import 'reflect-metadata';
import { loadConfig } from '../../src/config/config';
import { setLogLevel } from '../../src/common/logger';
import { evaluateRetrieval, HELD_OUT_SEED } from './retrieval-eval';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

async function main(): Promise<void> {
  setLogLevel('warn');
  const n = arg('n', 600);
  const seed = arg('seed', HELD_OUT_SEED);
  const config = loadConfig({ ...process.env, ES_INDEX_ALIAS: `eval-${process.pid}` });
  const r = await evaluateRetrieval(config, { seed, n });
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  process.stdout.write(
    [
      `model            ${config.model.dir}`,
      `held-out seed    ${r.seed} (${r.products} products, ${r.queries} distinct "<colour> <pattern> <category>" queries)`,
      `text→image       Recall@10 ${pct(r.textRecallAt10)}   (strict: ${pct(r.textStrictRecallAt10)})`,
      `image→image      P@5 same category ${pct(r.imagePrecisionAt5)}`,
      `time             ingest ${r.seconds.ingest.toFixed(1)}s, text ${r.seconds.text.toFixed(1)}s, image ${r.seconds.image.toFixed(1)}s`,
      '',
    ].join('\n'),
  );
}

main().catch((e: unknown) => {
  process.stderr.write(`eval failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
