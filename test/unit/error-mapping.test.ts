import 'reflect-metadata';
import {
  AppError,
  ContradictoryRulesError,
  CursorProblem,
  EXPECTED_ERROR_CODES,
  ImageInputError,
  IndexingFailedError,
  InvalidCursorError,
  InvalidInputError,
  PageDepthExceededError,
  ProductNotFoundError,
  RuleConflictKind,
  RuleNotFoundError,
  StaleVersionError,
  type ExpectedError,
} from '../../src/common/errors';
import { orErrorResult, toErrorResult } from '../../src/resolvers/error-mapping';
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
} from '../../src/schema/error-results.type';

/** One instance of every expected failure, and the result each must become. */
const CASES: [ExpectedError, new () => object, Record<string, unknown>][] = [
  [new ImageInputError('IMAGE_TOO_LARGE', 'big'), ImageTooLarge, {}],
  [new ImageInputError('IMAGE_UNDECODABLE', 'junk'), ImageUndecodable, {}],
  [new ImageInputError('IMAGE_URL_FORBIDDEN', 'private'), ImageUrlForbidden, {}],
  [new ImageInputError('IMAGE_FETCH_FAILED', 'timeout'), ImageFetchFailed, {}],
  [new ProductNotFoundError('p1'), ProductNotFound, { productId: 'p1' }],
  [new StaleVersionError('p2', 9, 3), StaleVersion, { productId: 'p2', storedVersion: 9, givenVersion: 3 }],
  [new InvalidInputError('neither url nor base64', 'image'), InvalidInput, { field: 'image' }],
  [new IndexingFailedError('p3', 'mapper_parsing_exception', 'DOCUMENT_REJECTED'), IndexingFailed, { productId: 'p3', reason: 'DOCUMENT_REJECTED' }],
  [new InvalidCursorError(CursorProblem.STALE_INDEX), InvalidCursor, { problem: 'STALE_INDEX' }],
  [new PageDepthExceededError(1000, 1010), PageDepthExceeded, { maxDepth: 1000, requestedDepth: 1010 }],
  [
    new ContradictoryRulesError([{ kind: RuleConflictKind.POSITION_TAKEN, position: 2 }]),
    ContradictoryRules,
    { conflicts: [{ kind: 'POSITION_TAKEN', productId: null, position: 2 }] },
  ],
  [new RuleNotFoundError('r1'), RuleNotFound, { ruleId: 'r1' }],
];

describe('error mapping', () => {
  it('covers every expected error code exactly once', () => {
    expect(CASES.map(([e]) => e.code).sort()).toEqual([...EXPECTED_ERROR_CODES].sort());
  });

  it.each(CASES.map((c) => [c[0].code, ...c] as const))('%s becomes its typed result', (_code, error, cls, fields) => {
    const result = toErrorResult(error);
    expect(result).toBeInstanceOf(cls);
    expect({ ...result }).toEqual({ errorCode: error.code, message: error.message, ...fields });
  });

  it('rethrows faults and anything unknown, for the error formatter to mask', async () => {
    const fault = new AppError('SEARCH_BACKEND_UNAVAILABLE', 'down');
    expect(() => toErrorResult(fault)).toThrow(fault);
    const bug = new TypeError('x is undefined');
    await expect(orErrorResult(async () => Promise.reject(bug))).rejects.toBe(bug);
    await expect(orErrorResult(async () => 42)).resolves.toBe(42);
  });
});
