import type { GraphQLResolveInfo } from 'graphql';
import { Args, Ctx, Info, Query, Resolver } from 'type-graphql';
import type { Page, SearchService } from '../search/search.service';
import { DiscoverArgs, RecommendationsArgs, SearchByImageArgs, SearchByTextArgs, SimilarProductsArgs, type SearchPageArgs } from '../schema/args';
import { SearchMode } from '../schema/enums';
import { toRuleSet } from '../schema/merchandising.type';
import { FACET_FIELD_NAMES } from '../schema/product-fields.graphql';
import { DiscoverHits, ProductHits, RecommendationsType } from '../schema/product.type';
import { DiscoverResult, SearchByImageResult, SimilarProductsResult } from '../schema/results.union';
import type { RequestContext } from './context';
import { discoverCost, IMAGE_EMBED_COST, pageCost, TEXT_EMBED_COST } from './cost';
import { orBadUserInput, orErrorResult } from './error-mapping';
import { selects } from './selection';

@Resolver()
export class SearchResolver {
  constructor(private readonly search: SearchService) {}

  @Query(() => SimilarProductsResult, {
    description: 'Nearest products to a product\'s image ("more like this"). The product itself is excluded.',
    complexity: pageCost(1),
  })
  async similarProducts(
    @Args(() => SimilarProductsArgs) { id, ...page }: SimilarProductsArgs,
    @Ctx() { signal }: RequestContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<typeof SimilarProductsResult> {
    return orErrorResult(async () =>
      ProductHits.from(await this.search.similarProducts(id, toPage(page, info), signal)),
    ) as Promise<typeof SimilarProductsResult>;
  }

  @Query(() => ProductHits, {
    description:
      'Text search over product images (SigLIP) fused with keyword search on title and description. A bad `after` ' +
      'or a page too deep is a BAD_USER_INPUT error whose extensions carry the errorCode.',
    complexity: pageCost(TEXT_EMBED_COST),
  })
  async searchByText(
    @Args(() => SearchByTextArgs) { q, mode, ...page }: SearchByTextArgs,
    @Ctx() { signal }: RequestContext,
  ): Promise<ProductHits> {
    return orBadUserInput(async () =>
      ProductHits.from(await this.search.searchByText(q, mode ?? SearchMode.HYBRID, toPage(page), signal)),
    );
  }

  @Query(() => SearchByImageResult, {
    description: 'Visual search: products whose images look like the given photo.',
    complexity: pageCost(IMAGE_EMBED_COST),
  })
  async searchByImage(
    @Args(() => SearchByImageArgs) { image, ...page }: SearchByImageArgs,
    @Ctx() { signal }: RequestContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<typeof SearchByImageResult> {
    return orErrorResult(async () =>
      ProductHits.from(await this.search.searchByImage(image, toPage(page, info), signal)),
    ) as Promise<typeof SearchByImageResult>;
  }

  @Query(() => RecommendationsType, {
    description:
      'Storefront widget ("because you viewed…"): products like the given ones and unlike the negatives. A bad ' +
      '`after` or a page too deep is a BAD_USER_INPUT error whose extensions carry the errorCode.',
    complexity: pageCost(1),
  })
  async recommendations(
    @Args(() => RecommendationsArgs) { productIds, negativeIds, ...page }: RecommendationsArgs,
    @Ctx() { signal }: RequestContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<RecommendationsType> {
    return orBadUserInput(async () =>
      RecommendationsType.from(await this.search.recommendations(productIds, negativeIds ?? [], toPage(page, info), signal)),
    );
  }

  @Query(() => DiscoverResult, {
    description:
      'The one composable query: any combination of a photo, a text, a text modifier, keywords, products to steer ' +
      'towards and away from, with every filter and ranking control of the other lists. similarProducts, ' +
      'searchByText, searchByImage and recommendations are shorthands for it.',
    complexity: discoverCost,
  })
  async discover(
    @Args(() => DiscoverArgs) { input, ...page }: DiscoverArgs,
    @Ctx() { signal }: RequestContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<typeof DiscoverResult> {
    return orErrorResult(async () =>
      DiscoverHits.from(
        await this.search.discover(
          {
            ...toPage(page, info),
            image: input.image ?? undefined,
            text: input.text ?? undefined,
            keywords: input.keywords ?? undefined,
            modifier: input.modifier ?? undefined,
            modifierWeight: input.modifierWeight ?? undefined,
            positiveIds: input.positiveIds ?? undefined,
            negativeIds: input.negativeIds ?? undefined,
          },
          signal,
        ),
      ),
    ) as Promise<typeof DiscoverResult>;
  }
}

/**
 * The page controls every list takes, from GraphQL to the service's terms. With `info`, hits are labelled with their
 * relation only when the query selects it (the label may cost an Elasticsearch round trip).
 */
export function toPage(a: SearchPageArgs, info?: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>): Page {
  return {
    ...(info && !selects(info, 'relation') ? { relations: false } : {}),
    first: a.first,
    after: a.after ?? undefined,
    filter: a.filters ?? undefined,
    facets: a.facets?.map((f) => FACET_FIELD_NAMES[f]!),
    collapse: a.collapse,
    diversity: a.diversity ?? undefined,
    minSimilarity: a.minSimilarity ?? undefined,
    autocut: a.autocut ?? undefined,
    rules: toRuleSet(a.rules),
    useStoredRules: a.useStoredRules,
    explain: a.explain,
  };
}
