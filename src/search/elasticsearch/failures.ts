import type { IndexingFailureReason } from '../../common/errors';
import { AppError } from '../../common/errors';

/**
 * What an Elasticsearch failure means to this server, in one place: a whole request's failure becomes a coded fault,
 * one bulk item's failure a reason the client can act on. The client's error classes are recognised by name, so this
 * module needs no import of the client (the adapter alone imports it).
 */

interface ClientErrorLike {
  name: string;
  message: string;
  statusCode?: number;
  body?: { error?: { type?: string; reason?: string } };
}

/** Errors the client throws for transport trouble: the cluster (or every node we know) cannot be reached in time. */
const UNREACHABLE = new Set(['ConnectionError', 'NoLivingConnectionsError', 'TimeoutError']);
/** Every other error class of @elastic/transport. */
const CLIENT_ERRORS = new Set([
  'ResponseError',
  'ConfigurationError',
  'DeserializationError',
  'SerializationError',
  'RequestAbortedError',
  'ProductNotSupportedError',
  'ElasticsearchClientError',
]);

export function translateError(e: unknown): unknown {
  if (e instanceof AppError || !(e instanceof Error)) return e;
  const err = e as ClientErrorLike;
  if (UNREACHABLE.has(err.name)) {
    return new AppError('SEARCH_BACKEND_UNAVAILABLE', `Elasticsearch is unreachable: ${err.message}`, { cause: e });
  }
  if (err.name === 'ResponseError') {
    const { type = 'unknown', reason = '' } = err.body?.error ?? {};
    if (isReadOnlyBlock(type, reason)) {
      return new AppError('INDEX_READ_ONLY', `Elasticsearch refused a write: ${reason}`, { cause: e });
    }
    // 503: no master yet, state not recovered, or no copy of a shard (a restarting cluster): it comes back by itself.
    if (err.statusCode === 503) {
      return new AppError('SEARCH_BACKEND_UNAVAILABLE', `Elasticsearch answered 503 (${type})`, { cause: e });
    }
    return new AppError('SEARCH_BACKEND_ERROR', `Elasticsearch answered ${err.statusCode} (${type})`, { cause: e });
  }
  if (CLIENT_ERRORS.has(err.name)) {
    return new AppError('SEARCH_BACKEND_ERROR', `Elasticsearch client error: ${err.message}`, { cause: e });
  }
  return e;
}

/**
 * One failed search of an msearch (the request itself answered 200). Statuses the transport would retry for a plain
 * search (a node that just left, no started copy of a shard yet, a full queue) are transient; 503 reads as the
 * backend being unavailable, as it does for a whole request.
 */
export function msearchPartFailure(part: { status?: number; error: { type?: string; reason?: string } }): {
  transient: boolean;
  error: AppError;
} {
  const { status = 500 } = part;
  const { type = 'unknown', reason = '' } = part.error;
  const code = status === 503 ? 'SEARCH_BACKEND_UNAVAILABLE' : 'SEARCH_BACKEND_ERROR';
  return {
    transient: status === 429 || status === 502 || status === 503 || status === 504,
    error: new AppError(code, `A search of an msearch failed: ${status} ${type}${reason ? ` (${reason})` : ''}`),
  };
}

/**
 * The flood-stage disk watermark puts `index.blocks.read_only_allow_delete` on every index with a shard on the full
 * node (status 429, "disk usage exceeded flood-stage watermark"); an operator's `index.blocks.read_only` or `write`
 * block reads the same way to a client: this index takes no writes now.
 */
function isReadOnlyBlock(type: string, reason: string): boolean {
  return type === 'cluster_block_exception' && /read[-_ ]only|index write|flood[- ]stage/i.test(reason);
}

/** Why Elasticsearch refused one item of a bulk request (a 409 version conflict is handled before this). */
export function itemFailureReason(status: number, type: string, reason: string): IndexingFailureReason {
  if (isReadOnlyBlock(type, reason)) return 'INDEX_READ_ONLY';
  if (status === 429) return 'BACKEND_BUSY';
  if (status === 503 || type === 'unavailable_shards_exception' || type === 'no_shard_available_action_exception') {
    return 'SHARD_UNAVAILABLE';
  }
  if (status === 400) return 'DOCUMENT_REJECTED';
  return 'OTHER';
}
