/**
 * Moves the catalog to the configured model, or to this server's mapping version, with zero downtime: builds a new
 * versioned index, then swaps the alias in one atomic step. The old index is kept for rollback.
 * - Another model (or dimensions): every product is re-embedded from its images' URLs (the first image falls back
 *   to imageUrl, which is how the sample catalog's inline images are found again).
 * - Same model, older mapping (MAPPING_VERSION was bumped): every document is copied with its vectors through
 *   today's field table (new fields get their defaults); nothing is fetched or embedded.
 * Writes made while this runs land in the old index only; pause catalog writes for the duration, or use the shadow
 * reindex (--shadow, then --promote), which takes writes throughout (scripts/shadow-reindex.ts).
 *
 *   npm run reindex [-- --image-base-url https://cdn.example.com] [--force]
 *   npm run reindex -- --shadow | --compare | --promote | --abort
 */
import 'reflect-metadata';
import { createImageFetcher, loadEmbedder, loadTagger } from '../src/app';
import { AppError } from '../src/common/errors';
import { loadConfig } from '../src/config/config';
import { ImageSourceService } from '../src/sources/image-source.service';
import type { ProductDocument, ProductInput } from '../src/catalog/product';
import { IngestService } from '../src/ingest/ingest.service';
import { ElasticsearchProductIndex } from '../src/search/elasticsearch/elasticsearch.adapter';
import { MAPPING_VERSION } from '../src/search/elasticsearch/index-mapping';
import { runShadowCommand, SHADOW_COMMANDS } from './shadow-reindex';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (SHADOW_COMMANDS.some((c) => args.includes(c))) return runShadowCommand(args);
  const baseIdx = args.indexOf('--image-base-url');
  const imageBase = baseIdx >= 0 ? args[baseIdx + 1] : undefined;
  const force = args.includes('--force');

  const config = loadConfig();
  const embedder = await loadEmbedder(config);
  const identity = { modelId: embedder.modelId, dims: embedder.dims };
  const live = ElasticsearchProductIndex.connect(config.elasticsearch);
  const fetcher = createImageFetcher(config);
  try {
    const current = await live.describeAlias();
    if (!current) throw new Error(`alias "${live.alias}" does not exist: start the server once, or ingest, instead`);
    const sameModel = current.identity?.modelId === identity.modelId && current.identity.dims === identity.dims;
    if (sameModel && current.mappingVersion === MAPPING_VERSION) {
      process.stdout.write(`"${current.index}" already serves ${identity.modelId} (${identity.dims}-d), mapping ${MAPPING_VERSION}; nothing to do\n`);
      return;
    }
    const newIndex = await live.createIndex(identity, String(Date.now()));
    const target = ElasticsearchProductIndex.connect({ ...config.elasticsearch, indexAlias: newIndex });
    const ingest = new IngestService(
      target,
      embedder,
      new ImageSourceService(fetcher, config.images.maxBytes),
      config.catalog,
      undefined,
      await loadTagger(config, embedder),
    );
    const how = sameModel ? 'copied' : 're-embedded';
    let done = 0;
    const failures: string[] = [];
    for await (const batch of live.scanDocuments(100)) {
      const outcomes = sameModel ? await ingest.copy(batch) : await ingest.ingest(batch.map((d) => reembedInput(d, imageBase)));
      for (const o of outcomes) {
        if (!o.ok) failures.push(`${o.id}: ${o.error.message}`);
      }
      done += batch.length;
      process.stdout.write(`\r${done} products ${how} into ${newIndex}`);
    }
    process.stdout.write('\n');
    await target.refresh();
    await target.close();
    if (failures.length > 0) {
      process.stderr.write(`${failures.length} products failed:\n  ${failures.slice(0, 20).join('\n  ')}\n`);
      if (!force) throw new Error(`alias not swapped; fix the failures or rerun with --force. New index kept: ${newIndex}`);
    }
    const previous = await live.swapAlias(newIndex);
    process.stdout.write(`alias "${live.alias}" now serves ${newIndex}; previous index kept for rollback: ${previous.join(', ')}\n`);
  } finally {
    await Promise.allSettled([live.close(), embedder.close(), fetcher.close()]);
  }
}

/** A stored product as an ingest input that fetches its images again from where they came from. */
function reembedInput(d: ProductDocument, imageBase: string | undefined): ProductInput {
  const { images, contentHash: _h, modelId: _m, updatedAt: _u, ...fields } = d;
  const urls = images.map((img, i) => img.url ?? (i === 0 ? d.imageUrl : undefined) ?? '');
  return { ...fields, images: urls.map((url) => ({ url: url && imageBase ? new URL(url, imageBase).href : url })) };
}

main().catch((e: unknown) => {
  process.stderr.write(`\nreindex failed: ${e instanceof AppError || e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
