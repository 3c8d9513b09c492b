import { ArrayMaxSize, MaxLength } from 'class-validator';
import { Arg, ArgsType, Args, Ctx, Field, ID, Query, Resolver } from 'type-graphql';
import { ProductType } from '../schema/product.type';
import type { RequestContext } from './context';

@ArgsType()
class ProductsArgs {
  @Field(() => [ID]) @ArrayMaxSize(100) @MaxLength(128, { each: true }) ids!: string[];
}

@Resolver(() => ProductType)
export class ProductResolver {
  @Query(() => ProductType, { nullable: true, description: 'One product by id, or null.' })
  async product(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<ProductType | null> {
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
