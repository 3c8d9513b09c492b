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
/** Diversity reads the image vectors of the best 50 results and compares them pairwise. */
export const DIVERSITY_COST = 10;
/** Boosts re-rank the best 100 candidates; pins are one more kNN; autocut needs the best 50. */
export const RULES_COST = 10;
export const AUTOCUT_COST = 5;

interface CostArgs {
  first?: number;
  after?: string | null;
  facets?: readonly unknown[] | null;
  diversity?: number | null;
  autocut?: number | null;
  rules?: { boosts?: readonly unknown[] | null; pins?: readonly unknown[] | null } | null;
}

/** Out-of-range page sizes are priced at the cap so argument validation, not the cost limit, names the problem. */
export const pageCost =
  (base: number) =>
  ({ args, childComplexity }: { args: CostArgs; childComplexity: number }) =>
    base +
    (args.after ? CONTINUATION_COST : 0) +
    FACET_COST * Math.min(args.facets?.length ?? 0, MAX_FACETS) +
    (args.diversity ? DIVERSITY_COST : 0) +
    (args.rules?.boosts?.length || args.rules?.pins?.length ? RULES_COST : 0) +
    (args.autocut ? AUTOCUT_COST : 0) +
    Math.min(args.first ?? 10, MAX_PAGE_SIZE) * childComplexity;

/** discover pays for the embeddings its input asks for: the photo, the text and the modifier. */
export const discoverCost = (o: {
  args: CostArgs & { input?: { image?: unknown; text?: string | null; modifier?: string | null } };
  childComplexity: number;
}) => {
  const i = o.args.input ?? {};
  const embeds = (i.image ? IMAGE_EMBED_COST : 0) + (i.text ? TEXT_EMBED_COST : 0) + (i.modifier ? TEXT_EMBED_COST : 0);
  return pageCost(Math.max(1, embeds))(o);
};
