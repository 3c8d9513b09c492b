import type { ElasticsearchObserver } from '../../common/metrics';

export type { ElasticsearchObserver };

type Failure = { name: string; statusCode?: number };
type Meta = { request: { params: { path: string } }; duration?: number };

/** Reports every HTTP request of an Elasticsearch client (its diagnostic `response` events) to `observer`. */
export function observeRequests(
  client: { diagnostic: { on(event: 'response', listener: (err: Failure | null, result: { meta: Meta } | null) => void): unknown } },
  observer: ElasticsearchObserver,
): void {
  client.diagnostic.on('response', (err, result) => observer.requestDone(...describeRequest(err, result?.meta)));
}

/**
 * Names a finished Elasticsearch request for metrics, from the client's diagnostic `response` event: a bounded
 * endpoint label (index names stripped: `/products--x/_search` is `_search`), the last attempt's latency, and what
 * went wrong, if anything.
 */
export function describeRequest(
  err: Failure | null,
  meta: Meta | undefined,
): [endpoint: string, seconds: number, error?: string] {
  const parts = (meta?.request.params.path ?? '').split('/').filter(Boolean);
  const at = parts.findIndex((p) => p.startsWith('_'));
  // `_cluster/health`, `_cat/indices`: the second part names the API; `_doc/<id>`, `_alias/<name>` carry data.
  const endpoint = at < 0 ? 'index' : ['_cluster', '_cat', '_nodes'].includes(parts[at]) && parts[at + 1] ? `${parts[at]}/${parts[at + 1]}` : parts[at];
  return [endpoint, (meta?.duration ?? 0) / 1000, err ? failureKind(err) : undefined];
}

function failureKind(err: Failure): string {
  if (err.name === 'ResponseError') return `status_${err.statusCode ?? 'unknown'}`;
  if (err.name === 'TimeoutError') return 'timeout';
  if (err.name === 'ConnectionError' || err.name === 'NoLivingConnectionsError') return 'connection';
  if (err.name === 'RequestAbortedError') return 'aborted';
  return 'other';
}
