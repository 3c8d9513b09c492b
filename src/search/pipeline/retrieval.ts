import type { FacetQuery, Hit, ProductIndex, Restriction } from '../../catalog/product-index';
import type { FacetResult } from '../../catalog/search-result';
import { KEYWORD_CANDIDATES, MAX_GROUP_ROUNDS, NUM_CANDIDATES, WINDOW_GROWTH } from './windows';

/**
 * The candidates of one query, fetched in growing windows. Each side keeps what it has and only asks for more (one
 * round trip per growth, both sides together), so escalating to fill a page costs the new hits only.
 *
 * With collapsing, the vector side pages the kNN by groups: once the 1,000 nearest products are fetched and still
 * hold too few groups (a few styles with hundreds of variants), the next round is the 1,000 nearest products of the
 * groups not seen yet, and so on for up to MAX_GROUP_ROUNDS rounds. Each round depends only on the rounds before it,
 * so every page of a query sees the same rounds.
 */

export interface Side {
  /** Hits in the engine's order; stages sort them by score, then id. */
  hits: Hit[];
  /** Nothing more will come under this restriction: the engine returned less than asked. */
  exhausted: boolean;
}

interface VectorRound extends Side {
  /** The groups earlier rounds have seen, which this round excludes. */
  excludeGroups: string[];
}

export interface CandidatePlan {
  restriction: Restriction;
  vector?: ArrayLike<number>;
  keywords?: string;
  /** Counted once, with the first window. */
  facets?: FacetQuery[];
  /** Page the kNN by groups when one round of candidates is used up. */
  collapse?: boolean;
  /** The vector side only keeps products at least this similar. */
  minSimilarity?: number;
  /** Hits carry their image vectors (for diversity). */
  withVectors?: boolean;
  /** Fetched once, with the first window, under the same restriction (pins). */
  pinned?: string[];
}

export class Candidates {
  readonly rounds?: VectorRound[];
  readonly keyword?: Side;
  generation?: string;
  facets?: FacetResult[];
  pinned?: Hit[];
  /** How many round trips retrieval took. */
  trips = 0;
  private window = 0;

  constructor(
    private readonly index: Pick<ProductIndex, 'retrieve'>,
    private readonly plan: CandidatePlan,
  ) {
    if (plan.vector) this.rounds = [{ hits: [], exhausted: false, excludeGroups: [] }];
    if (plan.keywords !== undefined) this.keyword = { hits: [], exhausted: false };
  }

  /** The vector side has everything there is: its last round ran dry, or its candidate set is used up. */
  get vectorComplete(): boolean {
    const last = this.lastRound();
    return !last || last.exhausted || (full(last) && !this.plan.collapse);
  }

  get keywordComplete(): boolean {
    return !this.keyword || this.keyword.exhausted || this.keyword.hits.length >= KEYWORD_CANDIDATES;
  }

  /** True when neither side can give more. */
  get complete(): boolean {
    return this.vectorComplete && this.keywordComplete;
  }

  /** True while growing could still bring something (it stops at the bound on group rounds). */
  get canGrow(): boolean {
    const last = this.lastRound();
    const vectorCan = !this.vectorComplete && !(full(last!) && this.rounds!.length >= MAX_GROUP_ROUNDS);
    return vectorCan || !this.keywordComplete;
  }

  /** Fetches until each side holds `window` hits (per round) or is complete. */
  async fill(window: number): Promise<void> {
    this.window = Math.max(this.window, window);
    let last = this.lastRound();
    if (last && full(last) && !this.vectorComplete && this.rounds!.length < MAX_GROUP_ROUNDS) {
      const seen = new Set(this.rounds!.flatMap((r) => [...r.excludeGroups, ...r.hits.map((h) => h.product.groupId)]));
      last = { hits: [], exhausted: false, excludeGroups: [...seen].sort() };
      this.rounds!.push(last);
    }
    const v = last && !last.exhausted ? Math.min(this.window, NUM_CANDIDATES) - last.hits.length : 0;
    const k = this.keyword && !this.keywordComplete ? Math.min(this.window, KEYWORD_CANDIDATES) - this.keyword.hits.length : 0;
    if (v <= 0 && k <= 0) return;
    const first = this.trips === 0;
    const facets = first && this.plan.facets?.length ? this.plan.facets : undefined;
    const pinned = first && this.plan.pinned?.length ? this.plan.pinned : undefined;
    const restriction = this.plan.restriction;
    const res = await this.index.retrieve({
      restriction,
      vector:
        v > 0
          ? {
              vector: this.plan.vector!,
              from: last!.hits.length,
              size: v,
              numCandidates: NUM_CANDIDATES,
              ...(last!.excludeGroups.length > 0 ? { excludeGroups: last!.excludeGroups } : {}),
              ...(this.plan.minSimilarity !== undefined ? { minSimilarity: this.plan.minSimilarity } : {}),
            }
          : undefined,
      keyword: k > 0 ? { q: this.plan.keywords!, from: this.keyword!.hits.length, size: k } : undefined,
      facets,
      pinned,
      withVectors: this.plan.withVectors,
    });
    this.trips++;
    this.generation ??= res.generation;
    if (facets) this.facets = res.facets ?? [];
    if (pinned) this.pinned = res.pinned ?? [];
    if (v > 0) append(last!, res.vector ?? [], v);
    if (k > 0) append(this.keyword!, res.keyword ?? [], k);
  }

  /** The next window when a page is not filled yet. */
  grow(): Promise<void> {
    return this.fill(this.window * WINDOW_GROWTH);
  }

  private lastRound(): VectorRound | undefined {
    return this.rounds?.[this.rounds.length - 1];
  }
}

function full(r: VectorRound): boolean {
  return r.hits.length >= NUM_CANDIDATES;
}

function append(side: Side, hits: Hit[], asked: number): void {
  side.hits.push(...hits);
  if (hits.length < asked) side.exhausted = true;
}
