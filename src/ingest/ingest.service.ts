import { createHash } from 'node:crypto';
import { forEachLimited } from '../common/concurrency';
import {
  inputImages,
  IngestStatus,
  normaliseProduct,
  pickProduct,
  primaryVector,
  type Product,
  type ProductDocument,
  type ProductInput,
  type StoredImage,
} from '../catalog/product';
import { MAX_ID_LENGTH } from '../catalog/product-fields';
import type { RelatedProduct } from '../catalog/relation';
import { AppError, ExpectedError, IndexingFailedError, InvalidInputError, ProductNotFoundError, StaleVersionError } from '../common/errors';
import type { Embedder } from '../embedding/embedder';
import type { ImageRef, ImageSource, ImageValidators } from '../sources/image-source';
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
  /**
   * Compare the written products with the catalog (`duplicates` on each outcome; default true). An API call that does
   * not ask for them skips the check: two Elasticsearch round trips per call.
   */
  checkDuplicates?: boolean;
}

export interface IngestLimits {
  /** Images per product (PRODUCT_MAX_IMAGES). */
  maxImages: number;
}

/**
 * How many images one bulk call fetches and embeds at once. Enough to keep every decode worker busy and to fill model
 * batches (which also take other requests' images); well under the decode pool's line, so one call never sheds itself.
 */
const IMAGE_CONCURRENCY = 32;

/**
 * Catalog in, vectors out, idempotently: ids are the product ids, a content hash makes a replay a no-op, each image's
 * vector is reused when its bytes did not change (whatever its position), and caller versions are enforced by
 * Elasticsearch itself.
 *
 * An image URL seen before is fetched conditionally with the validators stored beside its vector; when the source
 * answers "not modified" the stored vector and image hash stand, and nothing is downloaded or embedded.
 */
export class IngestService {
  constructor(
    private readonly index: ProductIndex,
    private readonly embedder: Embedder,
    private readonly images: ImageSource,
    private readonly limits: IngestLimits = { maxImages: 8 },
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

    // Products are prepared side by side, as many as keep the images in flight within the bound.
    const widest = Math.max(1, ...inputs.map((input) => inputImages(input).length));
    const products = Math.max(1, Math.floor((o.concurrency ?? IMAGE_CONCURRENCY) / widest));
    await forEachLimited(inputs.length, products, async (i) => {
      if (outcomes[i]) return;
      o.signal?.throwIfAborted();
      const input = inputs[i]!;
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
      const related = o.checkDuplicates === false ? undefined : this.checkDuplicates(toWrite.filter((w) => w.status !== IngestStatus.UNCHANGED).map((w) => w.doc));
      await this.write(toWrite, outcomes, o, related);
    }
    return outcomes as IngestOutcome[];
  }

  /** Advisory: a failed check is logged and leaves the outcomes unchecked rather than failing the write. */
  private async checkDuplicates(docs: ProductDocument[]): Promise<Map<string, RelatedProduct[]> | undefined> {
    if (!this.duplicates || docs.length === 0) return undefined;
    try {
      // A product is compared by its own picture, its first image.
      return await this.duplicates.check(docs.map((d) => ({ product: pickProduct(d), vector: primaryVector(d) })));
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
    const refs = this.checkImages(input);
    // A shadow index's mirror copy carries the model id and the images' bookkeeping but no vectors yet: not usable.
    const usable =
      stored !== undefined && stored.modelId === this.embedder.modelId && stored.images.length > 0 && stored.images.every((img) => img.vector.length > 0)
        ? stored
        : undefined;
    const fetched = await Promise.all(refs.map((ref) => this.fetchImage(ref, usable, signal)));
    const product = normaliseProduct(input);
    const contentHash = hashContent(
      product,
      fetched.map((f) => f.sha256),
      this.embedder.modelId,
      this.tagger?.version,
    );
    if (stored && stored.contentHash === contentHash) {
      // Equal hashes mean equal versions too, and an external version cannot be written twice: such a document
      // keeps its old validators until its next real change.
      if (fetched.every((f, j) => sameBookkeeping(stored.images[j], f.bookkeeping)) || stored.version !== undefined) {
        return { ok: true, status: IngestStatus.UNCHANGED, product: pickProduct(stored) };
      }
      // Unchanged for every reader; only the validators for the next conditional fetch are new.
      const images = stored.images.map((img, j) => compact({ vector: img.vector, sha256: img.sha256, ...fetched[j]!.bookkeeping }));
      return { status: IngestStatus.UNCHANGED, doc: { ...stored, images } };
    }
    // Any stored image with the same bytes (at any position) keeps its vector; only new bytes reach the model, once
    // each even when an input repeats them.
    const vectors = new Map<string, Promise<number[]>>((usable?.images ?? []).map((img) => [img.sha256, Promise.resolve(img.vector)]));
    for (const f of fetched) {
      if (!vectors.has(f.sha256)) vectors.set(f.sha256, this.embedder.embedImage(f.bytes!, signal).then((v) => Array.from(v)));
    }
    const images = await Promise.all(fetched.map(async (f) => compact({ vector: await vectors.get(f.sha256)!, sha256: f.sha256, ...f.bookkeeping })));
    return {
      status: stored ? IngestStatus.UPDATED : IngestStatus.CREATED,
      doc: {
        ...product,
        // Tags describe the product's own picture: one vector per product, the first image's.
        ...(this.tagger ? this.tagger.tag(images[0]!.vector, product) : {}),
        images,
        contentHash,
        modelId: this.embedder.modelId,
      },
    };
  }

  /**
   * One image's bytes and hash, or, when its URL is the one a usable stored image came from and the source answers
   * "not modified" to that image's validators, the stored hash without any bytes.
   */
  private async fetchImage(
    ref: ImageRef,
    usable: ProductDocument | undefined,
    signal: AbortSignal | undefined,
  ): Promise<{ sha256: string; bytes?: Buffer; bookkeeping: Bookkeeping }> {
    const url = ref.url?.trim() || undefined;
    const known = url === undefined ? undefined : usable?.images.find((img) => img.url === url && (img.etag !== undefined || img.lastModified !== undefined));
    const validators = known && { etag: known.etag, lastModified: known.lastModified };
    const got = await this.images.resolveIfModified(ref, validators, signal);
    const bookkeeping = (v: ImageValidators): Bookkeeping => ({ url, etag: v.etag, lastModified: v.lastModified });
    if (got.modified) return { sha256: sha256(got.bytes), bytes: got.bytes, bookkeeping: bookkeeping(got.validators) };
    if (!known || !validators) throw new AppError('INTERNAL', 'Image source answered "not modified" to a plain request');
    return { sha256: known.sha256, bookkeeping: bookkeeping(validators) };
  }

  /**
   * Copies stored documents (for instance from an index of an older mapping) through today's field table: new
   * fields get their defaults, the content hash is recomputed so a replay of the same input stays UNCHANGED, and
   * vectors and timestamps are kept as they are. Nothing is fetched or embedded.
   */
  async copy(docs: readonly ProductDocument[], o: IngestOptions = {}): Promise<IngestOutcome[]> {
    const outcomes: (IngestOutcome | undefined)[] = new Array(docs.length);
    const toWrite = docs.map((d, at) => {
      // No images go in: a stored product already holds its imageUrl, and the fallback must not invent one.
      const product = { ...normaliseProduct({ ...d, images: [] }), updatedAt: d.updatedAt };
      // Tags of this label file and model are copied; others (or none, from an older mapping) are computed from the
      // stored vectors, the first image's as at ingest, so a replay of the input after the copy is UNCHANGED.
      const retag = this.tagger && d.tagsVersion !== this.tagger.version && primaryVector(d).length > 0;
      const tags = retag
        ? this.tagger!.tag(primaryVector(d), product)
        : { predictedAttributes: d.predictedAttributes, predictedTags: d.predictedTags, attributeConflicts: d.attributeConflicts, tagsVersion: d.tagsVersion };
      const contentHash = hashContent(product, d.images.map((img) => img.sha256), d.modelId, tags.tagsVersion);
      return { at, status: IngestStatus.CREATED, doc: { ...product, ...tags, images: d.images, contentHash, modelId: d.modelId } };
    });
    await this.write(toWrite, outcomes, o);
    return outcomes as IngestOutcome[];
  }

  /** Deletes one product; ProductNotFoundError when there is none with this id. */
  async delete(id: string, o: IngestOptions = {}): Promise<void> {
    // An id longer than any ingest accepts was never stored (and Elasticsearch would refuse it as an id).
    if (id.length > MAX_ID_LENGTH || !(await this.index.delete(id, { refresh: o.refresh }))) throw new ProductNotFoundError(id);
  }

  /** Exactly one of image and images, with 1 to maxImages images. */
  private checkImages(input: ProductInput): readonly ImageRef[] {
    const both = input.image != null && input.images != null;
    const refs = inputImages(input);
    if (both || refs.length === 0) throw new InvalidInputError('Give exactly one of image (one image) or images (several)', 'images');
    if (refs.length > this.limits.maxImages) {
      throw new InvalidInputError(`A product has at most ${this.limits.maxImages} images; ${refs.length} were given`, 'images');
    }
    return refs;
  }

  private async write(
    toWrite: { at: number; doc: ProductDocument; status: IngestStatus }[],
    outcomes: (IngestOutcome | undefined)[],
    o: IngestOptions,
    check?: Promise<Map<string, RelatedProduct[]> | undefined>,
  ): Promise<void> {
    const [related, results] = await Promise.all([
      check,
      this.index.bulkUpsert(
        toWrite.map((w) => w.doc),
        { refresh: o.refresh },
      ),
    ]);
    const conflicts = toWrite.filter((_w, j) => results[j]!.conflict).map((w) => w.doc.id);
    const now = conflicts.length > 0 ? await this.index.getDocuments(conflicts) : new Map<string, ProductDocument>();
    results.forEach((r, j) => {
      const { at, doc, status } = toWrite[j]!;
      // What the store did wins over what the read before it suggested (a concurrent writer may have come between).
      const done = r.created === undefined || status === IngestStatus.UNCHANGED ? status : r.created ? IngestStatus.CREATED : IngestStatus.UPDATED;
      if (r.ok) outcomes[at] = { ok: true, status: done, product: pickProduct(doc), duplicates: related?.get(doc.id) };
      else if (r.conflict && isSameWrite(now.get(doc.id), doc)) outcomes[at] = { ok: true, status, product: pickProduct(doc), duplicates: related?.get(doc.id) };
      else if (r.conflict) outcomes[at] = fail(doc.id, new StaleVersionError(doc.id, now.get(doc.id)?.version, doc.version!));
      else outcomes[at] = fail(doc.id, new IndexingFailedError(doc.id, r.error ?? 'unknown', r.reason));
    });
  }

}

/** What lets the next ingest of the same image URL fetch it conditionally. */
type Bookkeeping = Pick<StoredImage, 'url' | 'etag' | 'lastModified'>;

function sameBookkeeping(a: StoredImage | undefined, b: Bookkeeping): boolean {
  return a !== undefined && a.url === b.url && a.etag === b.etag && a.lastModified === b.lastModified;
}

/** Without absent optional fields, so a stored image and its read-back compare equal. */
function compact(i: StoredImage): StoredImage {
  return Object.fromEntries(Object.entries(i).filter(([, v]) => v !== undefined)) as unknown as StoredImage;
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

