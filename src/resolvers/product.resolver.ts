import { Args, Ctx, Query, Resolver } from 'type-graphql';
import type { SearchService } from '../search/search.service';
import { BrowseProductsArgs, ProductArgs, ProductsArgs } from '../schema/args';
import { FACET_FIELD_NAMES, PRODUCT_SORTS } from '../schema/product-fields.graphql';
import { ProductList, ProductType } from '../schema/product.type';
import { BrowseProductsResult } from '../schema/results.union';
import type { RequestContext } from './context';
import { pageCost } from './cost';
import { orErrorResult } from './error-mapping';

@Resolver(() => ProductType)
export class ProductResolver {
  constructor(private readonly search: SearchService) {}

  @Query(() => ProductType, { nullable: true, description: 'One product by id, or null.' })
  async product(@Args(() => ProductArgs) { id }: ProductArgs, @Ctx() ctx: RequestContext): Promise<ProductType | null> {
    const p = await ctx.loaders.product.load(id);
    return p ? ProductType.from(p) : null;
  }

  @Query(() => [ProductType], {
    nullable: 'items',
    description: 'Products by id, in the order asked, with null for unknown ids (at most 100).',
    complexity: ({ args, childComplexity }) => (args.ids?.length ?? 1) * childComplexity,
  })
  async products(@Args(() => ProductsArgs) { ids }: ProductsArgs, @Ctx() ctx: RequestContext): Promise<(ProductType | null)[]> {
    const found = await ctx.loaders.product.loadMany(ids);
    return found.map((p) => {
      if (p instanceof Error) throw p;
      return p ? ProductType.from(p) : null;
    });
  }

  @Query(() => BrowseProductsResult, {
    description:
      "The catalog a page at a time, under filters, in a field's order, with the total count. Pages continue after " +
      'the last product served (no depth limit); after a write, products written before that point are not seen again.',
    complexity: pageCost(1),
  })
  async browseProducts(@Args(() => BrowseProductsArgs) { filters, first, after, sort, facets }: BrowseProductsArgs): Promise<typeof BrowseProductsResult> {
    return orErrorResult(async () =>
      ProductList.from(await this.search.browse({ filter: filters ?? undefined, sort: PRODUCT_SORTS[sort]!, first, after: after ?? undefined, facets: facets?.map((f) => FACET_FIELD_NAMES[f]!) })),
    ) as Promise<typeof BrowseProductsResult>;
  }
}
