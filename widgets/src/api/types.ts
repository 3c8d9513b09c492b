/** What the widgets read from the API: the fields in documents.ts, nothing more. */
export interface WidgetProduct {
  id: string;
  title: string;
  brand?: string | null;
  category?: string | null;
  color?: string | null;
  price?: number | null;
  currency?: string | null;
  imageUrl?: string | null;
  inStock: boolean;
}

export type WidgetRelation = 'DUPLICATE' | 'VARIANT' | 'SIMILAR';

export interface WidgetHit {
  score: number;
  similarity?: number | null;
  /** Relation to the query image (calibrated per model); null for text queries. */
  relation?: WidgetRelation | null;
  product: WidgetProduct;
}

/**
 * One page of results. `nextCursor` is always null today (the API has no pagination yet); widgets already treat a
 * page as "hits plus where to continue", so adding cursors touches ProductApi only.
 */
export interface HitPage {
  hits: WidgetHit[];
  nextCursor: string | null;
}

export type ProductFilters = Record<string, unknown>;

/** Why a request produced no results. Each reason has its own readable message in the widget. */
export type FailureReason = 'not-found' | 'bad-input' | 'unreachable' | 'rejected' | 'server';

export class WidgetError extends Error {
  constructor(
    readonly reason: FailureReason,
    message: string,
  ) {
    super(message);
  }
}
