import { GraphQLError } from 'graphql';
import { AppError } from '../../src/common/errors';
import { maskError } from '../../src/server/mask-error';

/** Apollo hands formatError the formatted error plus the raw one; resolver errors arrive wrapped in a GraphQLError. */
function fromResolver(original: Error) {
  const wrapped = new GraphQLError(original.message, { originalError: original, path: ['searchByText'] });
  return [{ ...wrapped.toJSON(), extensions: { code: 'INTERNAL_SERVER_ERROR', stacktrace: ['at secret.ts:1'] } }, wrapped] as const;
}

describe('maskError', () => {
  it('keeps a fault code but hides its message', () => {
    const [formatted, raw] = fromResolver(new AppError('SEARCH_BACKEND_UNAVAILABLE', 'connect ECONNREFUSED 10.0.0.7:9200'));
    const out = maskError(formatted, raw);
    expect(out.extensions).toEqual({ code: 'SEARCH_BACKEND_UNAVAILABLE' });
    expect(out.message).not.toMatch(/10\.0\.0\.7|ECONNREFUSED/);
  });

  it('masks unknown errors entirely', () => {
    const [formatted, raw] = fromResolver(new TypeError("Cannot read properties of undefined (reading 'x')"));
    const out = maskError(formatted, raw);
    expect(out).toEqual({ message: 'Internal server error', path: ['searchByText'], extensions: { code: 'INTERNAL_SERVER_ERROR' } });
  });

  it('passes client-facing GraphQL errors through without stack traces or echoed input', () => {
    const validation = new GraphQLError('Argument Validation Error', {
      extensions: {
        code: 'BAD_USER_INPUT',
        validationErrors: [{ property: 'first', value: 1e6, target: { first: 1e6 }, constraints: { max: 'first must not be greater than 100' } }],
      },
    });
    const [formatted, raw] = fromResolver(validation);
    const out = maskError({ ...formatted, extensions: { ...validation.extensions, stacktrace: ['x'] } }, raw);
    expect(out.message).toBe('Argument Validation Error');
    expect(out.extensions).toEqual({
      code: 'BAD_USER_INPUT',
      validationErrors: [{ property: 'first', constraints: { max: 'first must not be greater than 100' }, children: undefined }],
    });
  });
});
