/**
 * What must never reach a log line: credentials (API keys, Authorization headers, Elasticsearch passwords and
 * API keys, userinfo in URLs) and image bytes (base64 variables). Log fields go through `redact` and messages
 * through `redactText` before they are written.
 *
 * pino's own `redact` option matches fixed paths only; these rules match a key at any depth and secrets inside
 * free text (an error message quoting a URL), which paths cannot express.
 */

const CENSOR = '[Redacted]';
const SECRET_KEY = /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key|api[-_]?key|password|passwd|secret|token|access[-_]?token|credentials?|auth|es_api_key|es_password)$/i;
const BYTES_KEY = /base64/i;
const MAX_DEPTH = 8;

/** scheme://user:pass@host → scheme://[Redacted]@host */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@]+@/gi;
/** `Bearer abc`, `ApiKey abc`, `Basic abc` inside a sentence. */
const AUTH_SCHEME = /\b(Bearer|ApiKey|Basic)\s+[A-Za-z0-9._~+/=-]+/g;
/** A run of base64 long enough to be bytes rather than a word or an id (a SHA-256 in hex is 64 characters). */
const BASE64_RUN = /[A-Za-z0-9+/]{100,}={0,2}/g;

export function redactText(s: string): string {
  return s
    .replace(URL_USERINFO, `$1${CENSOR}@`)
    .replace(AUTH_SCHEME, `$1 ${CENSOR}`)
    .replace(BASE64_RUN, (m) => `[Redacted base64, ${m.length} chars]`);
}

/** A copy of `value` safe to log; the input is not modified. */
export function redact(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object') return value;
  if (Buffer.isBuffer(value) || ArrayBuffer.isView(value)) return `[${(value as ArrayBufferView).byteLength} bytes]`;
  if (depth >= MAX_DEPTH) return '[Truncated]';
  if (seen.has(value)) return '[Circular]';
  seen.add(value);
  if (value instanceof Error) {
    return redact({ name: value.name, message: value.message, stack: value.stack }, depth + 1, seen);
  }
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1, seen));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v !== undefined && v !== null && (SECRET_KEY.test(k) || BYTES_KEY.test(k))) out[k] = CENSOR;
    else out[k] = redact(v, depth + 1, seen);
  }
  return out;
}
