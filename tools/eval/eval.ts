/**
 * `npm run eval [-- --n 600 --seed 9999 --crops --patterns]`: prints the model's retrieval quality through the real
 * pipeline. `npm run eval -- --modifiers [--n 700 --queries 100]` instead measures discover's text modifier ("red",
 * and the negative "without <colour>" and "without <pattern>"). Needs Elasticsearch (npm run es:start) and uses MODEL_DIR like the server. `--json FILE` also writes the
 * report as JSON.
 */
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { loadConfig } from '../../src/config/config';
import { setLogLevel } from '../../src/common/logger';
import { CROP_KINDS } from './hard-queries';
import { evaluateModifiers, MODIFIER_WEIGHTS } from './modifier-eval';
import { evaluateRetrieval, HELD_OUT_SEED } from './retrieval-eval';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const flag = (name: string): boolean => process.argv.includes(`--${name}`);

async function main(): Promise<void> {
  setLogLevel('warn');
  const n = arg('n', 600);
  const seed = arg('seed', HELD_OUT_SEED);
  const config = loadConfig({ ...process.env, ES_INDEX_ALIAS: `eval-${process.pid}` });
  if (flag('modifiers')) return modifiers(config, seed);
  const r = await evaluateRetrieval(config, { seed, n, crops: flag('crops'), patterns: flag('patterns') });
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const lines = [
    `model            ${config.model.dir}`,
    `held-out seed    ${r.seed} (${r.products} products, ${r.queries} distinct "<colour> <pattern> <category>" queries)`,
    `text→image       Recall@10 ${pct(r.textRecallAt10)}   (strict: ${pct(r.textStrictRecallAt10)})`,
    `image→image      P@5 same category ${pct(r.imagePrecisionAt5)}`,
  ];
  if (r.patternTop1) lines.push(`pattern top-1    exact match first: VECTOR ${pct(r.patternTop1.vector)}, HYBRID ${pct(r.patternTop1.hybrid)}`);
  if (r.cropTop1) {
    const c = r.cropTop1;
    lines.push(`copy top-1       source first (${c.queries} queries each, ${r.products} indexed): ${CROP_KINDS.map((k) => `${k} ${pct(c[k] ?? 0)}`).join(', ')}`);
  }
  const s = r.seconds;
  lines.push(`time             ingest ${s.ingest.toFixed(1)}s, text ${s.text.toFixed(1)}s, image ${s.image.toFixed(1)}s${s.crops ? `, copies ${s.crops.toFixed(1)}s` : ''}`, '');
  process.stdout.write(lines.join('\n'));
  const json = process.argv.indexOf('--json');
  if (json >= 0) writeFileSync(process.argv[json + 1], JSON.stringify({ model: config.model.dir, ...r }, null, 1) + '\n');
}

async function modifiers(config: ReturnType<typeof loadConfig>, seed: number): Promise<void> {
  const queries = arg('queries', 100);
  const r = await evaluateModifiers(config, { seed, n: arg('n', 600 + queries), queries, weights: MODIFIER_WEIGHTS });
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const lines = [
    `model            ${config.model.dir}`,
    `held-out seed    ${r.seed} (${r.indexed} products indexed, ${r.queries} held-out pictures as queries)`,
    'picture + "<another colour>": target colour ranks above the picture\'s own colour (same category)',
    ...r.byWeight.map((w) => `  weight ${w.weight.toFixed(2)}     ${pct(w.targetAboveOriginal)}   (top hit in the target colour: ${pct(w.top1Target)})`),
    ...(['colour', 'pattern'] as const).flatMap((kind) => [
      `picture + "without <its own ${kind}>" (${r.without[kind].queries} queries): a product without it ranks above every one with it (same category)`,
      ...r.without[kind].byWeight.map((w) => `  weight ${w.weight.toFixed(2)}     ${pct(w.awayAboveOwn)}   (top hit of the category without it: ${pct(w.top1Away)})`),
    ]),
    '',
  ];
  process.stdout.write(lines.join('\n'));
  const json = process.argv.indexOf('--json');
  if (json >= 0) writeFileSync(process.argv[json + 1], JSON.stringify({ model: config.model.dir, ...r }, null, 1) + '\n');
}

main().catch((e: unknown) => {
  process.stderr.write(`eval failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
