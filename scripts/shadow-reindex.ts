/**
 * Safe model upgrades (`npm run reindex -- --shadow | --compare | --promote | --abort`), run with the NEW model's
 * MODEL_DIR (and label file) against the live alias:
 *
 *   --shadow     build the new model's index beside the live one while it keeps serving; every server mirrors its
 *                writes into it meanwhile (nothing is lost). Ends with a comparison; the live alias is untouched.
 *   --compare    top-10 overlap and category precision of both indices on a sample (also: the compareModels query).
 *   --promote    last reconcile, then swap the live alias to the shadow index atomically (previous index kept for
 *                rollback); restart the servers with the new MODEL_DIR. Refuses while products failed, unless --force.
 *   --abort      drop the shadow index; the live one never changed.
 *
 * Options: --image-base-url URL (resolve relative imageUrls), --sample N (compare), --settle-ms N (how long servers
 * get to notice the shadow; above their 1 s lookup cache), --force.
 */
import { loadEmbedder, loadTagger, createImageFetcher } from '../src/app';
import { loadConfig } from '../src/config/config';
import { CompareModelsService } from '../src/reindex/compare-models.service';
import { ShadowReindexService, type PassReport } from '../src/reindex/shadow-reindex.service';
import { ElasticsearchProductIndex } from '../src/search/elasticsearch/elasticsearch.adapter';
import { ElasticsearchShadowStore } from '../src/search/elasticsearch/shadow-store';
import { ImageSourceService } from '../src/sources/image-source.service';

export const SHADOW_COMMANDS = ['--shadow', '--compare', '--promote', '--abort'] as const;

export async function runShadowCommand(args: readonly string[]): Promise<void> {
  const value = (flag: string) => {
    const i = args.indexOf(flag);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const config = loadConfig();
  const settleMs = Number(value('--settle-ms') ?? 3000);
  const live = ElasticsearchProductIndex.connect(config.elasticsearch);
  const store = new ElasticsearchShadowStore(live, live.transport());
  const say = (line: string) => process.stdout.write(`${line}\n`);
  try {
    if (args.includes('--abort')) {
      const dropped = await store.abort();
      say(dropped ? `dropped shadow index ${dropped}; "${live.alias}" unchanged` : 'no shadow index to drop');
      return;
    }
    if (args.includes('--compare')) {
      say(JSON.stringify(await new CompareModelsService(live, store).compare(Number(value('--sample') ?? 100)), null, 2));
      return;
    }
    const embedder = await loadEmbedder(config);
    const fetcher = createImageFetcher(config);
    try {
      const tagger = await loadTagger(config, embedder);
      const images = new ImageSourceService(fetcher, config.images.maxBytes);
      const service = new ShadowReindexService(store, embedder, images, tagger, { imageBase: value('--image-base-url') });
      if (args.includes('--shadow')) {
        const index = await service.start(settleMs);
        say(`shadow index ${index} created for ${embedder.modelId}; servers mirror their writes into it`);
        report('copy', await service.copy((n) => process.stdout.write(`\r${n} products copied`)));
        report('reconcile', await service.reconcile());
        say(JSON.stringify(await new CompareModelsService(live, store).compare(Number(value('--sample') ?? 100)), null, 2));
        say('next: npm run reindex -- --promote (or --abort)');
      } else {
        const r = await service.promote(settleMs, { force: args.includes('--force') });
        report('reconcile', r.reconcile);
        report('mirrored without a vector, embedded', r.pending);
        say(`alias "${live.alias}" now serves ${r.index}; previous index kept for rollback: ${r.previous.join(', ')}`);
        say('restart the servers with this MODEL_DIR: until then their writes are refused, never mixed into this index');
      }
    } finally {
      await Promise.allSettled([embedder.close(), fetcher.close()]);
    }
  } finally {
    await live.close();
  }

  function report(pass: string, r: PassReport): void {
    say(`\n${pass}: ${r.written} written, ${r.deleted} deleted, ${r.raced} superseded by mirrored writes, ${r.failed.length} failed`);
    for (const f of r.failed.slice(0, 20)) say(`  ${f.id}: ${f.error}`);
  }
}
