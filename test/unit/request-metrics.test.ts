import { EventEmitter } from 'node:events';
import { describeRequest, observeRequests } from '../../src/search/elasticsearch/request-metrics';

const meta = (path: string, duration?: number) => ({ request: { params: { path } }, duration });

describe('describeRequest', () => {
  it.each([
    ['/products--tiny--8d--m2/_search', '_search'],
    ['/products/_doc/p-1', '_doc'],
    ['/_alias/products', '_alias'],
    ['/_bulk', '_bulk'],
    ['/products/_mget', '_mget'],
    ['/_cluster/health', '_cluster/health'],
    ['/_cat/indices', '_cat/indices'],
    ['/_nodes/stats', '_nodes/stats'],
    ['/_cluster', '_cluster'],
    ['/_cat/', '_cat'],
    ['/products--tiny--8d--m2', 'index'],
    ['/', 'index'],
    ['', 'index'],
    ['/a//_refresh', '_refresh'],
    ['/_search/_cluster', '_search'],
  ])('names %j as %s, with the index names stripped', (path, endpoint) => {
    expect(describeRequest(null, meta(path, 12))).toEqual([endpoint, 0.012, undefined]);
  });

  it('gives 0 seconds and the bare index endpoint when the client has no meta', () => {
    expect(describeRequest(null, undefined)).toEqual(['index', 0, undefined]);
    expect(describeRequest(null, meta('/_bulk'))).toEqual(['_bulk', 0, undefined]);
  });

  it.each([
    [{ name: 'ResponseError', statusCode: 429 }, 'status_429'],
    [{ name: 'ResponseError' }, 'status_unknown'],
    [{ name: 'TimeoutError', statusCode: 500 }, 'timeout'],
    [{ name: 'ConnectionError' }, 'connection'],
    [{ name: 'NoLivingConnectionsError' }, 'connection'],
    [{ name: 'RequestAbortedError' }, 'aborted'],
    [{ name: 'SerializationError' }, 'other'],
  ])('names the failure %j as %s', (err, kind) => {
    expect(describeRequest(err, meta('/_search', 1500))).toEqual(['_search', 1.5, kind]);
  });
});

describe('observeRequests', () => {
  it('reports every response event of the client, failed or not', () => {
    const diagnostic = new EventEmitter();
    const done: unknown[][] = [];
    observeRequests({ diagnostic }, { requestDone: (...args) => done.push(args) });
    diagnostic.emit('response', null, { meta: meta('/p/_search', 3) });
    diagnostic.emit('response', { name: 'TimeoutError' }, null);
    expect(done).toEqual([
      ['_search', 0.003, undefined],
      ['index', 0, 'timeout'],
    ]);
  });
});
