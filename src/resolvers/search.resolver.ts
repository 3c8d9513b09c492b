import { Args, Ctx, Query, Resolver } from 'type-graphql';
import type { SearchService } from '../search/search.service';
import { RecommendationsArgs, SearchByImageArgs, SearchByTextArgs, SimilarProductsArgs } from '../schema/args';
import { SearchMode } from '../schema/enums';
import { ProductHits, RecommendationsType } from '../schema/product.type';
import { SearchByImageResult, SimilarProductsResult } from '../schema/results.union';
import type { RequestContext } from './context';
import { IMAGE_EMBED_COST, pageCost, TEXT_EMBED_COST } from './cost';
import { orBadUserInput, orErrorResult } from './error-mapping';

@Resolver()
export class SearchResolver {
  constructor(private readonly search: SearchService) {}

  @Query(() => SimilarProductsResult, {
    description: 'Nearest products to a product\'s image ("more like this"). The product itself is excluded.',
    complexity: pageCost(1),
  })
  async similarProducts(
    @Args(() => SimilarProductsArgs) { id, first, after, filters }: SimilarProductsArgs,
    @Ctx() { signal }: RequestContext,
  ): Promise<typeof SimilarProductsResult> {
    return orErrorResult(async () =>
      ProductHits.from(await this.search.similarProducts(id, { first, after, filter: filters }, signal)),
    ) as Promise<typeof SimilarProductsResult>;
  }

  @Query(() => ProductHits, {
    description:
      'Text search over product images (SigLIP) fused with keyword search on title and description. A bad `after` ' +
      'or a page too deep is a BAD_USER_INPUT error whose extensions carry the errorCode.',
    complexity: pageCost(TEXT_EMBED_COST),
  })
  async searchByText(
    @Args(() => SearchByTextArgs) { q, mode, first, after, filters }: SearchByTextArgs,
    @Ctx() { signal }: RequestContext,
  ): Promise<ProductHits> {
    return orBadUserInput(async () =>
      ProductHits.from(await this.search.searchByText(q, mode ?? SearchMode.HYBRID, { first, after, filter: filters }, signal)),
    );
  }

  @Query(() => SearchByImageResult, {
    description: 'Visual search: products whose images look like the given photo.',
    complexity: pageCost(IMAGE_EMBED_COST),
  })
  async searchByImage(
    @Args(() => SearchByImageArgs) { image, first, after, filters }: SearchByImageArgs,
    @Ctx() { signal }: RequestContext,
  ): Promise<typeof SearchByImageResult> {
    return orErrorResult(async () =>
      ProductHits.from(await this.search.searchByImage(image, { first, after, filter: filters }, signal)),
    ) as Promise<typeof SearchByImageResult>;
  }

  @Query(() => RecommendationsType, {
    description:
      'Storefront widget ("because you viewed…"): products like the given ones and unlike the negatives. A bad ' +
      '`after` or a page too deep is a BAD_USER_INPUT error whose extensions carry the errorCode.',
    complexity: pageCost(1),
  })
  async recommendations(
    @Args(() => RecommendationsArgs) { productIds, negativeIds, first, after, filters }: RecommendationsArgs,
    @Ctx() { signal }: RequestContext,
  ): Promise<RecommendationsType> {
    return orBadUserInput(async () =>
      RecommendationsType.from(await this.search.recommendations(productIds, negativeIds ?? [], { first, after, filter: filters }, signal)),
    );
  }
}
