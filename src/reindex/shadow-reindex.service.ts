import { createHash } from 'node:crypto';
import { primaryVector, type ProductDocument, type StoredImage } from '../catalog/product';
import type { ShadowStore, ShadowWrite } from '../catalog/shadow-store';
import type { StoredDocument } from '../catalog/tag-store';
import { ExpectedError } from '../common/errors';
import type { Embedder } from '../embedding/embedder';
import { contentJson, hashContent } from '../ingest/content-hash';
import type { ImageSource } from '../sources/image-source';
import type { ProductTagger } from '../tagging/tagger';

export interface ShadowReindexOptions {
  /** Resolves relative imageUrls (e.g. `/samples/p.jpg`) against this base when re-embedding. */
  imageBase?: string;
  /** Documents re-embedded at once. */
  concurrency?: number;
}

export interface PassReport {
  /** Documents written to the shadow. */
  written: number;
  /** Shadow copies removed because the live index no longer has them. */
  deleted: number;
  /** Writes skipped because a mirrored write got there first (it is newer). */
  raced: number;
  /** Products whose image could not be re-embedded. */
  failed: { id: string; error: string }[];
}

/**
 * Builds the next model's index beside the live one (a safe model upgrade):
 *
 * 1. `start`: create the shadow index and its alias; from then on every server mirrors its writes into it
 *    (dual-write-index.ts). Wait until every server has looked the shadow up, so no write that misses it lands after
 *    the copy below has read past it.
 * 2. `copy`: every live product, re-embedded with the new model from its imageUrl (or its vector copied when the model
 *    is the same), written only where the shadow has no copy yet: a mirrored write is newer.
 * 3. `reconcile`: compare both indices in id order and repair every difference with conditional writes (the copy's
 *    races, mirrored writes without the new model's vector, copies of deleted products). Run again before promotion.
 *
 * Nothing here makes a write unsafe to acknowledge: the live index is always the one written first and read.
 */
export class ShadowReindexService {
  constructor(
    private readonly store: ShadowStore,
    private readonly embedder: Embedder,
    private readonly images: ImageSource,
    private readonly tagger: ProductTagger | undefined,
    private readonly o: ShadowReindexOptions = {},
  ) {}

  async start(settleMs: number): Promise<string> {
    const index = await this.store.create({ modelId: this.embedder.modelId, dims: this.embedder.dims });
    await new Promise((r) => setTimeout(r, settleMs));
    await this.store.refresh('live');
    return index;
  }

  async copy(onBatch?: (done: number) => void): Promise<PassReport> {
    const report = emptyReport();
    let done = 0;
    for await (const batch of this.store.scan('live', 100)) {
      const built = await this.buildAll(batch.map((s) => s.doc), report);
      this.count(await this.store.write(built.map((doc): ShadowWrite => ({ kind: 'put', doc, expect: 'absent' }))), report);
      done += batch.length;
      onBatch?.(done);
    }
    return report;
  }

  async reconcile(): Promise<PassReport> {
    await Promise.all([this.store.refresh('live'), this.store.refresh('shadow')]);
    const report = emptyReport();
    const pending: { live: ProductDocument; shadow?: StoredDocument }[] = [];
    const deletes: ShadowWrite[] = [];
    for await (const [live, shadow] of mergeById(this.store.scan('live', 200), this.store.scan('shadow', 200))) {
      if (!live) deletes.push({ kind: 'delete', id: shadow!.doc.id, expect: shadow! });
      else if (!shadow || !this.inSync(live.doc, shadow.doc)) pending.push({ live: live.doc, shadow });
      if (pending.length >= 50) await this.repair(pending.splice(0), report);
    }
    await this.repair(pending, report);
    const results = await this.store.write(deletes);
    report.deleted = results.filter((r) => r.written).length;
    report.raced += results.length - report.deleted;
    return report;
  }

  /**
   * Swaps the live alias to the shadow index (atomically), after a last reconcile. Servers still on the previous model
   * then have their writes refused by the new index; writes they made just before the swap were mirrored without a
   * vector, and are embedded here once every server has noticed (after `settleMs`). The previous index is kept.
   */
  async promote(settleMs: number, o: { force?: boolean } = {}): Promise<{ index: string; previous: string[]; reconcile: PassReport; pending: PassReport }> {
    const reconcile = await this.reconcile();
    if (reconcile.failed.length > 0 && !o.force) {
      throw new ShadowIncompleteError(reconcile.failed);
    }
    const swapped = await this.store.promote();
    await new Promise((r) => setTimeout(r, settleMs));
    const pending = await this.embedPending();
    await this.store.dropShadowAlias();
    return { ...swapped, reconcile, pending };
  }

  /** Shadow documents without a vector (mirrored by a server of the previous model), embedded from themselves. */
  async embedPending(): Promise<PassReport> {
    await this.store.refresh('shadow');
    const report = emptyReport();
    for await (const batch of this.store.scanPending()) {
      const expect = new Map(batch.map((s) => [s.doc.id, { seqNo: s.seqNo, primaryTerm: s.primaryTerm }]));
      const built = await this.buildAll(batch.map((s) => s.doc), report);
      this.count(await this.store.write(built.map((doc): ShadowWrite => ({ kind: 'put', doc, expect: expect.get(doc.id)! }))), report);
    }
    return report;
  }

  private async repair(items: { live: ProductDocument; shadow?: StoredDocument }[], report: PassReport): Promise<void> {
    const built = await this.buildAll(items.map((i) => i.live), report);
    const expect = new Map(items.map((i) => [i.live.id, i.shadow ? { seqNo: i.shadow.seqNo, primaryTerm: i.shadow.primaryTerm } : ('absent' as const)]));
    this.count(await this.store.write(built.map((doc): ShadowWrite => ({ kind: 'put', doc, expect: expect.get(doc.id)! }))), report);
  }

  /** The shadow copy is what the live product would be under the new model: same content and image, this model's vector. */
  private inSync(live: ProductDocument, shadow: ProductDocument): boolean {
    return (
      shadow.modelId === this.embedder.modelId &&
      shadow.images.length > 0 &&
      shadow.images.every((img) => img.vector.length === this.embedder.dims) &&
      shadow.tagsVersion === this.tagger?.version &&
      shadow.updatedAt === live.updatedAt &&
      shadow.images.map((img) => img.sha256).join() === live.images.map((img) => img.sha256).join() &&
      contentJson(shadow) === contentJson(live)
    );
  }

  private async buildAll(docs: readonly ProductDocument[], report: PassReport): Promise<ProductDocument[]> {
    const out: (ProductDocument | undefined)[] = new Array(docs.length);
    let next = 0;
    const worker = async () => {
      while (next < docs.length) {
        const i = next++;
        try {
          out[i] = await this.build(docs[i]!);
        } catch (e) {
          if (!(e instanceof ExpectedError)) throw e;
          report.failed.push({ id: docs[i]!.id, error: `${e.code}: ${e.message}` });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.o.concurrency ?? 8, docs.length) }, worker));
    return out.filter((d): d is ProductDocument => d !== undefined);
  }

  /** A live document as the new model stores it: the catalog fields and updatedAt kept, vectors, tags and hash renewed. */
  private async build(live: ProductDocument): Promise<ProductDocument> {
    const current = live.modelId === this.embedder.modelId && live.images.length > 0 && live.images.every((img) => img.vector.length === this.embedder.dims);
    const images = current ? live.images : await Promise.all(this.sources(live).map((url) => this.embed(url)));
    // Tags describe the product's own picture: one vector per product, the first image's (as at ingest).
    const tags = this.tagger?.tag(primaryVector({ images }), live);
    return {
      ...live,
      ...(tags ?? { predictedAttributes: [], predictedTags: [], attributeConflicts: [], tagsVersion: undefined }),
      images,
      modelId: this.embedder.modelId,
      contentHash: hashContent(
        live,
        images.map((img) => img.sha256),
        this.embedder.modelId,
        this.tagger?.version,
      ),
    };
  }

  /**
   * Where each image's bytes are fetched again: its own URL; the first image falls back to imageUrl (inline images
   * of the sample catalog, and documents of mapping versions without `images`).
   */
  private sources(live: ProductDocument): string[] {
    const urls = live.images.length > 0 ? live.images.map((img, i) => img.url ?? (i === 0 ? live.imageUrl : undefined) ?? '') : [live.imageUrl ?? ''];
    return urls.map((url) => (url && this.o.imageBase ? new URL(url, this.o.imageBase).href : url));
  }

  private async embed(url: string): Promise<StoredImage> {
    const bytes = await this.images.resolve({ url });
    const vector = Array.from(await this.embedder.embedImage(bytes));
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    return url ? { vector, sha256, url } : { vector, sha256 };
  }

  private count(results: { written: boolean }[], report: PassReport): void {
    for (const r of results) {
      if (r.written) report.written++;
      else report.raced++;
    }
  }
}

/** Some products could not be re-embedded (their images are gone): the live alias stays where it is. */
export class ShadowIncompleteError extends Error {
  constructor(readonly failed: PassReport['failed']) {
    super(`${failed.length} products could not be re-embedded (first: ${failed[0]?.id}: ${failed[0]?.error}); fix them, or promote with --force`);
    this.name = 'ShadowIncompleteError';
  }
}

function emptyReport(): PassReport {
  return { written: 0, deleted: 0, raced: 0, failed: [] };
}

/** Pairs two id-ordered scans: [live, shadow] per id, either side undefined where it has none. */
export async function* mergeById<T extends { doc: { id: string } }>(
  a: AsyncGenerator<T[]>,
  b: AsyncGenerator<T[]>,
): AsyncGenerator<[T | undefined, T | undefined]> {
  const items = async function* (g: AsyncGenerator<T[]>) {
    for await (const batch of g) yield* batch;
  };
  const ia = items(a);
  const ib = items(b);
  let x = await ia.next();
  let y = await ib.next();
  while (!x.done || !y.done) {
    // Elasticsearch sorts keyword ids by their bytes; compare the same way.
    const cmp = x.done ? 1 : y.done ? -1 : Buffer.compare(Buffer.from(x.value.doc.id), Buffer.from(y.value.doc.id));
    if (cmp === 0) {
      yield [x.value as T, y.value as T];
      [x, y] = await Promise.all([ia.next(), ib.next()]);
    } else if (cmp < 0) {
      yield [x.value as T, undefined];
      x = await ia.next();
    } else {
      yield [undefined, y.value as T];
      y = await ib.next();
    }
  }
}
