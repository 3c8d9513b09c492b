import { createHash } from 'node:crypto';
import { IngestStatus, normaliseProduct, pickProduct, type Product, type ProductDocument, type ProductInput } from '../catalog/product';
import { MAX_ID_LENGTH } from '../catalog/product-fields';
import { ExpectedError, IndexingFailedError, InvalidInputError, ProductNotFoundError, StaleVersionError } from '../common/errors';
import type { Embedder } from '../embedding/embedder';
import type { ImageSource } from '../sources/image-source';
import type { ProductIndex } from '../catalog/product-index';

/** Per item: what was done, or the expected failure (a bad image, a stale version, a refused write) that stopped it. */
export type IngestOutcome = { ok: true; status: IngestStatus; product: Product } | { ok: false; id: string; error: ExpectedError };

export interface IngestOptions {
  /** Wait until the writes are visible to search before answering (read-your-writes for API callers). */
  refresh?: boolean;
  /** Cancels the image fetches and embeddings still to do; the call then rejects and writes nothing. */
  signal?: AbortSignal;
}

/** How many images are fetched and embedded at once within one bulk call; the model batches them further. */
const IMAGE_CONCURRENCY = 8;

/**
 * Catalog in, vectors out, idempotently: ids are the product ids, a content hash makes a replay a no-op, the vector
 * is reused when the image bytes did not change, and caller versions are enforced by Elasticsearch itself.
 */
export class IngestService {
  constructor(
    private readonly index: ProductIndex,
    private readonly embedder: Embedder,
    private readonly images: ImageSource,
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

    await forEachLimited(inputs.length, IMAGE_CONCURRENCY, async (i) => {
      if (outcomes[i]) return;
      o.signal?.throwIfAborted();
      const input = inputs[i];
      const stored = existing.get(input.id);
      try {
        if (input.version !== undefined && stored?.version !== undefined && input.version < stored.version) {
          throw new StaleVersionError(input.id, stored.version, input.version);
        }
        const bytes = await this.images.resolve(input.image, o.signal);
        const imageSha256 = sha256(bytes);
        const product = normaliseProduct(input);
        const contentHash = hashContent(product, imageSha256, this.embedder.modelId);
        if (stored && stored.contentHash === contentHash) {
          outcomes[i] = { ok: true, status: IngestStatus.UNCHANGED, product: pickProduct(stored) };
          return;
        }
        const reuse = stored && stored.imageSha256 === imageSha256 && stored.modelId === this.embedder.modelId;
        const vector = reuse ? stored.imageVector : Array.from(await this.embedder.embedImage(bytes, o.signal));
        toWrite.push({
          at: i,
          status: stored ? IngestStatus.UPDATED : IngestStatus.CREATED,
          doc: { ...product, imageVector: vector, imageSha256, contentHash, modelId: this.embedder.modelId },
        });
      } catch (e) {
        if (e instanceof ExpectedError) outcomes[i] = fail(input.id, e);
        else throw e;
      }
    });

    if (toWrite.length > 0) {
      const results = await this.index.bulkUpsert(
        toWrite.map((w) => w.doc),
        { refresh: o.refresh },
      );
      results.forEach((r, j) => {
        const { at, doc, status } = toWrite[j];
        if (r.ok) outcomes[at] = { ok: true, status, product: pickProduct(doc) };
        else if (r.conflict) outcomes[at] = fail(doc.id, new StaleVersionError(doc.id, existing.get(doc.id)?.version, doc.version!));
        else outcomes[at] = fail(doc.id, new IndexingFailedError(doc.id, r.error ?? 'unknown'));
      });
    }
    return outcomes as IngestOutcome[];
  }

  /** Deletes one product; ProductNotFoundError when there is none with this id. */
  async delete(id: string, o: IngestOptions = {}): Promise<void> {
    // An id longer than any ingest accepts was never stored (and Elasticsearch would refuse it as an id).
    if (id.length > MAX_ID_LENGTH || !(await this.index.delete(id, { refresh: o.refresh }))) throw new ProductNotFoundError(id);
  }
}

function fail(id: string, error: ExpectedError): IngestOutcome {
  return { ok: false, id, error };
}

/**
 * Everything that defines the stored state except bookkeeping (updatedAt). normaliseProduct() builds the object with
 * a fixed key order and sorted lists, so plain JSON is canonical.
 */
function hashContent(p: Product, imageSha256: string, modelId: string): string {
  const { updatedAt: _ignored, ...content } = p;
  const canonical = JSON.stringify(content);
  return sha256(Buffer.from(`${canonical}\n${imageSha256}\n${modelId}`));
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
