import { MAX_FACETS, MAX_PAGE_SIZE } from '../schema/args';

/**
 * Query cost model for the complexity limit. Model inference dominates: an image encode is priced like reading a
 * few dozen hits. A full bulk ingest (100 images) must stay under the default limit (GRAPHQL_MAX_COST = 5000).
 */
export const TEXT_EMBED_COST = 10;
export const IMAGE_EMBED_COST = 40;
/**
 * A page after the first (`after`) may need a deeper retrieval window than page one: up to the 1,000-deep candidate
 * set, fetched once per request.
 */
export const CONTINUATION_COST = 20;

/** Each facet field may be one more kNN over the candidate set (its own filter removed) with an aggregation. */
export const FACET_COST = 10;

interface CostArgs {
  first?: number;
  after?: string | null;
  facets?: readonly unknown[] | null;
}

/** Out-of-range page sizes are priced at the cap so argument validation, not the cost limit, names the problem. */
export const pageCost =
  (base: number) =>
  ({ args, childComplexity }: { args: CostArgs; childComplexity: number }) =>
    base +
    (args.after ? CONTINUATION_COST : 0) +
    FACET_COST * Math.min(args.facets?.length ?? 0, MAX_FACETS) +
    Math.min(args.first ?? 10, MAX_PAGE_SIZE) * childComplexity;
