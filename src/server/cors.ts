import type { IncomingHttpHeaders } from 'node:http';

/**
 * Cross-origin policy for the API. Storefronts on an allowlisted origin may read from the browser without a key;
 * nobody may write cross-origin (the preflight never allows an Authorization header, and the request context
 * drops write rights for any cross-origin request). Requests without an Origin header (servers, curl) are not
 * browser requests and are left to the API key and CSRF rules.
 */
export type OriginVerdict =
  | { kind: 'none' }
  | { kind: 'same-origin' }
  | { kind: 'allowed'; origin: string }
  | { kind: 'denied'; origin: string };

export function classifyOrigin(headers: IncomingHttpHeaders, allowed: readonly string[]): OriginVerdict {
  const origin = headers.origin;
  if (typeof origin !== 'string' || origin === '') return { kind: 'none' };
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return { kind: 'denied', origin }; // includes the literal "null" of sandboxed frames and file: pages
  }
  if (typeof headers.host === 'string' && parsed.host.toLowerCase() === headers.host.toLowerCase()) return { kind: 'same-origin' };
  return allowed.includes(parsed.origin) ? { kind: 'allowed', origin: parsed.origin } : { kind: 'denied', origin };
}

/** Headers for an actual (non-preflight) response to an allowed origin. No credentials: widgets send none. */
export function corsResponseHeaders(origin: string): Record<string, string> {
  return { 'access-control-allow-origin': origin, vary: 'Origin', 'access-control-expose-headers': 'ETag, X-Request-Id' };
}

/**
 * Preflight answer. Only the headers a read needs are allowed; Authorization and X-API-Key are not, so a browser
 * on another origin cannot even present a write key.
 */
export function preflightHeaders(origin: string): Record<string, string> {
  return {
    ...corsResponseHeaders(origin),
    'access-control-allow-methods': 'GET, POST',
    'access-control-allow-headers': 'content-type, apollo-require-preflight, x-apollo-operation-name',
    'access-control-max-age': '600',
  };
}

/** A browser request from another origin, allowed or not: it may read (when allowed) but never write. */
export function isCrossOrigin(v: OriginVerdict): boolean {
  return v.kind === 'allowed' || v.kind === 'denied';
}
