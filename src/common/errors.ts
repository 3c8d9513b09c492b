/**
 * Two tiers of errors.
 *
 * - `AppError` is a fault: something the client cannot fix by changing its input (Elasticsearch down, model
 *   missing, a bug). It carries a stable `code`; the error formatter masks its message before it leaves the server.
 * - `ExpectedError` and its subclasses are expected failures caused by the request itself. Services throw them;
 *   the GraphQL layer turns them into typed result members so clients branch on `__typename`.
 */
export type FaultCode =
  | 'INTERNAL'
  | 'CONFIG_INVALID'
  | 'SEARCH_BACKEND_UNAVAILABLE'
  | 'SEARCH_BACKEND_ERROR'
  | 'INDEX_DIMENSION_MISMATCH'
  | 'INDEX_MAPPING_OUTDATED' // the index predates MAPPING_VERSION; writes of new fields would be refused
  | 'INDEX_READ_ONLY' // Elasticsearch blocks writes to the index (disk flood-stage watermark); reads still work
  | 'MODEL_LOAD_FAILED'
  | 'MODEL_INFERENCE_FAILED'
  | 'MODEL_NOT_CALIBRATED' // the model folder has no calibration.json, so duplicates cannot be told apart
  | 'OVERLOADED' // a bounded work queue is full; callers should shed load or retry later
  | 'REQUEST_TIMEOUT' // the request's deadline (REQUEST_TIMEOUT_MS) passed; its work was cancelled
  | 'REQUEST_CANCELLED'; // the client went away; its work was cancelled (nobody reads the answer)

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
export const IMAGE_ERROR_CODES = [
  'IMAGE_TOO_LARGE', // bytes over the cap, or pixels over the decode limit
  'IMAGE_UNDECODABLE', // not an image, truncated, zero bytes, unsupported or blocked format (SVG)
  'IMAGE_URL_FORBIDDEN', // scheme, userinfo, or an address that resolves to a private/loopback/link-local range
  'IMAGE_FETCH_FAILED', // network error, timeout, non-2xx status, too many redirects, non-image content type
] as const;
export type ImageErrorCode = (typeof IMAGE_ERROR_CODES)[number];

/** Every expected failure's code; the GraphQL ErrorCode enum is this list. */
export const EXPECTED_ERROR_CODES = [
  'PRODUCT_NOT_FOUND',
  ...IMAGE_ERROR_CODES,
  'STALE_VERSION',
  'INVALID_INPUT',
  'INDEXING_FAILED',
  'INVALID_CURSOR',
  'PAGE_DEPTH_EXCEEDED',
  'CONTRADICTORY_RULES',
  'RULE_NOT_FOUND',
] as const;
export type ExpectedErrorCode = (typeof EXPECTED_ERROR_CODES)[number];

/**
 * A failure caused by the request itself, which the client can act on. Services throw (or report) these; the GraphQL
 * layer turns each into its typed result member (schema/error-results.type.ts holds the table).
 */
export abstract class ExpectedError extends Error {
  abstract readonly code: ExpectedErrorCode;
}

export class ImageInputError extends ExpectedError {
  /**
   * The same request may succeed later (a 5xx, 408/429, a timeout, a dropped connection); callers that retry do so
   * only for these. A 4xx, a refused address or bad bytes will fail the same way every time.
   */
  readonly transient: boolean;

  constructor(
    readonly code: ImageErrorCode,
    message: string,
    options?: { cause?: unknown; transient?: boolean },
  ) {
    super(message, options);
    this.name = 'ImageInputError';
    this.transient = options?.transient ?? false;
  }
}

export class ProductNotFoundError extends ExpectedError {
  readonly code = 'PRODUCT_NOT_FOUND';
  constructor(readonly productId: string) {
    super(`No product with id "${productId}"`);
    this.name = 'ProductNotFoundError';
  }
}

/** An ingest carried a version older than (or equal to, with different content) the stored one. */
export class StaleVersionError extends ExpectedError {
  readonly code = 'STALE_VERSION';
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
export class InvalidInputError extends ExpectedError {
  readonly code = 'INVALID_INPUT';
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'InvalidInputError';
  }
}

/** Why Elasticsearch refused one item of a bulk request; the GraphQL enum IndexingFailureReason is this list. */
export const INDEXING_FAILURE_REASONS = [
  'INDEX_READ_ONLY', // the index takes no writes: the disk flood-stage watermark (or an operator's block)
  'BACKEND_BUSY', // still rejected (429) after the retries: the cluster's write queue is full
  'SHARD_UNAVAILABLE', // no active primary for the document's shard (a node left and no replica took over)
  'DOCUMENT_REJECTED', // the document itself was refused (mapping, size): sending it again fails again
  'OTHER',
] as const;
export type IndexingFailureReason = (typeof INDEXING_FAILURE_REASONS)[number];

/** Elasticsearch refused one item of a bulk request for a reason other than a version conflict. */
export class IndexingFailedError extends ExpectedError {
  readonly code = 'INDEXING_FAILED';
  constructor(
    readonly productId: string,
    detail: string,
    readonly reason: IndexingFailureReason = 'OTHER',
  ) {
    super(`Product "${productId}" could not be indexed: ${detail}`);
    this.name = 'IndexingFailedError';
  }
}

/** Why a cursor was refused. */
export enum CursorProblem {
  /** Not a cursor this server wrote, or edited since. */
  MALFORMED = 'MALFORMED',
  /** A cursor of another query (other signals, filters or ranking controls). */
  OTHER_QUERY = 'OTHER_QUERY',
  /** The index behind the alias was rebuilt (reindex) since the cursor was written. */
  STALE_INDEX = 'STALE_INDEX',
}

const CURSOR_ADVICE: Record<CursorProblem, string> = {
  MALFORMED: 'it is not a cursor this server wrote, or it was edited; pass pageInfo.endCursor unchanged',
  OTHER_QUERY: 'it belongs to another query; a cursor only continues the query that returned it',
  STALE_INDEX: 'the catalog index was rebuilt since; start again from the first page',
};

export class InvalidCursorError extends ExpectedError {
  readonly code = 'INVALID_CURSOR';
  constructor(readonly problem: CursorProblem) {
    super(`The cursor passed as \`after\` cannot be used: ${CURSOR_ADVICE[problem]}`);
    this.name = 'InvalidCursorError';
  }
}

/** A page that would end deeper than the list may be paged. */
export class PageDepthExceededError extends ExpectedError {
  readonly code = 'PAGE_DEPTH_EXCEEDED';
  constructor(
    readonly maxDepth: number,
    readonly requestedDepth: number,
  ) {
    super(
      `This page would end at result ${requestedDepth}, but results are paged at most ${maxDepth} deep; ` +
        'narrow the query with filters instead of paging further',
    );
    this.name = 'PageDepthExceededError';
  }
}

export enum RuleConflictKind {
  /** One product both pinned and hidden. */
  PINNED_AND_HIDDEN = 'PINNED_AND_HIDDEN',
  /** Two products pinned to the same position. */
  POSITION_TAKEN = 'POSITION_TAKEN',
  /** One product pinned to two positions. */
  PINNED_TWICE = 'PINNED_TWICE',
}

/** One contradiction inside a set of merchandising rules. */
export interface RuleConflict {
  kind: RuleConflictKind;
  productId?: string;
  position?: number;
}

/** Rules that contradict themselves (a product pinned and hidden, two pins on one position, …): refused, not guessed. */
export class ContradictoryRulesError extends ExpectedError {
  readonly code = 'CONTRADICTORY_RULES';
  constructor(readonly conflicts: readonly RuleConflict[]) {
    super(`The rules contradict themselves: ${conflicts.map(describeConflict).join('; ')}`);
    this.name = 'ContradictoryRulesError';
  }
}

function describeConflict(c: RuleConflict): string {
  if (c.kind === RuleConflictKind.PINNED_AND_HIDDEN) return `"${c.productId}" is both pinned and hidden`;
  if (c.kind === RuleConflictKind.POSITION_TAKEN) return `position ${c.position} has more than one pin`;
  return `"${c.productId}" is pinned to more than one position`;
}

export class RuleNotFoundError extends ExpectedError {
  readonly code = 'RULE_NOT_FOUND';
  constructor(readonly ruleId: string) {
    super(`No merchandising rule with id "${ruleId}"`);
    this.name = 'RuleNotFoundError';
  }
}
