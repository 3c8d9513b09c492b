import { SearchMode } from '../catalog/product';
import type { StoredRule } from '../catalog/merchandising';
import type { ProductIndex } from '../catalog/product-index';
import type { QuerySignals, SearchRequest } from '../catalog/search-request';
import type { BrowseResult, SearchResult } from '../catalog/search-result';
import { InvalidInputError } from '../common/errors';
import type { Embedder } from '../embedding/embedder';
import type { ImageRef, ImageSource } from '../sources/image-source';
import { browseCatalog, type BrowseRequest } from './browse';
import { runSearch, type SearchOptions } from './pipeline/pipeline';

export type { BrowseRequest } from './browse';
export type { SearchOptions } from './pipeline/pipeline';

/** The controls every list operation shares: everything a SearchRequest has besides what the query starts from. */
export type Page = Omit<SearchRequest, keyof QuerySignals | 'keywords'>;

/**
 * Search operations. `discover` runs any SearchRequest through the one pipeline (search/pipeline); the other
 * operations are shorthands that build a SearchRequest and run it the same way.
 */
export class SearchService {
  constructor(
    private readonly index: ProductIndex,
    private readonly embedder: Embedder,
    private readonly images: ImageSource,
    private readonly options: SearchOptions = { facetRanges: {} },
    private readonly rules?: { all(): Promise<readonly StoredRule[]> },
  ) {}

  /** Any combination of signals and controls. `signal` cancels the image fetch and the embeddings. */
  async discover(req: SearchRequest, signal?: AbortSignal): Promise<SearchResult> {
    // A modifier alone is let through: the pipeline says what it lacks.
    const starts = [req.image, req.text, req.keywords, req.modifier, req.seedId, ...(req.positiveIds ?? [])];
    if (starts.every((s) => s === undefined)) {
      throw new InvalidInputError('Give at least one of image, text, keywords and positiveIds to search from', 'input');
    }
    return runSearch({ index: this.index, embedder: this.embedder, images: this.images, options: this.options, rules: this.rules }, req, signal);
  }

  /** "More like this": neighbours of the product's stored vector, never the product itself. */
  similarProducts(id: string, page: Page, signal?: AbortSignal): Promise<SearchResult> {
    return this.discover({ ...fromPage(page), seedId: id }, signal);
  }

  searchByText(q: string, mode: SearchMode, page: Page, signal?: AbortSignal): Promise<SearchResult> {
    const text = mode === SearchMode.KEYWORD ? undefined : q;
    const keywords = mode === SearchMode.VECTOR ? undefined : q;
    return this.discover({ ...fromPage(page), text, keywords }, signal);
  }

  searchByImage(image: ImageRef, page: Page, signal?: AbortSignal): Promise<SearchResult> {
    return this.discover({ ...fromPage(page), image }, signal);
  }

  /**
   * "Because you viewed…": one query vector from several viewed products, pushed away from the ones the shopper
   * dismissed. Inputs are excluded from the results; ids the catalog does not know are reported back.
   */
  recommendations(productIds: string[], negativeIds: string[], page: Page, signal?: AbortSignal): Promise<SearchResult> {
    return this.discover({ ...fromPage(page), positiveIds: productIds, negativeIds }, signal);
  }

  /** The catalog under filters, in a field's order, with the total count (no query, no depth limit). */
  browse(req: BrowseRequest): Promise<BrowseResult> {
    return browseCatalog(this.index, req, this.options.facetRanges);
  }
}

function fromPage(page: Page): SearchRequest {
  return { ...page };
}
