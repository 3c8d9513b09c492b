import type { StoredRule } from '../../catalog/merchandising';
import type { ScoredProduct } from '../../catalog/product';
import type { ProductIndex, Restriction } from '../../catalog/product-index';
import type { SearchRequest } from '../../catalog/search-request';
import type { SearchResult } from '../../catalog/search-result';
import { CursorProblem, InvalidCursorError, PageDepthExceededError } from '../../common/errors';
import { checkRuleSet } from '../rules/check';
import { normaliseQuery, resolveRules, type ResolvedRules } from '../rules/resolve';
import { decodeCursor, encodeCursor, fingerprint, type SearchCursor } from './cursor';
import { orderFacets, planFacets, type FacetRanges } from './facets';
import { cutPage, itemsNeeded } from './page';
import { buildQueryVector, type QueryVector, type VectorSources } from './query-vector';
import type { Candidate } from './ranked';
import { Candidates } from './retrieval';
import { explainHit, explainRules } from './explain';
import { labelRelations } from './relations';
import { rankCandidates, windowNeeded, type RankingPlan } from './stages';
import { MAX_DEPTH, MAX_RETRIEVAL_TRIPS, RRF_WINDOW } from './windows';

/**
 * The one search path: build the query vector → retrieve candidates (kNN with the filters, exclusions and hidden
 * products inside, plus BM25 when there are keywords) in growing windows → the ranking stages (stages.ts: fuse,
 * boosts, collapse, autocut, diversity, pins) → page → facets. Every query operation is a SearchRequest run through
 * here.
 *
 * Every stage reports how much of its output is settled (cannot change however far retrieval goes); retrieval grows
 * until the page (plus one, to know whether a next page exists) is settled or the candidates run out. Pages of one
 * query are therefore cut from the same list, whatever window each page needed.
 */

export interface PipelineDeps extends VectorSources {
  index: Pick<ProductIndex, 'getQuerySeeds' | 'getDocuments' | 'retrieve' | 'groupSizes'>;
  options: SearchOptions;
  /** The stored merchandising rules (cached by their service). */
  rules?: { all(): Promise<readonly StoredRule[]> };
}

export interface SearchOptions {
  /** Bucket bounds of range facets (PRICE_RANGE). */
  facetRanges: FacetRanges;
  /** A text modifier's weight when the request gives none (SEARCH_MODIFIER_WEIGHT). */
  modifierWeight?: number;
}

export async function runSearch(deps: PipelineDeps, req: SearchRequest, signal?: AbortSignal): Promise<SearchResult> {
  const cursor = req.after != null ? decodeCursor(req.after, 'search') : undefined;
  const offset = cursor?.offset ?? 0;
  if (offset + req.first > MAX_DEPTH) throw new PageDepthExceededError(MAX_DEPTH, offset + req.first);
  if (req.rules) checkRuleSet(req.rules);

  req = { ...req, modifierWeight: req.modifierWeight ?? deps.options.modifierWeight };
  const query = await buildQueryVector(deps, req, signal);
  const queryPrint = fingerprint(rankingKey(req, query));
  if (cursor && cursor.query !== queryPrint) throw new InvalidCursorError(CursorProblem.OTHER_QUERY);
  const rules = await applicableRules(deps, req, query);
  const plan: RankingPlan = {
    rules,
    now: cursor?.at ?? Date.now(),
    collapse: req.collapse ?? false,
    autocut: req.autocut,
    diversity: req.diversity ?? 0,
  };
  const empty = (): SearchResult => ({
    hits: [],
    pageInfo: { hasNextPage: false },
    exhaustive: true,
    unknownIds: query.unknownIds,
    facets: orderFacets(req.facets, candidates?.facets),
  });
  const keywords = req.keywords;
  let candidates: Candidates | undefined;
  if (keywords === undefined && !query.vector) return empty();

  const restriction = { filter: req.filter, excludeIds: unique([...query.excludeIds, ...(req.excludeIds ?? []), ...rules.hides.keys()]) };
  candidates = new Candidates(deps.index, {
    restriction,
    vector: query.vector,
    keywords,
    facets: planFacets(req.facets, restriction, deps.options.facetRanges),
    collapse: req.collapse,
    minSimilarity: req.minSimilarity,
    withVectors: plan.diversity > 0,
    pinned: rules.pins.map((p) => p.id),
    unfiltered: unfilteredIds(req, query, rules),
  });
  const needed = itemsNeeded(offset, req.first);
  const hybrid = candidates.rounds !== undefined && candidates.keyword !== undefined;
  await candidates.fill(candidates.firstWindow(needed, Math.max(windowNeeded(plan), hybrid ? RRF_WINDOW : 0)));
  let ranked = rankCandidates(candidates, plan);
  while (ranked.settled < needed && !ranked.complete && candidates.canGrow && candidates.trips < MAX_RETRIEVAL_TRIPS) {
    await candidates.grow();
    ranked = rankCandidates(candidates, plan);
  }
  if (!candidates.generation) return empty();
  const generation = fingerprint(candidates.generation);
  if (cursor && cursor.generation !== generation) throw new InvalidCursorError(CursorProblem.STALE_INDEX);

  const page = cutPage(ranked, offset, Math.min(req.first, MAX_DEPTH - offset), cursor?.anchor);
  const hits = page.items.map((c) => toScoredProduct(c, req.explain ?? false));
  // Independent of each other: one round trip's wait, not two.
  await Promise.all([
    req.relations !== false ? labelRelations(deps.index, deps.embedder.relationThresholds, query, page.items, hits) : undefined,
    req.collapse ? countGroups(deps.index, hits, restriction) : undefined,
  ]);
  const last = page.items[page.items.length - 1];
  const next: SearchCursor | undefined = last && {
    kind: 'search',
    query: queryPrint,
    generation,
    offset: page.end,
    anchor: last.product.id,
    at: plan.now,
  };
  return {
    hits,
    pageInfo: { hasNextPage: page.hasNextPage && page.end < MAX_DEPTH, endCursor: next && encodeCursor(next) },
    exhaustive: ranked.settled >= needed || ranked.complete,
    unknownIds: query.unknownIds,
    facets: orderFacets(req.facets, candidates.facets),
    ...(req.explain ? { explanation: explainRules(rules) } : {}),
  };
}

/** The request's own rules and the stored rules whose context matches it, resolved into one decision. */
async function applicableRules(deps: PipelineDeps, req: SearchRequest, q: QueryVector): Promise<ResolvedRules> {
  const stored = req.useStoredRules === false || !deps.rules ? [] : await deps.rules.all();
  const text = req.text ?? req.keywords;
  const categories = unique([...(req.filter?.categories ?? []), ...q.categories]);
  return resolveRules(req.rules, stored, { categories, query: text !== undefined ? normaliseQuery(text) : undefined });
}

/**
 * The products the query starts from (the seed, positives, negatives) are dropped from the kNN's hits instead of
 * filtered out of its walk, which is cheaper (bench: the "more like this" widget). Only a few, and not with
 * collapsing, whose group rounds keep their windows of exactly 1,000 products. Decided from what
 * the ranking key holds, so every page of a query retrieves the same way.
 */
function unfilteredIds(req: SearchRequest, q: QueryVector, rules: ResolvedRules): string[] {
  if (req.collapse || q.excludeIds.length > MAX_UNFILTERED) return [];
  const filtered = new Set([...(req.excludeIds ?? []), ...rules.hides.keys()]);
  return q.excludeIds.filter((id) => !filtered.has(id));
}

const MAX_UNFILTERED = 8;

/** What decides the ranked list: every part of the request except the page (first, after). */
function rankingKey(req: SearchRequest, q: QueryVector): unknown {
  return {
    image: q.imageSha256,
    text: req.text,
    seedId: req.seedId,
    positiveIds: req.positiveIds,
    negativeIds: req.negativeIds,
    modifier: req.modifier,
    modifierWeight: req.modifier !== undefined ? req.modifierWeight : undefined,
    keywords: req.keywords,
    filter: req.filter,
    excludeIds: req.excludeIds,
    collapse: req.collapse || undefined,
    diversity: req.diversity || undefined,
    minSimilarity: req.minSimilarity,
    autocut: req.autocut || undefined,
    rules: req.rules,
    useStoredRules: req.useStoredRules === false ? false : undefined,
  };
}

async function countGroups(index: PipelineDeps['index'], hits: ScoredProduct[], restriction: Restriction): Promise<void> {
  const sizes = await index.groupSizes(unique(hits.map((h) => h.product.groupId)), restriction);
  for (const h of hits) h.groupSize = sizes.get(h.product.groupId) ?? 1;
}

function toScoredProduct(c: Candidate, explain: boolean): ScoredProduct {
  const hit: ScoredProduct = { product: c.product, score: c.score, similarity: c.vector?.similarity };
  if (c.vector?.matchedImage) hit.matchedImage = c.vector.matchedImage;
  if (explain) hit.explain = explainHit(c);
  return hit;
}

function unique(ids: readonly string[]): string[] {
  return [...new Set(ids)];
}
