import { SearchMode, type ProductFilter, type Recommendations, type ScoredProduct } from '../catalog/product';
import { ProductNotFoundError } from '../common/errors';
import type { Embedder } from '../embedding/embedder';
import type { ImageRef, ImageSource } from '../sources/image-source';
import type { Hit, ProductIndex } from '../catalog/product-index';
import { reciprocalRankFusion } from './fusion';
import { preferenceVector } from './vector-math';

export interface Page {
  first: number;
  filter?: ProductFilter;
}

/**
 * How deep each side of a hybrid query goes before fusion. Deeper than `first` so a product ranked moderately by
 * both sides can overtake one ranked highly by only one side.
 */
function fusionWindow(first: number): number {
  return Math.min(200, Math.max(first * 3, 30));
}

/** With dot_product over unit vectors Elasticsearch scores (1 + cos) / 2; callers want the cosine back. */
function cosineFromScore(score: number): number {
  // Rounded: int8-quantised scores carry no more precision than this, and clients should not see float noise.
  return Math.round(Math.max(-1, Math.min(1, 2 * score - 1)) * 1e6) / 1e6;
}

function vectorHits(hits: Hit[]): ScoredProduct[] {
  return hits.map((h) => ({ product: h.product, score: h.score, similarity: cosineFromScore(h.score) }));
}

export class SearchService {
  constructor(
    private readonly index: ProductIndex,
    private readonly embedder: Embedder,
    private readonly images: ImageSource,
  ) {}

  /** "More like this": neighbours of the product's stored vector, never the product itself. */
  async similarProducts(id: string, page: Page): Promise<ScoredProduct[]> {
    const doc = (await this.index.getDocuments([id])).get(id);
    if (!doc) throw new ProductNotFoundError(id);
    const hits = await this.index.knn({ vector: doc.imageVector, k: page.first, filter: page.filter, excludeIds: [id] });
    return vectorHits(hits);
  }

  async searchByText(q: string, mode: SearchMode, page: Page, signal?: AbortSignal): Promise<ScoredProduct[]> {
    if (mode === SearchMode.KEYWORD) {
      const hits = await this.index.keyword({ q, size: page.first, filter: page.filter });
      return hits.map((h) => ({ product: h.product, score: h.score }));
    }
    const vector = await this.embedder.embedText(q, signal);
    if (mode === SearchMode.VECTOR) {
      return vectorHits(await this.index.knn({ vector, k: page.first, filter: page.filter }));
    }
    const window = fusionWindow(page.first);
    const both = await this.index.knnAndKeyword(
      { vector, k: window, filter: page.filter },
      { q, size: window, filter: page.filter },
    );
    const similarity = new Map(both.vector.map((h) => [h.product.id, cosineFromScore(h.score)]));
    return reciprocalRankFusion([{ items: both.vector }, { items: both.keyword }], (h) => h.product.id)
      .slice(0, page.first)
      .map(({ item, score }) => ({ product: item.product, score, similarity: similarity.get(item.product.id) }));
  }

  /** `signal` cancels the image fetch and the embedding (the client went away or its deadline passed). */
  async searchByImage(image: ImageRef, page: Page, signal?: AbortSignal): Promise<ScoredProduct[]> {
    const bytes = await this.images.resolve(image, signal);
    const vector = await this.embedder.embedImage(bytes, signal);
    return vectorHits(await this.index.knn({ vector, k: page.first, filter: page.filter }));
  }

  /**
   * "Because you viewed…": one query vector from several viewed products, pushed away from the ones the shopper
   * dismissed. Inputs are excluded from the results; ids the catalog does not know are reported back.
   */
  async recommendations(productIds: string[], negativeIds: string[], page: Page): Promise<Recommendations> {
    const positives = unique(productIds);
    const negatives = unique(negativeIds).filter((id) => !positives.includes(id));
    const docs = await this.index.getDocuments([...positives, ...negatives]);
    const unknownIds = [...positives, ...negatives].filter((id) => !docs.has(id));
    const pos = positives.flatMap((id) => (docs.has(id) ? [docs.get(id)!.imageVector] : []));
    const neg = negatives.flatMap((id) => (docs.has(id) ? [docs.get(id)!.imageVector] : []));
    const vector = pos.length > 0 ? preferenceVector(pos, neg) : undefined;
    if (!vector) return { hits: [], unknownIds };
    const hits = await this.index.knn({
      vector,
      k: page.first,
      filter: page.filter,
      excludeIds: [...positives, ...negatives],
    });
    return { hits: vectorHits(hits), unknownIds };
  }
}

function unique(ids: string[]): string[] {
  return [...new Set(ids)];
}
