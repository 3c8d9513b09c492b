import { Field, Float, ID, InterfaceType, ObjectType, registerEnumType } from 'type-graphql';

/**
 * Expected failures are data, not exceptions: each is a member of a result union and implements ErrorResult, so
 * clients branch on __typename (or errorCode) instead of parsing messages.
 */
export enum ErrorCode {
  PRODUCT_NOT_FOUND = 'PRODUCT_NOT_FOUND',
  IMAGE_TOO_LARGE = 'IMAGE_TOO_LARGE',
  IMAGE_UNDECODABLE = 'IMAGE_UNDECODABLE',
  IMAGE_URL_FORBIDDEN = 'IMAGE_URL_FORBIDDEN',
  IMAGE_FETCH_FAILED = 'IMAGE_FETCH_FAILED',
  STALE_VERSION = 'STALE_VERSION',
  INVALID_INPUT = 'INVALID_INPUT',
  INDEXING_FAILED = 'INDEXING_FAILED',
}
registerEnumType(ErrorCode, { name: 'ErrorCode' });

@InterfaceType()
export abstract class ErrorResult {
  @Field(() => ErrorCode) errorCode!: ErrorCode;
  @Field(() => String) message!: string;
}

@ObjectType({ implements: ErrorResult })
export class ProductNotFound extends ErrorResult {
  @Field(() => ID) productId!: string;
}

@ObjectType({ implements: ErrorResult, description: 'The image is over the byte or pixel limit.' })
export class ImageTooLarge extends ErrorResult {}

@ObjectType({ implements: ErrorResult, description: 'The bytes are not an image we decode (or are truncated).' })
export class ImageUndecodable extends ErrorResult {}

@ObjectType({ implements: ErrorResult, description: 'The URL is not allowed: scheme, credentials or a private address.' })
export class ImageUrlForbidden extends ErrorResult {}

@ObjectType({ implements: ErrorResult, description: 'The image URL could not be fetched in time or answered an error.' })
export class ImageFetchFailed extends ErrorResult {}

@ObjectType({ implements: ErrorResult, description: 'A newer version of this product is already stored.' })
export class StaleVersion extends ErrorResult {
  @Field(() => ID) productId!: string;
  @Field(() => Float, { nullable: true }) storedVersion?: number;
  @Field(() => Float) givenVersion!: number;
}

@ObjectType({ implements: ErrorResult })
export class InvalidInput extends ErrorResult {
  @Field(() => String, { nullable: true }) field?: string;
}

@ObjectType({ implements: ErrorResult, description: 'The search engine refused this one item of a batch.' })
export class IndexingFailed extends ErrorResult {
  @Field(() => ID) productId!: string;
}

export function errorResult<T extends ErrorResult>(cls: new () => T, errorCode: ErrorCode, message: string, extra: Partial<T> = {}): T {
  return Object.assign(new cls(), { errorCode, message }, extra);
}
