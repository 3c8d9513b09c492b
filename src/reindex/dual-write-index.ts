import type { BulkItemResult, ProductIndex } from '../catalog/product-index';
import type { ProductDocument } from '../catalog/product';
import type { ShadowStore } from '../catalog/shadow-store';
import { logger } from '../common/logger';

/**
 * Writes during a shadow reindex go to both indices. The live write is the one acknowledged; its copy goes to the
 * shadow right after. A copy for a shadow of another model carries no vector (this server cannot compute the new
 * model's), and the reindexer embeds it before promotion. A copy that fails is only logged: the reindexer's
 * reconcile pass compares both indices before promotion and repairs any difference, so nothing depends on it.
 *
 * After a promotion the live alias may serve another model than this server's: then every write is refused (never
 * written with vectors of the wrong model) until the server is restarted with the new model. The lookup is cached for
 * `ttlMs`, so the promotion waits longer than that before it embeds what was mirrored without a vector.
 */

/** What a write goes to, looked up from the store at most every `ttlMs` (the reindexer waits longer before copying). */
export class WriteTargets {
  private cached?: { at: number; value: Promise<Targets> };

  constructor(
    private readonly store: ShadowStore,
    private readonly ttlMs = 1000,
  ) {}

  current(): Promise<Targets> {
    const now = Date.now();
    if (!this.cached || now - this.cached.at >= this.ttlMs) {
      const value = this.store.describe().then(({ live, shadow }) => ({
        liveModelId: live?.identity?.modelId,
        shadow: shadow?.identity ? { index: this.store.shadowIndex(), modelId: shadow.identity.modelId } : undefined,
      }));
      // A failed lookup is not cached: the next write asks again.
      value.catch(() => (this.cached = undefined));
      this.cached = { at: now, value };
    }
    return this.cached.value;
  }
}

interface Targets {
  liveModelId?: string;
  shadow?: { index: ProductIndex; modelId: string };
}

/** `live` with its writes mirrored into the shadow index while one is being built; reads are untouched. */
export function withDualWrites<T extends ProductIndex>(live: T, targets: WriteTargets, modelId: string): T {
  const bulkUpsert: ProductIndex['bulkUpsert'] = async (docs, o) => {
    const t = await targets.current();
    if (t.liveModelId !== undefined && t.liveModelId !== modelId) {
      const error = `the index now serves model ${t.liveModelId}, this server runs ${modelId}: restart it with the new MODEL_DIR`;
      return docs.map((d): BulkItemResult => ({ id: d.id, ok: false, error }));
    }
    const results = await live.bulkUpsert(docs, o);
    if (t.shadow) {
      const shadow = t.shadow;
      const written = docs.filter((_, i) => results[i]!.ok).map((d) => mirrorOf(d, shadow.modelId));
      await shadow.index.bulkUpsert(written).then(
        (r) => r.filter((x) => !x.ok && !x.conflict).forEach((x) => logger.warn('shadow copy failed', { id: x.id, error: x.error })),
        (e: unknown) => logger.warn('shadow copy failed', { ids: written.length, error: (e as Error).message }),
      );
    }
    return results;
  };
  const remove: ProductIndex['delete'] = async (id, o) => {
    const t = await targets.current();
    const deleted = await live.delete(id, o);
    if (t.shadow) await t.shadow.index.delete(id).catch((e: unknown) => logger.warn('shadow delete failed', { id, error: (e as Error).message }));
    return deleted;
  };
  // Conditional on the live copy's stamp (the shadow's copies have stamps of their own): mirrored once it happened.
  const removeIfUnchanged: ProductIndex['deleteIfUnchanged'] = async (id, stamp, o) => {
    const t = await targets.current();
    const outcome = await live.deleteIfUnchanged(id, stamp, o);
    if (outcome === 'deleted' && t.shadow) {
      await t.shadow.index.delete(id).catch((e: unknown) => logger.warn('shadow delete failed', { id, error: (e as Error).message }));
    }
    return outcome;
  };
  return new Proxy(live, {
    get(target, prop) {
      if (prop === 'bulkUpsert') return bulkUpsert;
      if (prop === 'delete') return remove;
      if (prop === 'deleteIfUnchanged') return removeIfUnchanged;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/**
 * The shadow's copy of a live write: the same document; for a shadow of another model without the images' vectors
 * (under that model's id, as everything in its index), for the reindexer to embed.
 */
export function mirrorOf(doc: ProductDocument, shadowModelId: string): ProductDocument {
  return doc.modelId === shadowModelId ? doc : { ...doc, images: doc.images.map((img) => ({ ...img, vector: [] })), modelId: shadowModelId };
}
