import { AppError } from '../../src/common/errors';
import { itemFailureReason, msearchPartFailure, translateError } from '../../src/search/elasticsearch/failures';

/** Client errors as @elastic/transport names them; the bodies are what Elasticsearch 9.2 answers. */
function clientError(name: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(`${name} happened`), { name }, extra);
}
const FLOOD = 'index [products--m1] blocked by: [TOO_MANY_REQUESTS/12/disk usage exceeded flood-stage watermark, index has read-only-allow-delete block];';

describe('Elasticsearch failures', () => {
  it('names a read-only index INDEX_READ_ONLY, a 503 SEARCH_BACKEND_UNAVAILABLE, anything else SEARCH_BACKEND_ERROR', () => {
    const blocked = translateError(clientError('ResponseError', { statusCode: 429, body: { error: { type: 'cluster_block_exception', reason: FLOOD } } }));
    expect((blocked as AppError).code).toBe('INDEX_READ_ONLY');
    const other = translateError(clientError('ResponseError', { statusCode: 400, body: { error: { type: 'parsing_exception', reason: 'x' } } }));
    expect([(other as AppError).code, (other as AppError).message]).toEqual(['SEARCH_BACKEND_ERROR', 'Elasticsearch answered 400 (parsing_exception)']);
    // A restarting cluster (no master, state not recovered, no shard copy) answers 503: unavailable, not broken.
    const starting = translateError(clientError('ResponseError', { statusCode: 503, body: { error: { type: 'cluster_block_exception', reason: 'blocked by: [SERVICE_UNAVAILABLE/1/state not recovered / initialized];' } } }));
    expect((starting as AppError).code).toBe('SEARCH_BACKEND_UNAVAILABLE');
  });

  it.each([
    [503, 'search_phase_execution_exception', true, 'SEARCH_BACKEND_UNAVAILABLE'],
    [429, 'es_rejected_execution_exception', true, 'SEARCH_BACKEND_ERROR'],
    [504, 'timeout', true, 'SEARCH_BACKEND_ERROR'],
    [400, 'parsing_exception', false, 'SEARCH_BACKEND_ERROR'],
    [500, 'illegal_state_exception', false, 'SEARCH_BACKEND_ERROR'],
  ])('a failed msearch part with %i %s: transient %s, the fault %s', (status, type, transient, code) => {
    const out = msearchPartFailure({ status, error: { type, reason: 'r' } });
    expect([out.transient, out.error.code, out.error.message]).toEqual([transient, code, `A search of an msearch failed: ${status} ${type} (r)`]);
  });

  it('passes our own faults and bugs through untouched', () => {
    const fault = new AppError('OVERLOADED', 'busy');
    const bug = new TypeError('x is undefined');
    expect(translateError(fault)).toBe(fault);
    expect(translateError(bug)).toBe(bug);
  });

  it.each([
    [429, 'cluster_block_exception', FLOOD, 'INDEX_READ_ONLY'],
    [403, 'cluster_block_exception', 'index [p] blocked by: [FORBIDDEN/8/index write (api)];', 'INDEX_READ_ONLY'],
    [403, 'cluster_block_exception', 'index [p] blocked by: [FORBIDDEN/5/index read-only (api)];', 'INDEX_READ_ONLY'],
    [429, 'es_rejected_execution_exception', 'rejected execution of coordinating operation', 'BACKEND_BUSY'],
    [503, 'unavailable_shards_exception', '[p][0] primary shard is not active', 'SHARD_UNAVAILABLE'],
    [400, 'document_parsing_exception', 'failed to parse', 'DOCUMENT_REJECTED'],
    [500, 'exception', 'boom', 'OTHER'],
    [403, 'cluster_block_exception', 'blocked by: [TOO_MANY_REQUESTS/12/disk usage exceeded flood-stage watermark];', 'INDEX_READ_ONLY'],
    [403, 'cluster_block_exception', 'index [p] blocked by: [FORBIDDEN/12/index read_only_allow_delete (api)];', 'INDEX_READ_ONLY'],
    [503, 'cluster_block_exception', 'blocked by: [SERVICE_UNAVAILABLE/2/no master];', 'SHARD_UNAVAILABLE'],
    [403, 'security_exception', 'action [indices:data/write/bulk] is unauthorized, index read-only for this user', 'OTHER'],
    [503, 'illegal_state_exception', 'node closing', 'SHARD_UNAVAILABLE'],
    [500, 'no_shard_available_action_exception', 'no shard available for [index]', 'SHARD_UNAVAILABLE'],
    [500, 'unavailable_shards_exception', '[p][0] primary shard is not active', 'SHARD_UNAVAILABLE'],
    [409, 'illegal_argument_exception', 'x', 'OTHER'],
  ])('a bulk item refused with %i %s (%s) is %s', (status, type, reason, expected) => {
    expect(itemFailureReason(status, type, reason)).toBe(expected);
  });

  it.each([
    ['ConnectionError', 'SEARCH_BACKEND_UNAVAILABLE', 'Elasticsearch is unreachable: ConnectionError happened'],
    ['NoLivingConnectionsError', 'SEARCH_BACKEND_UNAVAILABLE', 'Elasticsearch is unreachable: NoLivingConnectionsError happened'],
    ['TimeoutError', 'SEARCH_BACKEND_UNAVAILABLE', 'Elasticsearch is unreachable: TimeoutError happened'],
    ['DeserializationError', 'SEARCH_BACKEND_ERROR', 'Elasticsearch client error: DeserializationError happened'],
    ['RequestAbortedError', 'SEARCH_BACKEND_ERROR', 'Elasticsearch client error: RequestAbortedError happened'],
    ['ConfigurationError', 'SEARCH_BACKEND_ERROR', 'Elasticsearch client error: ConfigurationError happened'],
    ['SerializationError', 'SEARCH_BACKEND_ERROR', 'Elasticsearch client error: SerializationError happened'],
    ['ProductNotSupportedError', 'SEARCH_BACKEND_ERROR', 'Elasticsearch client error: ProductNotSupportedError happened'],
    ['ElasticsearchClientError', 'SEARCH_BACKEND_ERROR', 'Elasticsearch client error: ElasticsearchClientError happened'],
  ])('%s becomes the fault %s with the client\'s message, the client error kept as the cause', (name, code, message) => {
    const e = clientError(name);
    const out = translateError(e);
    expect(out).toBeInstanceOf(AppError);
    expect([(out as AppError).code, (out as AppError).message, (out as AppError).cause]).toEqual([code, message, e]);
  });

  it('says why Elasticsearch refused: the block\'s reason, the status and the error type (unknown without a body)', () => {
    const e = clientError('ResponseError', { statusCode: 403, body: { error: { type: 'cluster_block_exception', reason: 'index [p] blocked by: [FORBIDDEN/5/index read-only (api)];' } } });
    const blocked = translateError(e) as AppError;
    expect([blocked.code, blocked.message, blocked.cause]).toEqual(['INDEX_READ_ONLY', 'Elasticsearch refused a write: index [p] blocked by: [FORBIDDEN/5/index read-only (api)];', e]);
    const noMaster = clientError('ResponseError', { statusCode: 503, body: { error: { type: 'master_not_discovered_exception' } } });
    const starting = translateError(noMaster) as AppError;
    expect([starting.code, starting.message, starting.cause]).toEqual(['SEARCH_BACKEND_UNAVAILABLE', 'Elasticsearch answered 503 (master_not_discovered_exception)', noMaster]);
    // A proxy in front of the cluster answers without Elasticsearch's error body.
    const bare = clientError('ResponseError', { statusCode: 502 });
    const proxied = translateError(bare) as AppError;
    expect([proxied.code, proxied.message, proxied.cause]).toEqual(['SEARCH_BACKEND_ERROR', 'Elasticsearch answered 502 (unknown)', bare]);
    expect((translateError(clientError('ResponseError', { statusCode: 503 })) as AppError).message).toBe('Elasticsearch answered 503 (unknown)');
  });

  it('passes thrown values that are not errors through untouched, even one named like a client error', () => {
    const lookalike = { name: 'ConnectionError', message: 'not an Error' };
    for (const v of [null, undefined, 'boom', lookalike]) expect(translateError(v)).toBe(v);
  });

  it('reads a failed msearch part without a status as 500, without a type as unknown, and gives no reason it has not', () => {
    const bare = msearchPartFailure({ error: {} });
    expect([bare.transient, bare.error.code, bare.error.message]).toEqual([false, 'SEARCH_BACKEND_ERROR', 'A search of an msearch failed: 500 unknown']);
    const gateway = msearchPartFailure({ status: 502, error: { type: 'bad_gateway' } });
    expect([gateway.transient, gateway.error.code, gateway.error.message]).toEqual([true, 'SEARCH_BACKEND_ERROR', 'A search of an msearch failed: 502 bad_gateway']);
  });
});
