import { createHash } from 'node:crypto';
import type { ProductIndex, QuerySeed } from '../../catalog/product-index';
import type { QuerySignals } from '../../catalog/search-request';
import { InvalidInputError, ProductNotFoundError } from '../../common/errors';
import type { Embedder } from '../../embedding/embedder';
import type { ImageSource } from '../../sources/image-source';
import { modifiedVector, parseModifier, preferenceVector } from '../vector-math';

/** Stage 1 of the pipeline: the query vector, from whatever signals the request carries. */

export interface QueryVector {
  /** Unit query vector; undefined when the request has no vector signal, or its signals cancel out. */
  vector?: Float32Array;
  /** True when the request had vector signals but they gave no direction (nothing to search for). */
  cancelled: boolean;
  /** Products the signals name, which must never come back (the seed, the positives and the negatives). */
  excludeIds: string[];
  /** Positive or negative ids the catalog does not know; reported, not raised. */
  unknownIds: string[];
  /** SHA-256 of the photo's bytes, so a cursor knows the photo without keeping it. */
  imageSha256?: string;
  /** Categories of the products the query starts from (seed and positives): context for stored rules. */
  categories: string[];
  /**
   * The one image the query is, when it is exactly one (a photo, or the seed or single positive product's picture,
   * with no text and no negatives): hits are then labelled DUPLICATE / VARIANT / SIMILAR relative to it. A modifier
   * does not change it: "this, but in red" still reports how close each hit is to this.
   */
  reference?: ArrayLike<number>;
  /** The query vector is the reference's direction (no modifier moved it), so kNN similarities are to the reference. */
  referenceIsQuery?: boolean;
}

export interface VectorSources {
  index: Pick<ProductIndex, 'getQuerySeeds'>;
  embedder: Embedder;
  images: ImageSource;
}

/**
 * Every positive signal (the photo, the text, the seed product, the positive products) counts once towards the mean
 * direction; negatives pull away from it (Rocchio, see preferenceVector). Unknown positive or negative ids are
 * reported and ignored; an unknown seed is a ProductNotFoundError. A text modifier then moves the resulting direction
 * (modifiedVector). `signal` cancels the image fetch and embeddings.
 */
export async function buildQueryVector(src: VectorSources, s: QuerySignals, signal?: AbortSignal): Promise<QueryVector> {
  const modifier = checkModifier(s);
  const positives = unique(s.positiveIds ?? []);
  const negatives = unique(s.negativeIds ?? []).filter((id) => !positives.includes(id));
  const seed = s.seedId !== undefined ? [s.seedId] : [];
  const ids = [...seed, ...positives, ...negatives];
  const docs = ids.length > 0 ? await src.index.getQuerySeeds(ids) : new Map<string, QuerySeed>();
  if (s.seedId !== undefined && !docs.has(s.seedId)) throw new ProductNotFoundError(s.seedId);

  const towards: ArrayLike<number>[] = [];
  let imageSha256: string | undefined;
  if (s.image) {
    const bytes = await src.images.resolve(s.image, signal);
    imageSha256 = createHash('sha256').update(bytes).digest('hex');
    towards.push(await src.embedder.embedImage(bytes, signal));
  }
  if (s.text !== undefined) towards.push(await src.embedder.embedText(s.text, signal));
  for (const id of [...seed, ...positives]) if (docs.has(id)) towards.push(docs.get(id)!.vector);
  const away = negatives.flatMap((id) => (docs.has(id) ? [docs.get(id)!.vector] : []));

  const unknownIds = [...positives, ...negatives].filter((id) => !docs.has(id));
  const hasSignals = s.image !== undefined || s.text !== undefined || seed.length + positives.length > 0;
  let vector = towards.length > 0 ? preferenceVector(towards, away) : undefined;
  if (modifier && vector) {
    const m = await src.embedder.embedText(modifier.text, signal);
    vector = modifiedVector(vector, m, modifier.sign * (s.modifierWeight ?? DEFAULT_MODIFIER_WEIGHT));
  }
  const categories = [...seed, ...positives].flatMap((id) => docs.get(id)?.category ?? []);
  const reference = towards.length === 1 && away.length === 0 && s.text === undefined ? towards[0] : undefined;
  const referenceIsQuery = reference !== undefined && !modifier ? true : undefined;
  return { vector, cancelled: hasSignals && !vector, excludeIds: ids, unknownIds, imageSha256, categories, reference, ...(referenceIsQuery ? { referenceIsQuery } : {}) };
}

/**
 * Used when neither the request nor the server sets a weight; SEARCH_MODIFIER_WEIGHT defaults to the same (a unit
 * test holds them together). 1.5 measured best on held-out products (README, "Discover").
 */
export const DEFAULT_MODIFIER_WEIGHT = 1.5;

/** A modifier needs words and something to modify: on its own it would silently be a plain text search. */
function checkModifier(s: QuerySignals) {
  if (s.modifier === undefined) return undefined;
  const parsed = parseModifier(s.modifier);
  if (!parsed) throw new InvalidInputError('modifier has no words to search with', 'modifier');
  if (s.image === undefined && s.text === undefined && s.seedId === undefined && (s.positiveIds ?? []).length === 0) {
    throw new InvalidInputError('modifier changes what an image, a text or positiveIds describe; give one of them too', 'modifier');
  }
  return parsed;
}

function unique(ids: readonly string[]): string[] {
  return [...new Set(ids)];
}
