import type { IncomingMessage } from 'node:http';
import { ApiKeyVerifier } from './auth';
import { classifyOrigin, isCrossOrigin } from './cors';
import { UnauthenticatedError } from './http-server';

export interface AuthPolicy {
  keys: ApiKeyVerifier;
  readsRequireKey: boolean;
  corsAllowedOrigins: readonly string[];
}

/**
 * Who may do what for one request. Writes need a valid key (or no keys configured, development only) and are never
 * allowed cross-origin. Reads need a key only with READS_REQUIRE_API_KEY, except from an allowlisted storefront
 * origin: embedding a widget must not put a key in the page.
 */
export function requestAuth(req: IncomingMessage, p: AuthPolicy): { canWrite: boolean } {
  const authenticated = p.keys.verify(ApiKeyVerifier.keyFrom(req.headers));
  const origin = classifyOrigin(req.headers, p.corsAllowedOrigins);
  if (p.readsRequireKey && !authenticated && origin.kind !== 'allowed') throw new UnauthenticatedError('An API key is required');
  return { canWrite: (authenticated || !p.keys.configured) && !isCrossOrigin(origin) };
}
