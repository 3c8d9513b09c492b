import type { FacetQuery, Hit, ProductIndex, Restriction } from '../../catalog/product-index';
import type { FacetResult } from '../../catalog/search-result';
import { KEYWORD_CANDIDATES, NUM_CANDIDATES, WINDOW_GROWTH } from './windows';

/**
 * The candidates of one query, fetched in growing windows. Each side keeps what it has and only asks for more (one
 * round trip per growth, both sides together), so escalating to fill a page costs the new hits only.
 */

export interface Side {
  /** Hits in the engine's order; stages sort them by score, then id. */
  hits: Hit[];
  /** Nothing more will come: the side returned less than asked, or reached its candidate set. */
  exhausted: boolean;
}

export interface CandidatePlan {
  restriction: Restriction;
  vector?: ArrayLike<number>;
  keywords?: string;
  /** Counted once, with the first window. */
  facets?: FacetQuery[];
}

export class Candidates {
  readonly vector?: Side;
  readonly keyword?: Side;
  generation?: string;
  facets?: FacetResult[];
  /** How many round trips retrieval took (escalations + 1). */
  rounds = 0;
  private window = 0;

  constructor(
    private readonly index: Pick<ProductIndex, 'retrieve'>,
    private readonly plan: CandidatePlan,
  ) {
    if (plan.vector) this.vector = { hits: [], exhausted: false };
    if (plan.keywords !== undefined) this.keyword = { hits: [], exhausted: false };
  }

  /** True when neither side can give more. */
  get complete(): boolean {
    return (!this.vector || this.vector.exhausted) && (!this.keyword || this.keyword.exhausted);
  }

  /** Fetches until each side holds `window` hits or is exhausted. */
  async fill(window: number): Promise<void> {
    this.window = Math.max(this.window, window);
    const v = this.vector && !this.vector.exhausted ? Math.min(this.window, NUM_CANDIDATES) - this.vector.hits.length : 0;
    const k = this.keyword && !this.keyword.exhausted ? Math.min(this.window, KEYWORD_CANDIDATES) - this.keyword.hits.length : 0;
    if (v <= 0 && k <= 0) return;
    const facets = this.rounds === 0 && this.plan.facets?.length ? this.plan.facets : undefined;
    const res = await this.index.retrieve({
      restriction: this.plan.restriction,
      vector: v > 0 ? { vector: this.plan.vector!, from: this.vector!.hits.length, size: v, numCandidates: NUM_CANDIDATES } : undefined,
      keyword: k > 0 ? { q: this.plan.keywords!, from: this.keyword!.hits.length, size: k } : undefined,
      facets,
    });
    this.rounds++;
    this.generation ??= res.generation;
    if (facets) this.facets = res.facets ?? [];
    if (v > 0) append(this.vector!, res.vector ?? [], v, NUM_CANDIDATES);
    if (k > 0) append(this.keyword!, res.keyword ?? [], k, KEYWORD_CANDIDATES);
  }

  /** The next window when a page is not filled yet. */
  grow(): Promise<void> {
    return this.fill(this.window * WINDOW_GROWTH);
  }
}

function append(side: Side, hits: Hit[], asked: number, cap: number): void {
  side.hits.push(...hits);
  if (hits.length < asked || side.hits.length >= cap) side.exhausted = true;
}
