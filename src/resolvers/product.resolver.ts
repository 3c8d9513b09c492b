import { Args, Ctx, Query, Resolver } from 'type-graphql';
import { ProductArgs, ProductsArgs } from '../schema/args';
import { ProductType } from '../schema/product.type';
import type { RequestContext } from './context';

@Resolver(() => ProductType)
export class ProductResolver {
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
}
