import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { AppError, type FaultCode } from '../common/errors';
import { logger } from '../common/logger';

/** What clients may learn about a fault: a stable code and a fixed sentence, never internals. */
export const PUBLIC_FAULTS: Record<FaultCode, string> = {
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

/**
 * Apollo `formatError`. GraphQL-level errors (syntax, validation, argument bounds, authorisation) are the client's
 * to see; coded faults keep their code but lose their message; anything else becomes INTERNAL_SERVER_ERROR. Stack
 * traces never leave.
 */
export function maskError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  const { stacktrace: _drop, ...extensions } = (formatted.extensions ?? {}) as Record<string, unknown>;

  if (original instanceof AppError) {
    logger.warn('request fault', { code: original.code, error: original.message, path: formatted.path });
    return { message: PUBLIC_FAULTS[original.code], path: formatted.path, extensions: { code: original.code } };
  }
  // A GraphQLError is deliberate client-facing output (ours or the library's); keep it, minus server internals.
  if (original instanceof GraphQLError) {
    if (Array.isArray(extensions.validationErrors)) {
      extensions.validationErrors = (extensions.validationErrors as ValidationErrorLike[]).map(publicValidationError);
    }
    return { ...formatted, extensions };
  }
  logger.error('unexpected error', {
    error: original instanceof Error ? original.stack : String(original),
    path: formatted.path,
  });
  return { message: 'Internal server error', path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
}

/** The code a client sees for this error once formatError has masked it. */
export function publicErrorCode(error: unknown): string {
  const original = unwrapResolverError(error);
  if (original instanceof AppError) return original.code;
  if (original instanceof GraphQLError) return String(original.extensions?.code ?? 'GRAPHQL_ERROR');
  return 'INTERNAL_SERVER_ERROR';
}

interface ValidationErrorLike {
  property?: string;
  constraints?: Record<string, string>;
  children?: ValidationErrorLike[];
}

/** class-validator errors carry the whole input object (`target`) and the value; echo neither. */
function publicValidationError(e: ValidationErrorLike): ValidationErrorLike {
  return {
    property: e.property,
    constraints: e.constraints,
    children: e.children?.length ? e.children.map(publicValidationError) : undefined,
  };
}
