/**
 * The fixed windows of the pipeline. Each is a property of the query, never of the page being asked for, so every
 * page of one query is cut from the same ranked list: that is what lets cursors promise no repeats and no skips.
 */

/**
 * The vector side's candidate set: the kNN `num_candidates`, the same for every page and every window, so a smaller
 * window's hits are always a prefix of a larger one's. Facet counts of vector queries count this set.
 */
export const NUM_CANDIDATES = 1000;

/** The keyword side's candidate set: the best BM25 matches, at most this many. */
export const KEYWORD_CANDIDATES = 1000;

/** How deep a list may be paged: `after` + `first` beyond this is a PageDepthExceeded error. */
export const MAX_DEPTH = 1000;

/**
 * Hybrid queries fuse the two sides in tiers of this many ranks each, like Elasticsearch's rrf retriever with
 * rank_window_size: tier 1 fuses ranks 1-50 of both sides, tier 2 ranks 51-100 of what is left, and so on.
 */
export const RRF_WINDOW = 50;

/** The first window fetched: enough for the page plus one (to know whether there is a next page) and a margin. */
export function initialWindow(needed: number): number {
  return Math.ceil(needed * 1.25) + 2;
}

/**
 * A stage's first window of groups the engine collapses: its hits are groups that already passed every filter and
 * exclusion, so it needs only the settled count plus one (the last hit is never settled: an equal score may follow
 * it) plus one more for a tie. Diversity's pool of 50 groups costs 52 groups, not initialWindow's 65.
 */
export function groupWindow(needed: number): number {
  return needed + 2;
}

/** How windows grow when a page is not filled yet (filters, exclusions, collapsing): ×4 up to the candidate set. */
export const WINDOW_GROWTH = 4;

/**
 * Collapsing pages the kNN by groups at most this many times (4 × 1,000 candidates). Each round starts after the
 * groups seen so far, so only groups of hundreds of matching products each need more than one or two rounds. Past
 * the bound, a page may come back short, with `exhaustive: false`.
 */
export const MAX_GROUP_ROUNDS = 4;

/** Round trips one request may spend on growing its windows and paging groups. */
export const MAX_RETRIEVAL_TRIPS = 10;
