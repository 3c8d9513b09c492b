import { createHash } from 'node:crypto';
import { IngestStatus, normaliseProduct, pickProduct, type Product, type ProductDocument, type ProductInput } from '../catalog/product';
import { MAX_ID_LENGTH } from '../catalog/product-fields';
import type { RelatedProduct } from '../catalog/relation';
import { AppError, ExpectedError, IndexingFailedError, InvalidInputError, ProductNotFoundError, StaleVersionError } from '../common/errors';
import type { Embedder } from '../embedding/embedder';
import type { ImageSource, ImageValidators } from '../sources/image-source';
import type { ProductIndex } from '../catalog/product-index';
import { logger } from '../common/logger';
import type { ProductTagger } from '../tagging/tagger';
import { hashContent } from './content-hash';

/**
 * Per item: what was done, or the expected failure (a bad image, a stale version, a refused write) that stopped it.
 * `duplicates`: the catalog products (and products of the same call) this one is a DUPLICATE or VARIANT of, most
 * similar first; undefined when it was not checked (unchanged, no calibrated model, or the check failed).
 */
export type IngestOutcome =
  | { ok: true; status: IngestStatus; product: Product; duplicates?: RelatedProduct[] }
  | { ok: false; id: string; error: ExpectedError };

/** The duplicate check at ingest (DuplicatesService implements it). */
export interface DuplicateCheck {
  check(items: readonly { product: Product; vector: ArrayLike<number> }[]): Promise<Map<string, RelatedProduct[]> | undefined>;
}

export interface IngestOptions {
  /** Wait until the writes are visible to search before answering (read-your-writes for API callers). */
  refresh?: boolean;
  /** Cancels the image fetches and embeddings still to do; the call then rejects and writes nothing. */
  signal?: AbortSignal;
  /** How many images are fetched and embedded at once within this call (default 32); the model batches them further. */
  concurrency?: number;
}

/**
 * How many images one bulk call fetches and embeds at once. Enough to keep every decode worker busy and to fill model
 * batches (which also take other requests' images); well under the decode pool's line, so one call never sheds itself.
 */
const IMAGE_CONCURRENCY = 32;

/** The stored bookkeeping that lets the next ingest of the same image URL fetch it conditionally. */
type FetchBookkeeping = Pick<ProductDocument, 'imageSourceUrl' | 'imageEtag' | 'imageLastModified'>;

/**
 * Catalog in, vectors out, idempotently: ids are the product ids, a content hash makes a replay a no-op, the vector
 * is reused when the image bytes did not change, and caller versions are enforced by Elasticsearch itself.
 *
 * An image URL seen before is fetched conditionally with the validators stored beside its vector; when the source
 * answers "not modified" the stored vector and image hash stand, and nothing is downloaded or embedded.
 */
export class IngestService {
  constructor(
    private readonly index: ProductIndex,
    private readonly embedder: Embedder,
    private readonly images: ImageSource,
    private readonly duplicates?: DuplicateCheck,
    /** Zero-shot tags and attribute conflicts from the image vector; absent when no label file is configured. */
    private readonly tagger?: ProductTagger,
  ) {}

  async ingest(inputs: readonly ProductInput[], o: IngestOptions = {}): Promise<IngestOutcome[]> {
    const outcomes: (IngestOutcome | undefined)[] = new Array(inputs.length);
    const seen = new Set<string>();
    inputs.forEach((input, i) => {
      if (seen.has(input.id)) {
        outcomes[i] = fail(input.id, new InvalidInputError(`Product "${input.id}" appears more than once in this batch`, 'id'));
      }
      seen.add(input.id);
    });

    const existing = await this.index.getDocuments([...seen]);
    const toWrite: { at: number; doc: ProductDocument; status: IngestStatus }[] = [];

    await forEachLimited(inputs.length, o.concurrency ?? IMAGE_CONCURRENCY, async (i) => {
      if (outcomes[i]) return;
      o.signal?.throwIfAborted();
      const input = inputs[i];
      try {
        const step = await this.prepare(input, existing.get(input.id), o.signal);
        if ('doc' in step) toWrite.push({ at: i, ...step });
        else outcomes[i] = step;
      } catch (e) {
        if (e instanceof ExpectedError) outcomes[i] = fail(input.id, e);
        else throw e;
      }
    });

    if (toWrite.length > 0) {
      // The check and the write run side by side: the check's kNN excludes every id of this call (they are compared
      // in memory with their new vectors), so whether it sees the write or not, it finds the same products.
      const [related, results] = await Promise.all([
        this.checkDuplicates(toWrite.filter((w) => w.status !== IngestStatus.UNCHANGED).map((w) => w.doc)),
        this.index.bulkUpsert(
          toWrite.map((w) => w.doc),
          { refresh: o.refresh },
        ),
      ]);
      const conflicts = toWrite.filter((_w, j) => results[j].conflict).map((w) => w.doc.id);
      const now = conflicts.length > 0 ? await this.index.getDocuments(conflicts) : new Map<string, ProductDocument>();
      results.forEach((r, j) => {
        const { at, doc, status } = toWrite[j];
        // What the store did wins over what the read before it suggested (a concurrent writer may have come between).
        const done = r.created === undefined || status === IngestStatus.UNCHANGED ? status : r.created ? IngestStatus.CREATED : IngestStatus.UPDATED;
        if (r.ok) outcomes[at] = { ok: true, status: done, product: pickProduct(doc), duplicates: related?.get(doc.id) };
        else if (r.conflict && isSameWrite(now.get(doc.id), doc)) outcomes[at] = { ok: true, status, product: pickProduct(doc), duplicates: related?.get(doc.id) };
        else if (r.conflict) outcomes[at] = fail(doc.id, new StaleVersionError(doc.id, now.get(doc.id)?.version, doc.version!));
        else outcomes[at] = fail(doc.id, new IndexingFailedError(doc.id, r.error ?? 'unknown', r.reason));
      });
    }
    return outcomes as IngestOutcome[];
  }

  /** Advisory: a failed check is logged and leaves the outcomes unchecked rather than failing the write. */
  private async checkDuplicates(docs: ProductDocument[]): Promise<Map<string, RelatedProduct[]> | undefined> {
    if (!this.duplicates || docs.length === 0) return undefined;
    try {
      return await this.duplicates.check(docs.map((d) => ({ product: pickProduct(d), vector: d.imageVector })));
    } catch (e) {
      logger.warn('duplicate check at ingest failed', { error: e instanceof Error ? e.message : String(e), products: docs.length });
      return undefined;
    }
  }

  /** What to write for one input, or the outcome when there is nothing to write. */
  private async prepare(
    input: ProductInput,
    stored: ProductDocument | undefined,
    signal: AbortSignal | undefined,
  ): Promise<IngestOutcome | { doc: ProductDocument; status: IngestStatus }> {
    if (input.version !== undefined && stored?.version !== undefined && input.version < stored.version) {
      throw new StaleVersionError(input.id, stored.version, input.version);
    }
    const usable = stored !== undefined && stored.modelId === this.embedder.modelId && stored.imageVector.length > 0 ? stored : undefined;
    const image = await this.fetchImage(input, usable, signal);
    const product = normaliseProduct(input);
    const contentHash = hashContent(product, image.sha256, this.embedder.modelId, this.tagger?.version);
    if (stored && stored.contentHash === contentHash) {
      // Equal hashes mean equal versions too, and an external version cannot be written twice: such a document
      // keeps its old validators until its next real change.
      if (sameBookkeeping(stored, image.bookkeeping) || stored.version !== undefined) {
        return { ok: true, status: IngestStatus.UNCHANGED, product: pickProduct(stored) };
      }
      // Unchanged for every reader; only the validators for the next conditional fetch are new.
      return { status: IngestStatus.UNCHANGED, doc: { ...stored, ...image.bookkeeping } };
    }
    const vector =
      usable && usable.imageSha256 === image.sha256
        ? usable.imageVector
        : Array.from(await this.embedder.embedImage(image.bytes!, signal));
    return {
      status: stored ? IngestStatus.UPDATED : IngestStatus.CREATED,
      doc: {
        ...product,
        ...(this.tagger ? this.tagger.tag(vector, product) : {}),
        imageVector: vector,
        imageSha256: image.sha256,
        contentHash,
        modelId: this.embedder.modelId,
        ...image.bookkeeping,
      },
    };
  }

  /**
   * The input's image bytes and hash, or — when its URL is the one the usable stored vector came from and the
   * source answers "not modified" to its validators — the stored hash without any bytes.
   */
  private async fetchImage(
    input: ProductInput,
    usable: ProductDocument | undefined,
    signal: AbortSignal | undefined,
  ): Promise<{ sha256: string; bytes?: Buffer; bookkeeping: FetchBookkeeping }> {
    const url = input.image.url ?? undefined;
    const known = usable && url !== undefined && usable.imageSourceUrl === url ? validatorsOf(usable) : undefined;
    const got = await this.images.resolveIfModified(input.image, known, signal);
    const bookkeeping = (v: ImageValidators): FetchBookkeeping => ({ imageSourceUrl: url, imageEtag: v.etag, imageLastModified: v.lastModified });
    if (got.modified) return { sha256: sha256(got.bytes), bytes: got.bytes, bookkeeping: bookkeeping(got.validators) };
    if (!usable || !known) throw new AppError('INTERNAL', 'Image source answered "not modified" to a plain request');
    return { sha256: usable.imageSha256, bookkeeping: bookkeeping(known) };
  }

  /** Deletes one product; ProductNotFoundError when there is none with this id. */
  async delete(id: string, o: IngestOptions = {}): Promise<void> {
    // An id longer than any ingest accepts was never stored (and Elasticsearch would refuse it as an id).
    if (id.length > MAX_ID_LENGTH || !(await this.index.delete(id, { refresh: o.refresh }))) throw new ProductNotFoundError(id);
  }
}

function validatorsOf(d: ProductDocument): ImageValidators | undefined {
  if (d.imageEtag === undefined && d.imageLastModified === undefined) return undefined;
  return { etag: d.imageEtag, lastModified: d.imageLastModified };
}

function sameBookkeeping(a: FetchBookkeeping, b: FetchBookkeeping): boolean {
  return a.imageSourceUrl === b.imageSourceUrl && a.imageEtag === b.imageEtag && a.imageLastModified === b.imageLastModified;
}

/**
 * A version conflict on exactly this version and content is our own write, already applied: the client retried a bulk
 * whose answer was lost (its node died after the primary wrote it). It succeeded, so it is reported as done.
 */
function isSameWrite(stored: ProductDocument | undefined, doc: ProductDocument): boolean {
  return stored !== undefined && stored.version === doc.version && stored.contentHash === doc.contentHash;
}

function fail(id: string, error: ExpectedError): IngestOutcome {
  return { ok: false, id, error };
}

function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

async function forEachLimited(n: number, limit: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < n) await fn(next++);
  };
  await Promise.all(Array.from({ length: Math.min(limit, n) }, worker));
}
