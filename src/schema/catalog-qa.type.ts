import { Max, MaxLength, Min } from 'class-validator';
import { ArgsType, createUnionType, Field, Float, Int, ObjectType } from 'type-graphql';
import { InvalidInput } from './error-results.type';
import { ProductType } from './product.type';

/** Catalog QA: products whose stated attributes their images contradict (zero-shot tagging). */

@ArgsType()
export class AttributeConflictsArgs {
  @Field(() => String, { description: 'The label set to check, e.g. color, category, pattern (names from the label file).' })
  @MaxLength(40)
  name!: string;

  @Field(() => Float, {
    defaultValue: 0.5,
    description:
      'Only conflicts at least this confident (0-1). Confidence is the probability that the stated value is wrong, ' +
      'calibrated per label set (npm run calibrate-conflicts): 0.5 means more likely wrong than right; higher trades ' +
      'recall for precision.',
  })
  @Min(0)
  @Max(1)
  minConfidence: number = 0.5;

  @Field(() => Int, { defaultValue: 20, description: 'At most 100.' })
  @Min(1)
  @Max(100)
  first: number = 20;

  @Field(() => String, { nullable: true, description: 'endCursor of the previous page.' })
  @MaxLength(400)
  after?: string;
}

@ObjectType({ description: "A product whose stated attribute its image contradicts." })
export class AttributeConflict {
  @Field(() => ProductType, { description: 'The product whose image contradicts it.' }) product!: ProductType;
  @Field(() => String, { description: 'The label set.' }) name!: string;
  @Field(() => String, { description: "The catalog's value, as the label set spells it." }) stated!: string;
  @Field(() => String, { description: 'The label the image matches best.' }) predicted!: string;
  @Field(() => Float, { description: 'The probability that the stated value is wrong (see minConfidence).' })
  confidence!: number;
  @Field(() => String, { description: 'Pass as `after` to continue right after this item.' }) cursor!: string;
}

@ObjectType({ description: 'One page of attribute conflicts.' })
export class AttributeConflictPage {
  @Field(() => [AttributeConflict], { description: 'Most confident first, then by product id.' }) items!: AttributeConflict[];
  @Field(() => Int, { description: 'Every product with such a conflict.' }) totalCount!: number;
  @Field(() => Boolean, { description: 'True when another page follows: pass endCursor as `after` to get it.' }) hasNextPage!: boolean;
  @Field(() => String, { nullable: true, description: 'The last item\'s cursor (null when the page is empty).' }) endCursor?: string;
}

export const AttributeConflictsResult = createUnionType({
  name: 'AttributeConflictsResult',
  description: 'A page of attribute conflicts, or InvalidInput (`after` is not a cursor of attributeConflicts).',
  types: () => [AttributeConflictPage, InvalidInput] as const,
  resolveType: (value: object) => value.constructor as never,
});
