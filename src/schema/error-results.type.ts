import { Field, Float, ID, Int, InterfaceType, ObjectType, registerEnumType } from 'type-graphql';
import {
  ContradictoryRulesError,
  CursorProblem,
  EXPECTED_ERROR_CODES,
  ExpectedError,
  INDEXING_FAILURE_REASONS,
  ImageInputError,
  IndexingFailedError,
  InvalidCursorError,
  InvalidInputError,
  PageDepthExceededError,
  ProductNotFoundError,
  RuleConflictKind,
  RuleNotFoundError,
  StaleVersionError,
  type ExpectedErrorCode,
  type ImageErrorCode,
  type IndexingFailureReason as Reason,
} from '../common/errors';

/**
 * Expected failures are data, not exceptions: each is a member of a result union and implements ErrorResult, so
 * clients branch on __typename (or errorCode) instead of parsing messages.
 *
 * A new expected failure costs two places: its error class (with its code) in common/errors.ts, and here its result
 * class plus one row of ERROR_RESULTS. Then list it in the unions (results.union.ts) of the operations that return it.
 */

/** The codes of common/errors.ts, as a GraphQL enum. */
export const ErrorCode = Object.fromEntries(EXPECTED_ERROR_CODES.map((c) => [c, c])) as { [C in ExpectedErrorCode]: C };
export type ErrorCode = ExpectedErrorCode;
registerEnumType(ErrorCode, {
  name: 'ErrorCode',
  description: 'The code of every expected failure (an ErrorResult); each has its own result type as well.',
  valuesConfig: {
    PRODUCT_NOT_FOUND: { description: 'No product with the given id is stored (ProductNotFound).' },
    IMAGE_TOO_LARGE: { description: 'The image is over the byte or pixel limit (ImageTooLarge).' },
    IMAGE_UNDECODABLE: { description: 'The bytes are not an image the server decodes, or are truncated (ImageUndecodable).' },
    IMAGE_URL_FORBIDDEN: { description: 'The image URL is refused: scheme, credentials or a private address (ImageUrlForbidden).' },
    IMAGE_FETCH_FAILED: { description: 'The image URL failed: network error, timeout, error status, not an image (ImageFetchFailed).' },
    STALE_VERSION: { description: 'A newer (or equal, different) version of the product is stored; nothing was written (StaleVersion).' },
    INVALID_INPUT: { description: 'The input passed the schema but cannot be used; `field` says which (InvalidInput).' },
    INDEXING_FAILED: { description: 'Elasticsearch refused this one write; `reason` says whether a retry can help (IndexingFailed).' },
    INVALID_CURSOR: { description: '`after` is not a cursor this query can continue from (InvalidCursor).' },
    PAGE_DEPTH_EXCEEDED: { description: 'The page would end deeper than ranked lists are paged (PageDepthExceeded).' },
    CONTRADICTORY_RULES: { description: 'Merchandising rules contradict themselves; nothing was saved or searched (ContradictoryRules).' },
    RULE_NOT_FOUND: { description: 'No stored merchandising rule with the given id (RuleNotFound).' },
  },
});

@InterfaceType({ description: 'An expected failure caused by the request: branch on __typename or errorCode, never on message.' })
export abstract class ErrorResult {
  @Field(() => ErrorCode, { description: 'Stable machine-readable code.' }) errorCode!: ErrorCode;
  @Field(() => String, { description: 'What went wrong, for people; its wording may change.' }) message!: string;
}

@ObjectType({ implements: ErrorResult, description: 'No product with this id is stored.' })
export class ProductNotFound extends ErrorResult {
  @Field(() => ID, { description: 'The id asked for.' }) productId!: string;
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
  @Field(() => ID, { description: 'The product written.' }) productId!: string;
  @Field(() => Float, { nullable: true, description: 'The version already stored (null when the stored product has none).' }) storedVersion?: number;
  @Field(() => Float, { description: 'The version this write carried; it is not newer, so it was not applied.' }) givenVersion!: number;
}

@ObjectType({ implements: ErrorResult, description: 'The input passed the schema but cannot be used (e.g. an image with neither url nor base64).' })
export class InvalidInput extends ErrorResult {
  @Field(() => String, { nullable: true, description: 'The input field at fault, when one is.' }) field?: string;
}

export const IndexingFailureReason = Object.fromEntries(INDEXING_FAILURE_REASONS.map((r) => [r, r])) as { [R in Reason]: R };
export type IndexingFailureReason = Reason;
registerEnumType(IndexingFailureReason, {
  name: 'IndexingFailureReason',
  description: 'Why Elasticsearch refused one write, so a client knows whether a retry can help.',
  valuesConfig: {
    INDEX_READ_ONLY: {
      description:
        'The index takes no writes: Elasticsearch hit its disk flood-stage watermark (or an operator blocked writes). Reads still work; retry once disk space is freed, Elasticsearch lifts the block by itself.',
    },
    BACKEND_BUSY: { description: 'Elasticsearch rejected the write as overloaded (429) after retries with backoff; retry later.' },
    SHARD_UNAVAILABLE: { description: 'No copy of the shard could take the write (a node left); retry shortly.' },
    DOCUMENT_REJECTED: { description: 'The document itself was refused (mapping or size); sending it again fails again.' },
    OTHER: { description: 'Anything else; the message has the detail.' },
  },
});

@ObjectType({ implements: ErrorResult, description: 'The search engine refused this one item of a batch.' })
export class IndexingFailed extends ErrorResult {
  @Field(() => ID, { description: 'The product that was not written.' }) productId!: string;
  @Field(() => IndexingFailureReason, { description: 'Whether retrying can help.' }) reason!: IndexingFailureReason;
}

registerEnumType(CursorProblem, {
  name: 'CursorProblem',
  description: 'Why a cursor was refused.',
  valuesConfig: {
    MALFORMED: { description: 'Not a cursor this server wrote, or edited since.' },
    OTHER_QUERY: { description: 'A cursor of another query: other signals, filters or ranking controls.' },
    STALE_INDEX: { description: 'The catalog index was rebuilt (reindex) since; start again from the first page.' },
  },
});

@ObjectType({ implements: ErrorResult, description: '`after` is not a cursor this query can continue from.' })
export class InvalidCursor extends ErrorResult {
  @Field(() => CursorProblem, { description: 'Why it was refused.' }) problem!: CursorProblem;
}

@ObjectType({ implements: ErrorResult, description: 'The page would end deeper than results are paged.' })
export class PageDepthExceeded extends ErrorResult {
  @Field(() => Int, { description: 'How deep ranked lists are paged: offset plus `first` may not exceed it (1,000).' }) maxDepth!: number;
  @Field(() => Int, { description: 'Where the requested page would have ended (results before it plus `first`).' }) requestedDepth!: number;
}

registerEnumType(RuleConflictKind, {
  name: 'RuleConflictKind',
  description: 'How rules contradict each other.',
  valuesConfig: {
    PINNED_AND_HIDDEN: { description: 'One product is both pinned and hidden.' },
    POSITION_TAKEN: { description: 'Two products are pinned to the same position.' },
    PINNED_TWICE: { description: 'One product is pinned to two positions.' },
  },
});

@ObjectType({ description: 'One contradiction inside a set of rules.' })
export class RuleConflictType {
  @Field(() => RuleConflictKind, { description: 'What contradicts what.' }) kind!: RuleConflictKind;
  @Field(() => ID, { nullable: true, description: 'The product concerned (PINNED_AND_HIDDEN, PINNED_TWICE).' }) productId?: string;
  @Field(() => Int, { nullable: true, description: 'The position concerned (POSITION_TAKEN).' }) position?: number;
}

@ObjectType({
  implements: ErrorResult,
  description:
    "The rules contradict themselves; nothing was saved or searched. (Between a request's rules and stored rules, " +
    'contradictions are not errors: they are resolved by precedence.)',
})
export class ContradictoryRules extends ErrorResult {
  @Field(() => [RuleConflictType], { description: 'Every contradiction found, not just the first.' }) conflicts!: RuleConflictType[];
}

@ObjectType({ implements: ErrorResult, description: 'No stored merchandising rule has this id.' })
export class RuleNotFound extends ErrorResult {
  @Field(() => ID, { description: 'The rule id asked for.' }) ruleId!: string;
}

type ErrorClass<E extends ExpectedError> = abstract new (...args: never[]) => E;
type ResultClass<R extends ErrorResult> = new () => R;

interface ErrorRow<E extends ExpectedError = ExpectedError, R extends ErrorResult = ErrorResult> {
  readonly error: ErrorClass<E>;
  /** The result class for this error (some errors choose by their code). */
  readonly result: (e: E) => ResultClass<R>;
  /** The result's own fields beyond errorCode and message. */
  readonly fields?: (e: E) => Omit<R, keyof ErrorResult>;
}

function row<E extends ExpectedError, R extends ErrorResult>(r: ErrorRow<E, R>): ErrorRow {
  return r as unknown as ErrorRow;
}

const IMAGE_RESULTS: Record<ImageErrorCode, ResultClass<ErrorResult>> = {
  IMAGE_TOO_LARGE: ImageTooLarge,
  IMAGE_UNDECODABLE: ImageUndecodable,
  IMAGE_URL_FORBIDDEN: ImageUrlForbidden,
  IMAGE_FETCH_FAILED: ImageFetchFailed,
};

/** Service error class -> GraphQL result class, one row each. */
export const ERROR_RESULTS: readonly ErrorRow[] = [
  row({ error: ImageInputError, result: (e) => IMAGE_RESULTS[e.code] }),
  row({ error: ProductNotFoundError, result: () => ProductNotFound, fields: (e) => ({ productId: e.productId }) }),
  row({
    error: StaleVersionError,
    result: () => StaleVersion,
    fields: (e) => ({ productId: e.productId, storedVersion: e.storedVersion, givenVersion: e.givenVersion }),
  }),
  row({ error: InvalidInputError, result: () => InvalidInput, fields: (e) => ({ field: e.field }) }),
  row({ error: IndexingFailedError, result: () => IndexingFailed, fields: (e) => ({ productId: e.productId, reason: e.reason }) }),
  row({ error: InvalidCursorError, result: () => InvalidCursor, fields: (e) => ({ problem: e.problem }) }),
  row({
    error: PageDepthExceededError,
    result: () => PageDepthExceeded,
    fields: (e) => ({ maxDepth: e.maxDepth, requestedDepth: e.requestedDepth }),
  }),
  row({
    error: ContradictoryRulesError,
    result: () => ContradictoryRules,
    fields: (e) => ({
      conflicts: e.conflicts.map((c) => Object.assign(new RuleConflictType(), { kind: c.kind, productId: c.productId ?? null, position: c.position ?? null })),
    }),
  }),
  row({ error: RuleNotFoundError, result: () => RuleNotFound, fields: (e) => ({ ruleId: e.ruleId }) }),
];

/** The typed result for an expected failure, or undefined when no row knows the error. */
export function errorResultFor(e: ExpectedError): ErrorResult | undefined {
  const r = ERROR_RESULTS.find((candidate) => e instanceof candidate.error);
  if (!r) return undefined;
  const cls = r.result(e);
  return Object.assign(new cls(), { errorCode: e.code, message: e.message }, r.fields?.(e));
}
