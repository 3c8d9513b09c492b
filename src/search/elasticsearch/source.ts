import { pickProduct, type Product, type ProductDocument, type StoredImage } from '../../catalog/product';
import type { Hit, QuerySeed } from '../../catalog/product-index';
import { FIELD_NAMES } from '../../catalog/product-fields';
import { IMAGES_FIELD, LEGACY_VECTOR_FIELD } from './index-mapping';
import { dot } from '../../common/vectors';

/** The stored form of a product (`_source`) and the conversions between it and the domain's documents and hits. */

export type Source = Omit<ProductDocument, 'images'> & {
  [IMAGES_FIELD]?: (Omit<StoredImage, 'vector'> & { vector?: number[] })[];
  /** Mapping versions 1 and 2: one vector per product, its image hash and (2) the fetch bookkeeping. */
  [LEGACY_VECTOR_FIELD]?: number[];
  imageSha256?: string;
  imageSourceUrl?: string;
  imageEtag?: string;
  imageLastModified?: string;
};

/** Hits never need the vectors (9.x leaves them out of _source by default; this says so explicitly). */
export const NO_VECTORS = { exclude_vectors: true } as const;

/**
 * What a search hit reads: the catalog fields and, per image, its URL (the matched image's) and its hash, which every
 * image has: Elasticsearch drops an image whose filtered object comes out empty, and the inner hit's offset must
 * still find its image. Ingest bookkeeping stays behind. With `withVectors`, the vectors too (diversity).
 */
export function hitSource(withVectors = false): Record<string, unknown> {
  const images = [`${IMAGES_FIELD}.url`, `${IMAGES_FIELD}.sha256`, ...(withVectors ? [`${IMAGES_FIELD}.vector`] : [])];
  return { includes: [...FIELD_NAMES, ...images], exclude_vectors: !withVectors };
}

export function toSource(d: ProductDocument): Source {
  const { images, ...rest } = d;
  // A shadow copy mirrored from a server of the previous model has no vectors yet (reindex/dual-write-index.ts).
  return { ...rest, [IMAGES_FIELD]: images.map((i) => compact(i.vector.length > 0 ? i : { ...i, vector: undefined as never })) };
}

export function toProduct(s: Source): Product {
  return pickProduct(s);
}

/** A stored document, from this mapping version or an older one (whose single image becomes the only image). */
export function toDocument(s: Source): ProductDocument {
  return {
    ...toProduct(s),
    images: storedImages(s),
    contentHash: s.contentHash,
    modelId: s.modelId,
    attributeConflicts: s.attributeConflicts,
    tagsVersion: s.tagsVersion,
  };
}

function storedImages(s: Source): StoredImage[] {
  if (s[IMAGES_FIELD]) return s[IMAGES_FIELD].map((i) => compact({ ...i, vector: i.vector ?? [] }));
  const legacy = s[LEGACY_VECTOR_FIELD];
  if (!legacy) return [];
  return [compact({ vector: legacy, sha256: s.imageSha256 ?? '', url: s.imageSourceUrl, etag: s.imageEtag, lastModified: s.imageLastModified })];
}

/** Without absent optional fields, so stored and read-back images compare equal. */
function compact(i: StoredImage): StoredImage {
  return Object.fromEntries(Object.entries(i).filter(([, v]) => v !== undefined && v !== null)) as unknown as StoredImage;
}

interface EsHit {
  _index?: string;
  _source?: Source;
  _score?: number | null;
  inner_hits?: Record<string, { hits: { hits: { _nested?: { offset: number } }[] } }>;
}

/**
 * Search hits, with the image that matched when the kNN went through the nested vectors. `exactIn`: the indices whose
 * kNN scores are float similarities (index-mapping.ts scoresFloatVectors); a hit there with one image has the exact
 * similarity of it (with several, the nested kNN scores the image the quantised walk found nearest, not always the nearest).
 */
export function toHits(hits: EsHit[], exactIn?: ReadonlySet<string>, matchImages?: ArrayLike<number>): Hit[] {
  return hits
    .filter((h) => h._source)
    .map((h) => {
      const hit: Hit = { product: toProduct(h._source!), score: h._score ?? 0 };
      const images = h._source![IMAGES_FIELD];
      if (images?.length === 1 && h._index !== undefined && exactIn?.has(h._index)) hit.exactScore = true;
      if (images?.length && images.every((i) => i.vector)) hit.vectors = images.map((i) => i.vector!);
      const offset = matchImages && images?.length ? nearestImage(matchImages, images.map((i) => i.vector)) : h.inner_hits?.[IMAGES_FIELD]?.hits.hits[0]?._nested?.offset;
      if (offset !== undefined) hit.matchedImage = { index: offset, url: h._source![IMAGES_FIELD]?.[offset]?.url };
      return hit;
    });
}

/**
 * The image a nested kNN hit matched, as its inner hit would say: Elasticsearch computes inner hits of a kNN as an
 * exact kNN over the hit's images (float vectors, whatever the index's quantisation), best score first and, among
 * equal scores, the first image. One image needs no arithmetic. The sums here run in doubles over the same float32s,
 * so only images within float rounding (≈ 1e-7) of each other could be told apart otherwise.
 */
export function nearestImage(query: ArrayLike<number>, vectors: readonly (readonly number[] | undefined)[]): number {
  if (vectors.length === 1) return 0;
  let best = 0;
  let bestDot = -Infinity;
  vectors.forEach((v, i) => {
    if (!v) return; // an image without a vector is not searched
    const score = dot(v, query);
    if (score > bestDot) [best, bestDot] = [i, score];
  });
  return best;
}

/**
 * What a query reads of the product it starts from (query-vector.ts): its vectors (the hashes keep every image in its
 * place, see hitSource), and its category for stored rules.
 */
export const SEED_SOURCE = [`${IMAGES_FIELD}.vector`, `${IMAGES_FIELD}.sha256`, LEGACY_VECTOR_FIELD, 'category'];

export function toQuerySeed(s: Source): QuerySeed {
  const seed: QuerySeed = { vector: storedImages(s)[0]?.vector ?? [] };
  if (s.category !== undefined) seed.category = s.category;
  return seed;
}
