/**
 * Loads a catalog folder (the synth generator's layout: products.jsonl + images/) through the same ingest service the
 * API uses. Idempotent: a second run reports every product UNCHANGED and writes nothing.
 *
 *   npm run catalog:load -- .data/sample-catalog [--image-base-url /samples/]
 */
import 'reflect-metadata';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { createServices } from '../src/app';
import { AppError } from '../src/common/errors';
import { loadConfig } from '../src/config/config';
import type { ProductInput } from '../src/catalog/product';

interface CatalogRecord extends Omit<ProductInput, 'image' | 'imageUrl'> {
  image: string;
}

const BATCH = 32;

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const dir = args.find((a) => !a.startsWith('--'));
  const baseIdx = args.indexOf('--image-base-url');
  const imageBaseUrl = baseIdx >= 0 ? args[baseIdx + 1] : '/samples/';
  if (!dir) throw new Error('usage: load-catalog <catalog-dir> [--image-base-url /samples/]');

  const lines = (await fs.readFile(path.join(dir, 'products.jsonl'), 'utf8')).split('\n').filter((l) => l.trim());
  const records = lines.map((l) => JSON.parse(l) as CatalogRecord);
  const services = await createServices(loadConfig());
  const counts: Record<string, number> = { CREATED: 0, UPDATED: 0, UNCHANGED: 0, FAILED: 0 };
  const started = Date.now();
  try {
    for (let i = 0; i < records.length; i += BATCH) {
      const batch = await Promise.all(
        records.slice(i, i + BATCH).map(async ({ image, ...r }): Promise<ProductInput> => ({
          ...r,
          image: { base64: (await fs.readFile(path.join(dir, image))).toString('base64') },
          imageUrl: `${imageBaseUrl}${image}`,
        })),
      );
      for (const o of await services.ingest.ingest(batch)) {
        if (o.ok) counts[o.status]++;
        else {
          counts.FAILED++;
          process.stderr.write(`  ${o.id}: ${o.error.message}\n`);
        }
      }
    }
    await services.index.refresh();
  } finally {
    await services.close();
  }
  const secs = (Date.now() - started) / 1000;
  process.stdout.write(
    `catalog: ${records.length} products from ${dir} in ${secs.toFixed(1)}s ` +
      `(created ${counts.CREATED}, updated ${counts.UPDATED}, unchanged ${counts.UNCHANGED}, failed ${counts.FAILED})\n`,
  );
  if (counts.FAILED > 0) process.exitCode = 1;
}

main().catch((e: unknown) => {
  // Coded faults are explained by their message; anything else is a bug and keeps its stack.
  const detail = e instanceof AppError ? e.message : e instanceof Error ? e.stack : String(e);
  process.stderr.write(`\nCannot load catalog: ${detail}\n`);
  process.exit(1);
});
