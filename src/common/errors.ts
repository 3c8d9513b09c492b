/**
 * Two tiers of errors.
 *
 * - `AppError` is a fault: something the client cannot fix by changing its input (Elasticsearch down, model
 *   missing, a bug). It carries a stable `code`; the error formatter masks its message before it leaves the server.
 * - The other classes here (ImageInputError, ProductNotFoundError, StaleVersionError, InvalidInputError) are
 *   expected failures caused by the request itself. Services throw them; resolvers turn them into typed GraphQL
 *   result members so clients branch on `__typename`.
 */
export type FaultCode =
  | 'INTERNAL'
  | 'CONFIG_INVALID'
  | 'SEARCH_BACKEND_UNAVAILABLE'
  | 'SEARCH_BACKEND_ERROR'
  | 'INDEX_DIMENSION_MISMATCH'
  | 'MODEL_LOAD_FAILED'
  | 'MODEL_INFERENCE_FAILED'
  | 'OVERLOADED'; // a bounded work queue is full; callers should shed load or retry later

export class AppError extends Error {
  constructor(
    readonly code: FaultCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AppError';
  }
}

/** Reasons an image supplied by a client (URL or bytes) was refused. Each maps to a GraphQL error result. */
export type ImageErrorCode =
  | 'IMAGE_TOO_LARGE' // bytes over the cap, or pixels over the decode limit
  | 'IMAGE_UNDECODABLE' // not an image, truncated, zero bytes, unsupported or blocked format (SVG)
  | 'IMAGE_URL_FORBIDDEN' // scheme, userinfo, or an address that resolves to a private/loopback/link-local range
  | 'IMAGE_FETCH_FAILED'; // network error, timeout, non-2xx status, too many redirects, non-image content type

export class ImageInputError extends Error {
  constructor(
    readonly code: ImageErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ImageInputError';
  }
}

/** Expected, request-caused failures other than images. Resolvers map each to a typed GraphQL result. */
export class ProductNotFoundError extends Error {
  constructor(readonly productId: string) {
    super(`No product with id "${productId}"`);
    this.name = 'ProductNotFoundError';
  }
}

/** An ingest carried a version older than (or equal to, with different content) the stored one. */
export class StaleVersionError extends Error {
  constructor(
    readonly productId: string,
    readonly storedVersion: number | undefined,
    readonly givenVersion: number,
  ) {
    super(
      `Product "${productId}" is stored at version ${storedVersion ?? '(unknown)'}; version ${givenVersion} is not newer, so it was not applied`,
    );
    this.name = 'StaleVersionError';
  }
}

/** Input that passed GraphQL validation but is still unusable (e.g. neither url nor base64 given). */
export class InvalidInputError extends Error {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'InvalidInputError';
  }
}
