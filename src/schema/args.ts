import { ArrayMaxSize, ArrayMinSize, IsOptional, Max, MaxLength, Min, MinLength, ValidateNested } from 'class-validator';
import { ArgsType, Field, Float, ID, Int } from 'type-graphql';
import { MAX_CURSOR_LENGTH } from '../catalog/search-request';
import { MAX_ID_LENGTH } from '../catalog/product-fields';
import { SearchMode } from './enums';
import { DiscoverInput, ImageInput, ProductFilterInput, ProductInputType } from './inputs';
import { MerchandisingRuleInput, MerchandisingRulesInput } from './merchandising.type';
import { FacetField, ProductSort } from './product-fields.graphql';

/** Every operation's arguments, with their bounds, so every entry point gets the same limits. */

export const MAX_PAGE_SIZE = 100;
export const MAX_BULK_INGEST = 100;
export const MAX_FACETS = 10;

@ArgsType()
export class ProductArgs {
  @Field(() => ID, { description: 'The catalog id.' }) id!: string;
}

@ArgsType()
export class ProductsArgs {
  @Field(() => [ID], { description: 'Catalog ids (at most 100); duplicates are answered twice.' }) @ArrayMaxSize(100) @MaxLength(MAX_ID_LENGTH, { each: true }) ids!: string[];
}

@ArgsType()
export class PageArgs {
  @Field(() => Int, { defaultValue: 10, description: `Page size, at most ${MAX_PAGE_SIZE}.` })
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  first: number = 10;

  @Field(() => String, {
    nullable: true,
    description:
      'pageInfo.endCursor of the previous page. Pages never repeat or skip a product while the catalog is unchanged. ' +
      'After a write between pages, the next page continues right after the last product served (a product inserted ' +
      'above it is not served twice); if that product was deleted or no longer matches, at the same position, so one ' +
      'product may be skipped or repeated. A cursor of another query, an edited one, or one from before a reindex is ' +
      'InvalidCursor. Ranked lists page at most 1,000 deep (PageDepthExceeded); browseProducts has no depth limit.',
  })
  @MaxLength(MAX_CURSOR_LENGTH)
  after?: string;

  @Field(() => ProductFilterInput, {
    nullable: true,
    description: 'Only products that pass every filter; vector search applies them inside the kNN, so pages stay full.',
  })
  @ValidateNested()
  filters?: ProductFilterInput;

  @Field(() => [FacetField], {
    nullable: true,
    description: `Fields to count values of (at most ${MAX_FACETS}); see \`facets\` on the result for what is counted.`,
  })
  @ArrayMaxSize(MAX_FACETS)
  facets?: FacetField[];
}

/** The controls of ranked lists (not of browsing). */
@ArgsType()
export class SearchPageArgs extends PageArgs {
  @Field(() => Boolean, {
    defaultValue: false,
    description:
      'One product per group (groupId): the best-ranked of each, with `groupSize`. `first` counts groups, and is filled ' +
      'whenever that many groups match.',
  })
  collapse: boolean = false;

  @Field(() => Float, {
    nullable: true,
    description:
      '0 to 1: trade relevance for variety among the best 50 results (maximal marginal relevance over their image ' +
      'vectors), so a strip is not eight copies of one product. 0 (or absent) ranks by relevance alone.',
  })
  @IsOptional()
  @Min(0)
  @Max(1)
  diversity?: number;

  @Field(() => Float, {
    nullable: true,
    description: 'Hard floor on cosine similarity (-1 to 1): vector matches below it are left out (keyword matches are kept).',
  })
  @IsOptional()
  @Min(-1)
  @Max(1)
  minSimilarity?: number;

  @Field(() => Int, {
    nullable: true,
    description:
      'Cut the list before its N-th jump in relevance (1 to 10), as Weaviate does: over the best 50 results, the ' +
      'score curve is compared with the straight line from the first to the last, and each local peak of the ' +
      'difference is a jump. No jump, no cut; pins are never cut.',
  })
  @IsOptional()
  @Min(1)
  @Max(10)
  autocut?: number;

  @Field(() => MerchandisingRulesInput, {
    nullable: true,
    description:
      "This request's own boosts, pins and hides. They come before stored rules where the two contradict; a hidden " +
      'product is never shown, even where a rule pins it.',
  })
  @ValidateNested()
  rules?: MerchandisingRulesInput;

  @Field(() => Boolean, { defaultValue: true, description: 'Apply the stored rules whose context matches this request.' })
  useStoredRules: boolean = true;

  @Field(() => Boolean, {
    defaultValue: false,
    description: "Fill each hit's `explain` and the list's `explanation`. Never changes the ranking (or the cursors).",
  })
  explain: boolean = false;
}

@ArgsType()
export class BrowseProductsArgs extends PageArgs {
  @Field(() => ProductSort, { defaultValue: 'ID_ASC', description: 'The order to list the catalog in.' }) sort: ProductSort = 'ID_ASC';
}

@ArgsType()
export class SimilarProductsArgs extends SearchPageArgs {
  @Field(() => ID, { description: 'The product to find others like (never returned itself).' }) @MinLength(1) @MaxLength(MAX_ID_LENGTH) id!: string;
}

@ArgsType()
export class SearchByTextArgs extends SearchPageArgs {
  @Field(() => String, { description: 'What the shopper typed (1-512 characters).' }) @MinLength(1) @MaxLength(512) q!: string;
  @Field(() => SearchMode, { defaultValue: SearchMode.HYBRID, description: 'Vector, keyword, or both fused (the default).' })
  mode: SearchMode = SearchMode.HYBRID;
}

@ArgsType()
export class SearchByImageArgs extends SearchPageArgs {
  @Field(() => ImageInput, { description: 'The photo to find products like.' }) @ValidateNested() image!: ImageInput;
}

@ArgsType()
export class RecommendationsArgs extends SearchPageArgs {
  @Field(() => [ID], { description: 'Products the shopper viewed or liked (1-50).' })
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @MaxLength(MAX_ID_LENGTH, { each: true })
  productIds!: string[];

  @Field(() => [ID], { nullable: true, description: 'Products to steer away from (0-50).' })
  @ArrayMaxSize(50)
  @MaxLength(MAX_ID_LENGTH, { each: true })
  negativeIds?: string[];
}

@ArgsType()
export class DiscoverArgs extends SearchPageArgs {
  @Field(() => DiscoverInput, { description: 'What to search from; the other arguments are the controls every list takes.' })
  @ValidateNested()
  input!: DiscoverInput;
}

const WRITE_REFRESH =
  'Read-your-writes: answer only once searches (similarProducts, searchByText, ...) see the written products, by ' +
  'waiting for the next index refresh (up to about 1 s) once for the whole call. Off by default, so bulk loads never ' +
  'wait per batch; product(id) reads a write at once either way.';

@ArgsType()
export class IngestProductArgs {
  @Field(() => ProductInputType, { description: 'The product; ingesting an id again replaces it (or is UNCHANGED).' }) @ValidateNested() input!: ProductInputType;

  @Field(() => Boolean, { defaultValue: false, description: WRITE_REFRESH })
  refresh: boolean = false;
}

@ArgsType()
export class IngestProductsArgs {
  @Field(() => [ProductInputType], { description: `1-${MAX_BULK_INGEST} products.` })
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_BULK_INGEST)
  @ValidateNested({ each: true })
  inputs!: ProductInputType[];

  @Field(() => Boolean, { defaultValue: false, description: WRITE_REFRESH })
  refresh: boolean = false;
}

@ArgsType()
export class DeleteProductArgs {
  // No length bound: an id no ingest could have stored is simply not found.
  @Field(() => ID, { description: 'The product to delete.' }) id!: string;

  @Field(() => Boolean, {
    defaultValue: false,
    description:
      'Read-your-writes: answer only once searches no longer return the product (waits for the next index refresh, ' +
      'up to about 1 s). product(id) sees the deletion at once either way.',
  })
  refresh: boolean = false;
}

@ArgsType()
export class SaveMerchandisingRuleArgs {
  @Field(() => MerchandisingRuleInput, { description: 'The rule; saving an existing id replaces that rule.' }) @ValidateNested() input!: MerchandisingRuleInput;
}

@ArgsType()
export class DeleteMerchandisingRuleArgs {
  @Field(() => ID, { description: 'The id the rule was saved under.' }) @MaxLength(MAX_ID_LENGTH) id!: string;
}
