import { GraphQLError } from 'graphql';
import { ExpectedError } from '../common/errors';
import { errorResultFor, type ErrorResult } from '../schema/error-results.type';

/**
 * Turns an expected service failure into its GraphQL result member (the table is ERROR_RESULTS in
 * schema/error-results.type.ts). Anything else is a fault and is rethrown, to be masked by the error formatter.
 */
export function toErrorResult(e: unknown): ErrorResult {
  const result = e instanceof ExpectedError ? errorResultFor(e) : undefined;
  if (!result) throw e;
  return result;
}

/** Runs `fn`, returning its value or the typed result for an expected failure. */
export async function orErrorResult<T>(fn: () => Promise<T>): Promise<T | ErrorResult> {
  try {
    return await fn();
  } catch (e) {
    return toErrorResult(e);
  }
}

/**
 * For operations whose result is a plain object (searchByText, recommendations: their clients select fields without
 * fragments, so a union would break them): an expected failure becomes a BAD_USER_INPUT error that carries the same
 * errorCode, message and fields as the typed result would.
 */
export async function orBadUserInput<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    const { errorCode, message, ...fields } = { ...toErrorResult(e) };
    throw new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', errorCode, ...fields } });
  }
}
