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
  description: 'A page of products like the given one, or why there is none (unknown id, unusable input, bad cursor, page too deep, contradictory rules).',
  types: () => [ProductHits, ProductNotFound, InvalidInput, ...LIST_ERRORS] as const,
  resolveType: byConstructor,
});

export const SearchByImageResult = createUnionType({
  name: 'SearchByImageResult',
  description: 'A page of products like the photo, or why there is none (an image problem, bad cursor, page too deep, contradictory rules).',
  types: () => [ProductHits, ...IMAGE_ERRORS, ...LIST_ERRORS] as const,
  resolveType: byConstructor,
});

export const DiscoverResult = createUnionType({
  name: 'DiscoverResult',
  description: 'A page of a discover query, or why there is none (an image problem, unusable input, bad cursor, page too deep, contradictory rules).',
  types: () => [DiscoverHits, ...IMAGE_ERRORS, ...LIST_ERRORS] as const,
  resolveType: byConstructor,
});

export const SaveMerchandisingRuleResult = createUnionType({
  name: 'SaveMerchandisingRuleResult',
  description: 'The rule as stored, or why it was refused.',
  types: () => [MerchandisingRule, ContradictoryRules, InvalidInput] as const,
  resolveType: byConstructor,
});

export const DeleteMerchandisingRuleResult = createUnionType({
  name: 'DeleteMerchandisingRuleResult',
  description: 'The deleted rule id, or RuleNotFound.',
  types: () => [DeleteSuccess, RuleNotFound] as const,
  resolveType: byConstructor,
});

export const BrowseProductsResult = createUnionType({
  name: 'BrowseProductsResult',
  description: 'A page of the catalog, or InvalidCursor.',
  types: () => [ProductList, InvalidCursor] as const,
  resolveType: byConstructor,
});

export const IngestProductResult = createUnionType({
  name: 'IngestProductResult',
  description: 'The stored product with what the write did, or why this one product was not written.',
  types: () => [IngestSuccess, ...IMAGE_ERRORS, StaleVersion, IndexingFailed] as const,
  resolveType: byConstructor,
});

export const DeleteProductResult = createUnionType({
  name: 'DeleteProductResult',
  description: 'The deleted product id, or ProductNotFound.',
  types: () => [DeleteSuccess, ProductNotFound] as const,
  resolveType: byConstructor,
});

@ObjectType({ description: 'What a bulk ingest did: one result per input, and the counts.' })
export class IngestProductsPayload {
  @Field(() => [IngestProductResult], { description: 'One result per input, in input order.' })
  results!: (typeof IngestProductResult)[];

  @Field(() => IngestSummary, { description: 'How many inputs ended each way.' }) summary!: IngestSummary;
}
