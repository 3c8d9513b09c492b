import { sha256Hex } from '../../src/server/auth';
import { loadCatalog, syntheticCatalog, type FixtureProduct } from '../support/catalog';
import { serveBytes, startFixtureServer, type FixtureServer } from '../support/fixture-server';
import { parsePrometheus, sampleValue, type Sample } from '../support/prometheus';
import { startTestServer, type TestServer } from '../support/server';

/**
 * /metrics scraped over HTTP and parsed: requests made before the scrape are counted under their GraphQL operation
 * and result type with exact counts, next to the HTTP, embedding, image-fetch, Elasticsearch, model and index series.
 */
const METRICS_KEY = 'metrics-key-0123456789';
const SIMILAR = `query($id: ID!) { similarProducts(id: $id, first: 3) { __typename } }`;
const BY_IMAGE = `query($url: String!) { searchByImage(image: { url: $url }, first: 3) { __typename } }`;

describe('/metrics', () => {
  let server: TestServer;
  let cdn: FixtureServer;
  let catalog: FixtureProduct[];
  let samples: Sample[];

  beforeAll(async () => {
    catalog = await syntheticCatalog(31, 6);
    cdn = await startFixtureServer({ '/photo.jpg': serveBytes(catalog[1].jpeg) });
    server = await startTestServer({ METRICS_PORT: '0', METRICS_API_KEY_SHA256: sha256Hex(METRICS_KEY) });
    await loadCatalog(server.services, catalog);

    const answers: string[] = [];
    const typename = async (query: string, variables: Record<string, unknown>) => {
      const res = await server.gql(query, variables);
      answers.push(`${res.status} ${Object.values(res.body.data ?? {}).map((v) => (v as { __typename?: string })?.__typename).join()}`);
    };
    for (let i = 0; i < 3; i++) await typename(SIMILAR, { id: catalog[0].record.id });
    for (let i = 0; i < 2; i++) await typename(SIMILAR, { id: 'no-such-product' });
    await typename(BY_IMAGE, { url: cdn.url('/photo.jpg') });
    await typename(BY_IMAGE, { url: cdn.url('/missing.jpg') });
    await typename(`mutation { deleteProduct(id: "never-existed") { __typename } }`, {});
    await typename(`{ noSuchField }`, {});
    expect(answers).toEqual([
      ...Array(3).fill('200 ProductHits'),
      ...Array(2).fill('200 ProductNotFound'),
      '200 ProductHits',
      '200 ImageFetchFailed',
      '200 ProductNotFound',
      '400 ',
    ]);
    const scrape = await fetch(server.metricsUrl!);
    expect(scrape.status).toBe(200);
    expect(scrape.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    samples = parsePrometheus(await scrape.text());
  });

  afterAll(async () => {
    await server?.stop();
    await cdn?.close();
  });

  const count = (name: string, labels: Record<string, string>) => sampleValue(samples, `${name}_count`, labels);

  it('counts each GraphQL root field under its result type', () => {
    const graphql = (operation: string, result: string) => count('graphql_operation_duration_seconds', { operation, result });
    expect(graphql('similarProducts', 'ProductHits')).toBe(3);
    expect(graphql('similarProducts', 'ProductNotFound')).toBe(2);
    expect(graphql('searchByImage', 'ProductHits')).toBe(1);
    expect(graphql('searchByImage', 'ImageFetchFailed')).toBe(1);
    expect(graphql('deleteProduct', 'ProductNotFound')).toBe(1);
    expect(graphql('(none)', 'GRAPHQL_VALIDATION_FAILED')).toBe(1);
    const all = samples.filter((s) => s.name === 'graphql_operation_duration_seconds_count').reduce((n, s) => n + s.value, 0);
    expect(all).toBe(9);
  });

  it('counts HTTP requests by route, method and status', () => {
    expect(count('http_request_duration_seconds', { route: 'graphql', method: 'POST', status: '200' })).toBe(8);
    expect(count('http_request_duration_seconds', { route: 'graphql', method: 'POST', status: '400' })).toBe(1);
  });

  it('reports embedding batches, queue depth, image fetches and Elasticsearch requests', () => {
    // 6 catalog images and 1 searched image went through the vision tower, however they were batched.
    expect(sampleValue(samples, 'embedding_batch_size_sum', { tower: 'image' })).toBe(7);
    expect(sampleValue(samples, 'work_queue_depth', { queue: 'embed_image' })).toBe(0);
    expect(sampleValue(samples, 'work_queue_depth', { queue: 'embed_text' })).toBe(0);
    expect(sampleValue(samples, 'work_queue_depth', { queue: 'decode' })).toBe(0);
    expect(count('image_fetch_duration_seconds', { outcome: 'ok' })).toBe(1);
    expect(count('image_fetch_duration_seconds', { outcome: 'IMAGE_FETCH_FAILED' })).toBe(1);
    expect(count('elasticsearch_request_duration_seconds', { endpoint: '_bulk' })).toBeGreaterThanOrEqual(1);
    expect(sampleValue(samples, 'elasticsearch_request_errors_total', { endpoint: '_doc', kind: 'status_404' })).toBe(1);
  });

  it('names the model and the index behind the alias, and exports process metrics', async () => {
    const { dims, modelId } = server.services.embedder;
    expect(sampleValue(samples, 'model_info', { model_id: modelId, dims: String(dims) })).toBe(1);
    const index = (await server.services.index.describeAlias())!.index;
    expect(sampleValue(samples, 'search_index_info', { alias: server.services.index.alias, index })).toBe(1);
    expect(sampleValue(samples, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(sampleValue(samples, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
  });

  it('serves only /metrics on its own port', async () => {
    expect((await fetch(server.metricsUrl!.replace('/metrics', '/graphql'))).status).toBe(404);
  });

  it('serves /metrics on the main port only to a metrics key', async () => {
    const main = server.url.replace('/graphql', '/metrics');
    expect((await fetch(main)).status).toBe(401);
    expect((await fetch(main, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    const ok = await fetch(main, { headers: { authorization: `Bearer ${METRICS_KEY}` } });
    expect(ok.status).toBe(200);
    expect(sampleValue(parsePrometheus(await ok.text()), 'graphql_operation_duration_seconds_count', { operation: 'similarProducts', result: 'ProductHits' })).toBe(3);
  });
});
