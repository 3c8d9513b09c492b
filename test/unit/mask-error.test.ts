import { GraphQLError } from 'graphql';
import { AppError, type FaultCode } from '../../src/common/errors';
import { logger } from '../../src/common/logger';
import { maskError, publicErrorCode } from '../../src/server/mask-error';

/** Apollo hands formatError the formatted error plus the raw one; resolver errors arrive wrapped in a GraphQLError. */
function fromResolver(original: Error) {
  const wrapped = new GraphQLError(original.message, { originalError: original, path: ['searchByText', 0, 'hits'] });
  return [{ ...wrapped.toJSON(), extensions: { code: 'INTERNAL_SERVER_ERROR', stacktrace: ['at secret.ts:1'] } }, wrapped] as const;
}

describe('maskError', () => {
  let warn: jest.SpyInstance;
  let error: jest.SpyInstance;
  beforeEach(() => {
    warn = jest.spyOn(logger, 'warn');
    error = jest.spyOn(logger, 'error');
  });
  afterEach(() => jest.restoreAllMocks());

  /** Every fault code and the one sentence a client may see for it (a Record: a new code fails the typecheck here). */
  const SENTENCES: Record<FaultCode, string> = {
    INTERNAL: 'Internal server error',
    CONFIG_INVALID: 'Internal server error',
    SEARCH_BACKEND_UNAVAILABLE: 'The search backend is unavailable; retry shortly',
    SEARCH_BACKEND_ERROR: 'The search backend failed to answer',
    INDEX_DIMENSION_MISMATCH: 'The search index does not match the configured model',
    INDEX_MAPPING_OUTDATED: 'The search index was built for an older version of this server',
    INDEX_READ_ONLY: 'The search index refuses writes (disk full); reads still work, and writes resume once space is freed',
    MODEL_LOAD_FAILED: 'The embedding model is unavailable',
    MODEL_INFERENCE_FAILED: 'The embedding model failed on this input',
    MODEL_NOT_CALIBRATED: 'The embedding model has no relation calibration (run npm run calibrate)',
    OVERLOADED: 'The server is busy; retry shortly',
    REQUEST_TIMEOUT: 'The request took longer than the server allows',
    REQUEST_CANCELLED: 'The request was cancelled',
  };
  const PUBLIC = Object.entries(SENTENCES) as [FaultCode, string][];

  it.each(PUBLIC)('keeps the %s code, replaces the message, keeps the path, and logs the real message', (code, message) => {
    const [formatted, raw] = fromResolver(new AppError(code, 'connect ECONNREFUSED 10.0.0.7:9200'));
    expect(maskError(formatted, raw)).toStrictEqual({ message, path: ['searchByText', 0, 'hits'], extensions: { code } });
    expect(warn.mock.calls).toEqual([
      ['request fault', { code, error: 'connect ECONNREFUSED 10.0.0.7:9200', path: ['searchByText', 0, 'hits'] }],
    ]);
    expect(error).not.toHaveBeenCalled();
  });

  it('masks a fault thrown outside any resolver too (no path)', () => {
    const fault = new AppError('OVERLOADED', 'queue full');
    expect(maskError({ message: 'queue full', extensions: { code: 'INTERNAL_SERVER_ERROR' } }, fault)).toStrictEqual({
      message: 'The server is busy; retry shortly',
      path: undefined,
      extensions: { code: 'OVERLOADED' },
    });
  });

  it('masks unknown errors entirely and logs their stack', () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'x')");
    const [formatted, raw] = fromResolver(bug);
    expect(maskError(formatted, raw)).toStrictEqual({
      message: 'Internal server error',
      path: ['searchByText', 0, 'hits'],
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
    expect(error.mock.calls).toEqual([['unexpected error', { error: bug.stack, path: ['searchByText', 0, 'hits'] }]]);
    expect(warn).not.toHaveBeenCalled();
  });

  it('masks thrown non-errors, logging them as text', () => {
    expect(maskError({ message: 'Unexpected error value: "boom"', path: ['product'] }, 'boom')).toStrictEqual({
      message: 'Internal server error',
      path: ['product'],
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
    expect(error.mock.calls).toEqual([['unexpected error', { error: 'boom', path: ['product'] }]]);
  });

  it('passes client-facing GraphQL errors through whole, without stack traces or echoed input at any depth', () => {
    const validation = new GraphQLError('Argument Validation Error', {
      extensions: {
        code: 'BAD_USER_INPUT',
        validationErrors: [
          { property: 'first', value: 1e6, target: { first: 1e6 }, constraints: { max: 'first must not be greater than 100' }, children: [] },
          {
            property: 'input',
            value: { attributes: [{ key: '' }] },
            target: { input: { secret: 'x' } },
            children: [
              {
                property: 'attributes',
                value: [{ key: '' }],
                target: { secret: 'x' },
                children: [
                  {
                    property: '0',
                    value: { key: '' },
                    target: [{ key: '' }],
                    children: [{ property: 'key', value: '', target: { key: '' }, constraints: { minLength: 'key must be longer than or equal to 1 characters' } }],
                  },
                ],
              },
            ],
          },
        ],
      },
    });
    const formatted = {
      message: 'Argument Validation Error',
      locations: [{ line: 1, column: 3 }],
      path: ['ingestProduct'],
      extensions: { ...validation.extensions, stacktrace: ['at secret.ts:1'] },
    };
    expect(maskError(formatted, validation)).toStrictEqual({
      message: 'Argument Validation Error',
      locations: [{ line: 1, column: 3 }],
      path: ['ingestProduct'],
      extensions: {
        code: 'BAD_USER_INPUT',
        validationErrors: [
          { property: 'first', constraints: { max: 'first must not be greater than 100' }, children: undefined },
          {
            property: 'input',
            constraints: undefined,
            children: [
              {
                property: 'attributes',
                constraints: undefined,
                children: [
                  {
                    property: '0',
                    constraints: undefined,
                    children: [{ property: 'key', constraints: { minLength: 'key must be longer than or equal to 1 characters' }, children: undefined }],
                  },
                ],
              },
            ],
          },
        ],
      },
    });
    expect([warn.mock.calls, error.mock.calls]).toEqual([[], []]);
  });

  it('keeps other GraphQL errors as they are, minus the stack trace', () => {
    const denied = new GraphQLError('Access denied!', { extensions: { code: 'UNAUTHORIZED' } });
    const formatted = { message: 'Access denied!', path: ['deleteProduct'], extensions: { code: 'UNAUTHORIZED', stacktrace: ['x'] } };
    expect(maskError(formatted, denied)).toStrictEqual({ message: 'Access denied!', path: ['deleteProduct'], extensions: { code: 'UNAUTHORIZED' } });
    // validationErrors that are not a list are left alone (they are not class-validator's).
    const odd = new GraphQLError('odd', { extensions: { code: 'BAD_USER_INPUT', validationErrors: 'none' } });
    expect(maskError({ message: 'odd', extensions: { code: 'BAD_USER_INPUT', validationErrors: 'none' } }, odd)).toStrictEqual({
      message: 'odd',
      extensions: { code: 'BAD_USER_INPUT', validationErrors: 'none' },
    });
    // A syntax error has no extensions at all.
    const syntax = new GraphQLError('Syntax Error: Expected Name, found <EOF>.');
    expect(maskError({ message: syntax.message }, syntax)).toStrictEqual({ message: syntax.message, extensions: {} });
  });
});

describe('publicErrorCode', () => {
  it('names an error by the code maskError lets the client see', () => {
    const wrap = (original: Error) => new GraphQLError(original.message, { originalError: original, path: ['product'] });
    expect(publicErrorCode(wrap(new AppError('OVERLOADED', 'queue full')))).toBe('OVERLOADED');
    expect(publicErrorCode(new AppError('REQUEST_TIMEOUT', 'late'))).toBe('REQUEST_TIMEOUT');
    expect(publicErrorCode(new GraphQLError('bad', { extensions: { code: 'BAD_USER_INPUT' } }))).toBe('BAD_USER_INPUT');
    expect(publicErrorCode(wrap(new GraphQLError('denied', { extensions: { code: 'FORBIDDEN' } })))).toBe('FORBIDDEN');
    expect(publicErrorCode(new GraphQLError('no code'))).toBe('GRAPHQL_ERROR');
    expect(publicErrorCode(wrap(new TypeError('x is undefined')))).toBe('INTERNAL_SERVER_ERROR');
    expect(publicErrorCode('a thrown string')).toBe('INTERNAL_SERVER_ERROR');
  });
});
