import type { FacetQuery, Hit, ProductIndex, Restriction } from '../../catalog/product-index';
import type { FacetResult } from '../../catalog/search-result';
import { groupWindow, initialWindow, KEYWORD_CANDIDATES, MAX_GROUP_ROUNDS, NUM_CANDIDATES, WINDOW_GROWTH } from './windows';

/**
 * The candidates of one query, fetched in growing windows. Each side keeps what it has and only asks for more (one
 * round trip per growth, both sides together), so escalating to fill a page costs the new hits only.
 *
 * With collapsing, the vector side pages the kNN by groups: once the 1,000 nearest products are fetched and still
 * hold too few groups (a few styles with hundreds of variants), the next round is the 1,000 nearest products of the
 * groups not seen yet, and so on for up to MAX_GROUP_ROUNDS rounds. Each round depends only on the rounds before it,
 * so every page of a query sees the same rounds. Without keywords, the engine collapses each round itself (its best
 * product per group, in score-then-id order, as collapseGroups would pick), so windows count groups: 65 groups cost
 * one request however many variants they have. With keywords, fusion ranks products, so rounds stay product lists.
 *
 * Products the query starts from (the seed of "more like this") may be left out of the kNN filter and dropped from
 * its hits here instead (`unfiltered`): a filter in the HNSW walk costs more than a few extra hits. Each round then
 * counts the engine's positions (`fetched`) apart from the hits it keeps, and its candidate set is that many
 * positions longer, so it still holds NUM_CANDIDATES products besides the dropped ones.
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
  /** Positions of the engine's list read so far: hits and the dropped products among them (groups, if collapsed). */
  fetched: number;
  /** The engine collapses, and this round's groups are all read. */
  done?: boolean;
  /** Products to drop that this round has not met yet: each may still take a position. */
  unseen: Set<string>;
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
  /** Ids of the restriction's exclusions the kNN leaves in; dropped from its hits here. */
  unfiltered?: readonly string[];
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
  /** The engine collapses the vector side's rounds into groups. */
  private readonly engineGroups: boolean;

  constructor(
    private readonly index: Pick<ProductIndex, 'retrieve'>,
    private readonly plan: CandidatePlan,
  ) {
    this.engineGroups = (plan.collapse ?? false) && plan.keywords === undefined && !plan.unfiltered?.length;
    if (plan.vector) this.rounds = [this.round([])];
    if (plan.keywords !== undefined) this.keyword = { hits: [], exhausted: false };
  }

  /** The vector side has everything there is: its last round ran dry, or its candidate set is used up. */
  get vectorComplete(): boolean {
    const last = this.lastRound();
    return !last || last.exhausted || (this.full(last) && !this.plan.collapse);
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
    const vectorCan = !this.vectorComplete && !(this.full(last!) && this.rounds!.length >= MAX_GROUP_ROUNDS);
    return vectorCan || !this.keywordComplete;
  }

  /**
   * The first window for a page of `page` settled results and stages that need `stages` settled ones. Product windows
   * keep initialWindow's margin over both; groups the engine collapses are exact, so a stage's window of groups (the
   * 50 of diversity's pool) needs only groupWindow's two more, and the page keeps its small margin.
   */
  firstWindow(page: number, stages: number): number {
    return this.engineGroups ? Math.max(initialWindow(page), groupWindow(stages)) : initialWindow(Math.max(page, stages));
  }

  /** Fetches until each side holds `window` hits (per round) or is complete. */
  async fill(window: number): Promise<void> {
    this.window = Math.max(this.window, window);
    let last = this.lastRound();
    if (last && this.full(last) && !this.vectorComplete && this.rounds!.length < MAX_GROUP_ROUNDS) {
      const seen = new Set(this.rounds!.flatMap((r) => [...r.excludeGroups, ...r.hits.map((h) => h.product.groupId)]));
      last = this.round([...seen].sort());
      this.rounds!.push(last);
    }
    const wanted = last && !last.exhausted && !this.full(last) ? Math.min(this.window, NUM_CANDIDATES) - last.hits.length : 0;
    // Each product still to drop may take one of the positions asked for.
    const v = wanted > 0 ? Math.min(wanted + last!.unseen.size, this.positions - last!.fetched) : 0;
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
              from: last!.fetched,
              size: v,
              numCandidates: NUM_CANDIDATES,
              ...(this.plan.unfiltered?.length ? { unfiltered: this.plan.unfiltered } : {}),
              ...(last!.excludeGroups.length > 0 ? { excludeGroups: last!.excludeGroups } : {}),
              ...(this.engineGroups ? { collapse: true } : {}),
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
    if (v > 0) this.appendRound(last!, res.vector ?? [], v, res.vectorCandidates);
    if (k > 0) append(this.keyword!, res.keyword ?? [], k);
  }

  /** The next window when a page is not filled yet. */
  grow(): Promise<void> {
    return this.fill(this.window * WINDOW_GROWTH);
  }

  private lastRound(): VectorRound | undefined {
    return this.rounds?.[this.rounds.length - 1];
  }

  private round(excludeGroups: string[]): VectorRound {
    return { hits: [], exhausted: false, excludeGroups, fetched: 0, unseen: new Set(this.plan.unfiltered) };
  }

  /** The length of a round's candidate list: NUM_CANDIDATES products, plus a position for each one to drop. */
  private get positions(): number {
    return NUM_CANDIDATES + (this.plan.unfiltered?.length ?? 0);
  }

  /** The round has read its whole candidate list. */
  private full(r: VectorRound): boolean {
    return this.engineGroups ? (r.done ?? false) : r.fetched >= this.positions;
  }

  private appendRound(r: VectorRound, hits: Hit[], asked: number, candidates = 0): void {
    if (this.engineGroups) {
      // Fewer groups than asked (or as many as the set has products): the round is read; and if its candidate set
      // held fewer products than it could, there are no others.
      r.fetched += hits.length;
      r.hits.push(...hits);
      if (hits.length < asked || r.fetched >= NUM_CANDIDATES) {
        r.done = true;
        if (candidates < NUM_CANDIDATES) r.exhausted = true;
      }
      return;
    }
    r.fetched += hits.length;
    for (const h of hits) r.unseen.delete(h.product.id);
    const drop = new Set(this.plan.unfiltered);
    append(r, drop.size > 0 ? hits.filter((h) => !drop.has(h.product.id)) : hits, asked, hits.length);
  }
}

/** `returned`: how many the engine gave before any were dropped; fewer than asked means there are no more. */
function append(side: Side, hits: Hit[], asked: number, returned = hits.length): void {
  side.hits.push(...hits);
  if (returned < asked) side.exhausted = true;
}
