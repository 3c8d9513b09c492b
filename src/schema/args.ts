import { ArrayMaxSize, ArrayMinSize, Max, MaxLength, Min, MinLength, ValidateNested } from 'class-validator';
import { ArgsType, Field, ID, Int } from 'type-graphql';
import { SearchMode } from './enums';
import { ImageInput, ProductFilterInput } from './inputs';

export const MAX_PAGE_SIZE = 100;

@ArgsType()
export class PageArgs {
  @Field(() => Int, { defaultValue: 10, description: `At most ${MAX_PAGE_SIZE}.` })
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  first: number = 10;

  @Field(() => ProductFilterInput, { nullable: true })
  @ValidateNested()
  filters?: ProductFilterInput;
}

@ArgsType()
export class SimilarProductsArgs extends PageArgs {
  @Field(() => ID) @MinLength(1) @MaxLength(128) id!: string;
}

@ArgsType()
export class SearchByTextArgs extends PageArgs {
  @Field(() => String) @MinLength(1) @MaxLength(512) q!: string;
  @Field(() => SearchMode, { defaultValue: SearchMode.HYBRID }) mode: SearchMode = SearchMode.HYBRID;
}

@ArgsType()
export class SearchByImageArgs extends PageArgs {
  @Field(() => ImageInput) @ValidateNested() image!: ImageInput;
}

@ArgsType()
export class RecommendationsArgs extends PageArgs {
  @Field(() => [ID], { description: 'Products the shopper viewed or liked (1-50).' })
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @MaxLength(128, { each: true })
  productIds!: string[];

  @Field(() => [ID], { nullable: true, description: 'Products to steer away from (0-50).' })
  @ArrayMaxSize(50)
  @MaxLength(128, { each: true })
  negativeIds?: string[];
}
