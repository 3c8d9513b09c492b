import { ImageInputError, InvalidInputError, ProductNotFoundError, StaleVersionError } from '../common/errors';
import { IndexingFailedError } from '../ingest/ingest.service';
import {
  ErrorCode,
  errorResult,
  ImageFetchFailed,
  ImageTooLarge,
  ImageUndecodable,
  ImageUrlForbidden,
  IndexingFailed,
  InvalidInput,
  ProductNotFound,
  StaleVersion,
  type ErrorResult,
} from '../schema/error-results.type';

const IMAGE_RESULTS = {
  IMAGE_TOO_LARGE: ImageTooLarge,
  IMAGE_UNDECODABLE: ImageUndecodable,
  IMAGE_URL_FORBIDDEN: ImageUrlForbidden,
  IMAGE_FETCH_FAILED: ImageFetchFailed,
} as const;

/**
 * Turns an expected service failure into its GraphQL result member. Anything else is a fault and is rethrown, to be
 * masked by the error formatter.
 */
export function toErrorResult(e: unknown): ErrorResult {
  if (e instanceof ImageInputError) return errorResult(IMAGE_RESULTS[e.code], ErrorCode[e.code], e.message);
  if (e instanceof ProductNotFoundError) {
    return errorResult(ProductNotFound, ErrorCode.PRODUCT_NOT_FOUND, e.message, { productId: e.productId });
  }
  if (e instanceof StaleVersionError) {
    return errorResult(StaleVersion, ErrorCode.STALE_VERSION, e.message, {
      productId: e.productId,
      storedVersion: e.storedVersion,
      givenVersion: e.givenVersion,
    });
  }
  if (e instanceof InvalidInputError) return errorResult(InvalidInput, ErrorCode.INVALID_INPUT, e.message, { field: e.field });
  if (e instanceof IndexingFailedError) {
    return errorResult(IndexingFailed, ErrorCode.INDEXING_FAILED, e.message, { productId: e.productId });
  }
  throw e;
}

/** Runs `fn`, returning its value or the typed result for an expected failure. */
export async function orErrorResult<T>(fn: () => Promise<T>): Promise<T | ErrorResult> {
  try {
    return await fn();
  } catch (e) {
    return toErrorResult(e);
  }
}
