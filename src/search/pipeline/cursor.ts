import { createHash } from 'node:crypto';
import { CursorProblem, InvalidCursorError } from '../../common/errors';

/**
 * Opaque cursors. A cursor is base64url(JSON) plus a checksum, carrying where the next page starts and fingerprints
 * of the query and of the index generation that produced it, so a cursor of another query or of a rebuilt index is
 * refused with a typed error instead of silently paging something else.
 *
 * The checksum catches edited and truncated cursors; it is not a secret. Nothing a cursor carries grants anything a
 * client could not ask for directly, and every field is validated on the way back in.
 */

export interface SearchCursor {
  kind: 'search';
  /** Fingerprint of the ranking-relevant parts of the request. */
  query: string;
  /** Fingerprint of the concrete index that answered. */
  generation: string;
  /** How many results earlier pages served. */
  offset: number;
  /** The last product served, to continue right after it when a write shifted the list. */
  anchor: string;
  /** When the first page was ranked (ms): recency boosts of later pages are computed at the same moment. */
  at: number;
}

export interface BrowseCursor {
  kind: 'browse';
  query: string;
  generation: string;
  /** The sort values of the last product served (search_after). */
  after: unknown[];
}

export type Cursor = SearchCursor | BrowseCursor;

const VERSION = 1;

export function encodeCursor(c: Cursor): string {
  const json = JSON.stringify({ v: VERSION, ...c });
  return `${Buffer.from(json).toString('base64url')}.${checksum(json)}`;
}

/** The cursor, or InvalidCursorError(MALFORMED) for anything this server did not write unchanged. */
export function decodeCursor<K extends Cursor['kind']>(token: string, kind: K): Extract<Cursor, { kind: K }> {
  const malformed = () => new InvalidCursorError(CursorProblem.MALFORMED);
  const [body, sum, extra] = token.split('.');
  if (!body || !sum || extra !== undefined || !/^[A-Za-z0-9_-]+$/.test(body)) throw malformed();
  const json = Buffer.from(body, 'base64url').toString('utf8');
  if (checksum(json) !== sum) throw malformed();
  let c: Record<string, unknown>;
  try {
    c = JSON.parse(json) as Record<string, unknown>;
  } catch {
    throw malformed();
  }
  if (c.v !== VERSION || c.kind !== kind || typeof c.query !== 'string' || typeof c.generation !== 'string') throw malformed();
  if (kind === 'search' && !(Number.isSafeInteger(c.offset) && (c.offset as number) > 0 && typeof c.anchor === 'string' && Number.isSafeInteger(c.at))) {
    throw malformed();
  }
  if (kind === 'browse' && !Array.isArray(c.after)) throw malformed();
  const { v: _v, ...cursor } = c;
  return cursor as unknown as Extract<Cursor, { kind: K }>;
}

/** Short hex fingerprint of any JSON-able value, with object keys sorted so equal values hash equally. */
export function fingerprint(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, 16);
}

export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

function checksum(json: string): string {
  return createHash('sha256').update(`cursor:${json}`).digest('hex').slice(0, 12);
}
