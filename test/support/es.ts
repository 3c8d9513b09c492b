import type { Hit, Restriction } from '../../src/catalog/product-index';
import { ElasticsearchProductIndex } from '../../src/search/elasticsearch/elasticsearch.adapter';

/** The Elasticsearch that scripts/test.sh started (or ES_URL). Each suite gets its own alias so suites never collide. */
export const ES_URL = process.env.ES_URL ?? 'http://127.0.0.1:9200';

export function testIndex(prefix: string): ElasticsearchProductIndex {
  const alias = `test-${prefix}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`.toLowerCase();
  return ElasticsearchProductIndex.connect({ url: ES_URL, indexAlias: alias, requestTimeoutMs: 30_000, maxRetries: 1 });
}

/** Drops every index behind an alias that a spawned server process created (the test holds no connection of its own). */
export async function dropAlias(alias: string): Promise<void> {
  const index = ElasticsearchProductIndex.connect({ url: ES_URL, indexAlias: alias, requestTimeoutMs: 10_000, maxRetries: 0 });
  try {
    await index.dropAll();
  } finally {
    await index.close();
  }
}

/** The kNN side of one retrieval round, for adapter tests that only need neighbours. */
export async function knn(index: ElasticsearchProductIndex, vector: ArrayLike<number>, k: number, restriction: Restriction = {}): Promise<Hit[]> {
  return (await index.retrieve({ restriction, vector: { vector, from: 0, size: k, numCandidates: 100 } })).vector!;
}
