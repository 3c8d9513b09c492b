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

export const IndexingFailureReason = Object.fromEntries(INDEXING_FAILURE_REASONS.map((r) => [r, r])) as { [R in Reason]: R };
export type IndexingFailureReason = Reason;
registerEnumType(IndexingFailureReason, {
  name: 'IndexingFailureReason',
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
  @Field(() => ID) productId!: string;
  @Field(() => IndexingFailureReason) reason!: IndexingFailureReason;
}

registerEnumType(CursorProblem, {
  name: 'CursorProblem',
  valuesConfig: {
    MALFORMED: { description: 'Not a cursor this server wrote, or edited since.' },
    OTHER_QUERY: { description: 'A cursor of another query: other signals, filters or ranking controls.' },
    STALE_INDEX: { description: 'The catalog index was rebuilt (reindex) since; start again from the first page.' },
  },
});

@ObjectType({ implements: ErrorResult, description: '`after` is not a cursor this query can continue from.' })
export class InvalidCursor extends ErrorResult {
  @Field(() => CursorProblem) problem!: CursorProblem;
}

@ObjectType({ implements: ErrorResult, description: 'The page would end deeper than results are paged.' })
export class PageDepthExceeded extends ErrorResult {
  @Field(() => Int) maxDepth!: number;
  @Field(() => Int) requestedDepth!: number;
}

registerEnumType(RuleConflictKind, {
  name: 'RuleConflictKind',
  valuesConfig: {
    PINNED_AND_HIDDEN: { description: 'One product is both pinned and hidden.' },
    POSITION_TAKEN: { description: 'Two products are pinned to the same position.' },
    PINNED_TWICE: { description: 'One product is pinned to two positions.' },
  },
});

@ObjectType({ description: 'One contradiction inside a set of rules.' })
export class RuleConflictType {
  @Field(() => RuleConflictKind) kind!: RuleConflictKind;
  @Field(() => ID, { nullable: true }) productId?: string;
  @Field(() => Int, { nullable: true }) position?: number;
}

@ObjectType({
  implements: ErrorResult,
  description:
    "The rules contradict themselves; nothing was saved or searched. (Between a request's rules and stored rules, " +
    'contradictions are not errors: they are resolved by precedence.)',
})
export class ContradictoryRules extends ErrorResult {
  @Field(() => [RuleConflictType]) conflicts!: RuleConflictType[];
}

@ObjectType({ implements: ErrorResult })
export class RuleNotFound extends ErrorResult {
  @Field(() => ID) ruleId!: string;
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
