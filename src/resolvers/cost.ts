import { MAX_PAGE_SIZE } from '../schema/args';

/**
 * Query cost model for the complexity limit. Model inference dominates: an image encode is priced like reading a
 * few dozen hits. A full bulk ingest (100 images) must stay under the default limit (GRAPHQL_MAX_COST = 5000).
 */
export const TEXT_EMBED_COST = 10;
export const IMAGE_EMBED_COST = 40;

/** Out-of-range page sizes are priced at the cap so argument validation, not the cost limit, names the problem. */
export const pageCost =
  (base: number) =>
  ({ args, childComplexity }: { args: { first?: number }; childComplexity: number }) =>
    base + Math.min(args.first ?? 10, MAX_PAGE_SIZE) * childComplexity;
