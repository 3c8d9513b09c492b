/**
 * Moves the catalog to the configured model, or to this server's index mapping (MAPPING_VERSION), with zero downtime:
 * builds a new versioned index by re-embedding every product from its imageUrl, then swaps the alias in one atomic
 * step. The old index is kept for rollback.
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
import type { ProductInput } from '../src/catalog/product';
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
    if (current.identity?.modelId === identity.modelId && current.identity.dims === identity.dims && current.mappingVersion === MAPPING_VERSION) {
      process.stdout.write(`"${current.index}" already serves ${identity.modelId} (${identity.dims}-d, mapping ${MAPPING_VERSION}); nothing to do\n`);
      return;
    }
    const newIndex = await live.createIndex(identity, String(Date.now()));
    const target = ElasticsearchProductIndex.connect({ ...config.elasticsearch, indexAlias: newIndex });
    const ingest = new IngestService(target, embedder, new ImageSourceService(fetcher, config.images.maxBytes), undefined, await loadTagger(config, embedder));
    let done = 0;
    const failures: string[] = [];
    for await (const batch of live.scanAll(100)) {
      const inputs: ProductInput[] = batch.map((p) => ({
        ...p,
        image: { url: p.imageUrl && imageBase ? new URL(p.imageUrl, imageBase).href : (p.imageUrl ?? '') },
      }));
      for (const o of await ingest.ingest(inputs)) {
        if (!o.ok) failures.push(`${o.id}: ${o.error.message}`);
      }
      done += batch.length;
      process.stdout.write(`\r${done} products re-embedded into ${newIndex}`);
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

main().catch((e: unknown) => {
  process.stderr.write(`\nreindex failed: ${e instanceof AppError || e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
