import { IsIn, Max, Min } from 'class-validator';
import { ArgsType, createUnionType, Field, Int, ObjectType } from 'type-graphql';
import { Relation } from '../catalog/relation';
import { MAX_PAGE_SIZE } from './args';
import { RelationEnum } from './enums';
import { InvalidInput } from './error-results.type';
import { PageInfo, ProductType, RelatedProductType } from './product.type';

/** Duplicates and variants: clusters of the catalog and products related to a given one. */

@ObjectType({ description: 'Products that are duplicates (or variants) of each other, directly or through one another.' })
export class DuplicateCluster {
  @Field(() => ProductType, { description: 'The member most similar to all the others.' }) representative!: ProductType;
  @Field(() => [RelatedProductType], {
    description:
      'Every other member with its relation to the representative, most similar first. A member that joined through ' +
      'another member can be less related to the representative than minRelation.',
  })
  members!: RelatedProductType[];
  @Field(() => Int, { description: 'Members including the representative.' }) size!: number;
}

@ObjectType({ description: 'One page of the catalog\'s duplicate (or variant) clusters.' })
export class DuplicateClusters {
  @Field(() => [DuplicateCluster], { description: 'This page of clusters.' }) clusters!: DuplicateCluster[];
  @Field(() => Int, { description: 'Clusters in the whole catalog at this level.' }) totalCount!: number;
  @Field(() => PageInfo, { description: 'Whether another page follows, and the cursor to it.' }) pageInfo!: PageInfo;
  @Field(() => String, { description: 'Catalog generation the clusters were computed on; any write changes it.' }) generation!: string;
}

@ArgsType()
export class DuplicateClustersArgs {
  @Field(() => RelationEnum, { defaultValue: Relation.DUPLICATE, description: 'DUPLICATE (same image) or VARIANT (also colour/pattern variants, other shots).' })
  @IsIn([Relation.DUPLICATE, Relation.VARIANT])
  minRelation: Relation = Relation.DUPLICATE;

  @Field(() => Int, { defaultValue: 20, description: `At most ${MAX_PAGE_SIZE}.` })
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  first: number = 20;

  @Field(() => String, { nullable: true, description: 'endCursor of the previous page.' })
  after?: string;
}

export const DuplicateClustersResult = createUnionType({
  name: 'DuplicateClustersResult',
  description: 'A page of clusters, or InvalidInput (`after` is not a cursor of duplicateClusters, or minRelation is SIMILAR).',
  types: () => [DuplicateClusters, InvalidInput] as const,
  resolveType: (value: object) => value.constructor as never,
});
