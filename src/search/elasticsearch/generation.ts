/**
 * A token that changes whenever what searches see changes: the index behind the alias, its live document count and
 * its highest sequence number. Every index, update and delete takes a new sequence number, and a delete also lowers
 * the count, so any write changes the token once it is refreshed into view. It is read from Elasticsearch itself, so
 * every server replica computes the same token. Exact for our single-shard indices (index-mapping.ts): sequence
 * numbers are per shard.
 */
export const GENERATION_SEARCH = {
  size: 0,
  track_total_hits: true,
  aggs: { seq: { max: { field: '_seq_no' } }, index: { terms: { field: '_index', size: 1 } } },
};

export function generationOf(res: { hits: { total?: number | { value: number } }; aggregations?: unknown }): string {
  const aggs = res.aggregations as { seq: { value: number | null }; index: { buckets: { key: string }[] } };
  const total = typeof res.hits.total === 'number' ? res.hits.total : (res.hits.total?.value ?? 0);
  return `${aggs.index.buckets[0]?.key ?? 'empty'}:${total}:${aggs.seq.value ?? -1}`;
}
