/**
 * npm run synth -- --seed 7 --n 500 --out DIR [--variants] [--hard-variants] [--concurrency 4]
 *
 * Writes DIR/images/<id>.jpg, DIR/products.jsonl and, with --variants, the near-duplicates (re-encode, resize,
 * crop, watermark) as DIR/variants/<variantId>.jpg + DIR/variants.jsonl. --hard-variants adds the harder crops
 * (crop-resized, crop-offframe, shift) and the product variants (recolor, repattern, reshot) of variants.ts.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import { generateCatalog } from './catalog';
import { makeNoiseTiles, mapPool, renderProduct, renderVariants, VariantRecord } from './render';
import { renderHardCrops, renderProductVariants } from './variants';

interface Args {
  seed: number;
  n: number;
  out: string;
  variants: boolean;
  hardVariants: boolean;
  concurrency: number;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { seed: 7, n: 500, out: '', variants: false, hardVariants: false, concurrency: Math.max(2, availableParallelism() * 2) };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`missing value for ${a}`);
      return v;
    };
    if (a === '--seed') args.seed = Number(val());
    else if (a === '--n') args.n = Number(val());
    else if (a === '--out') args.out = val();
    else if (a === '--variants') args.variants = true;
    else if (a === '--hard-variants') args.hardVariants = true;
    else if (a === '--concurrency') args.concurrency = Number(val());
    else if (a === '--help' || a === '-h') {
      console.log('usage: npm run synth -- --seed N --n COUNT --out DIR [--variants] [--hard-variants] [--concurrency K]');
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  if (!args.out) throw new Error('--out DIR is required');
  if (!Number.isInteger(args.seed) || !Number.isInteger(args.n) || args.n < 0) throw new Error('--seed and --n must be integers');
  return args;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const t0 = Date.now();
  const items = generateCatalog(args.seed, args.n);
  const tiles = makeNoiseTiles(args.seed);
  mkdirSync(join(args.out, 'images'), { recursive: true });
  if (args.hardVariants) args.variants = true;
  if (args.variants) mkdirSync(join(args.out, 'variants'), { recursive: true });

  type AnyVariant = Omit<VariantRecord, 'kind'> & { kind: string };
  const variantRecords: AnyVariant[][] = await mapPool(items, args.concurrency, async (item) => {
    const jpg = await renderProduct(item, tiles);
    writeFileSync(join(args.out, item.record.image), jpg);
    if (!args.variants) return [];
    const vs: { record: AnyVariant; data: Buffer }[] = await renderVariants(item, jpg, args.seed);
    if (args.hardVariants) {
      const more = [...(await renderHardCrops(item, jpg, args.seed)), ...(await renderProductVariants(item, tiles, args.seed))];
      for (const { kind, data } of more) {
        const id = `${item.record.id}-${kind}`;
        vs.push({ record: { id, sourceId: item.record.id, kind, image: `variants/${id}.jpg` }, data });
      }
    }
    for (const v of vs) writeFileSync(join(args.out, v.record.image), v.data);
    return vs.map((v) => v.record);
  });

  writeFileSync(join(args.out, 'products.jsonl'), items.map((it) => JSON.stringify(it.record)).join('\n') + '\n');
  if (args.variants) {
    writeFileSync(join(args.out, 'variants.jsonl'), variantRecords.flat().map((v) => JSON.stringify(v)).join('\n') + '\n');
  }
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  console.log(`synth: ${items.length} products${args.variants ? ` + ${variantRecords.flat().length} variants` : ''} -> ${args.out} (${secs}s)`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
