import { createUnionType, Field, ObjectType } from 'type-graphql';
import {
  ContradictoryRules,
  ImageFetchFailed,
  ImageTooLarge,
  ImageUndecodable,
  ImageUrlForbidden,
  IndexingFailed,
  InvalidCursor,
  InvalidInput,
  PageDepthExceeded,
  ProductNotFound,
  RuleNotFound,
  StaleVersion,
} from './error-results.type';
import { MerchandisingRule } from './merchandising.type';
import { DeleteSuccess, DiscoverHits, IngestSuccess, IngestSummary, ProductHits, ProductList } from './product.type';

/** Members are class instances, so resolution is by constructor, never by sniffing fields. */
function byConstructor(value: object) {
  return value.constructor as never;
}

const IMAGE_ERRORS = [ImageTooLarge, ImageUndecodable, ImageUrlForbidden, ImageFetchFailed, InvalidInput] as const;
/** What paging through any ranked list, or its rules, can run into. */
const LIST_ERRORS = [InvalidCursor, PageDepthExceeded, ContradictoryRules] as const;

export const SimilarProductsResult = createUnionType({
  name: 'SimilarProductsResult',
  types: () => [ProductHits, ProductNotFound, InvalidInput, ...LIST_ERRORS] as const,
  resolveType: byConstructor,
});

export const SearchByImageResult = createUnionType({
  name: 'SearchByImageResult',
  types: () => [ProductHits, ...IMAGE_ERRORS, ...LIST_ERRORS] as const,
  resolveType: byConstructor,
});

export const DiscoverResult = createUnionType({
  name: 'DiscoverResult',
  types: () => [DiscoverHits, ...IMAGE_ERRORS, ...LIST_ERRORS] as const,
  resolveType: byConstructor,
});

export const SaveMerchandisingRuleResult = createUnionType({
  name: 'SaveMerchandisingRuleResult',
  types: () => [MerchandisingRule, ContradictoryRules, InvalidInput] as const,
  resolveType: byConstructor,
});

export const DeleteMerchandisingRuleResult = createUnionType({
  name: 'DeleteMerchandisingRuleResult',
  types: () => [DeleteSuccess, RuleNotFound] as const,
  resolveType: byConstructor,
});

export const BrowseProductsResult = createUnionType({
  name: 'BrowseProductsResult',
  types: () => [ProductList, InvalidCursor] as const,
  resolveType: byConstructor,
});

export const IngestProductResult = createUnionType({
  name: 'IngestProductResult',
  types: () => [IngestSuccess, ...IMAGE_ERRORS, StaleVersion, IndexingFailed] as const,
  resolveType: byConstructor,
});

export const DeleteProductResult = createUnionType({
  name: 'DeleteProductResult',
  types: () => [DeleteSuccess, ProductNotFound] as const,
  resolveType: byConstructor,
});

@ObjectType()
export class IngestProductsPayload {
  @Field(() => [IngestProductResult], { description: 'One result per input, in input order.' })
  results!: (typeof IngestProductResult)[];

  @Field(() => IngestSummary) summary!: IngestSummary;
}
