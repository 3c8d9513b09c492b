import { AckLog, anomalies, readIndex } from '../support/acks';
import { syntheticCatalog, type FixtureProduct } from '../support/catalog';
import { startEsCluster, type EsCluster } from '../support/es-cluster';
import { closedLoop, countBy, percentile } from '../support/load';
import { startTestServer, type TestServer } from '../support/server';
import { diskWatermark, wholeClusterCrash } from './cluster-drills';

/**
 * A three-node Elasticsearch cluster of our own (never the shared node), one replica per shard, and the real server
 * given every node's URL. Nodes are killed with SIGKILL; what the server acknowledged must survive, and queries must
 * not notice. Figures are printed for the README's "Reliability" table.
 */
jest.setTimeout(20 * 60_000);

const N = 60;
// Generous for a loaded two-core machine running three JVMs: the deadlines are under test elsewhere (slow-es).
const ES_REQUEST_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 30_000;

let cluster: EsCluster;
let server: TestServer;
let catalog: FixtureProduct[];
let index: string;
const log = new AckLog();
const figures: Record<string, unknown> = {};

const seconds = (ms: number) => Math.round(ms / 100) / 10;
const batches = (from: number, size: number) => Array.from({ length: size }, (_, i) => catalog[(from + i) % N]);

beforeAll(async () => {
  catalog = await syntheticCatalog(23, N);
  const t0 = performance.now();
  cluster = await startEsCluster({ size: 3 });
  figures.clusterStartS = seconds(performance.now() - t0);
  server = await startTestServer({
    ES_URL: cluster.urls.join(','),
    ES_INDEX_REPLICAS: '1',
    ES_REQUEST_TIMEOUT_MS: String(ES_REQUEST_TIMEOUT_MS),
    REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
  });
  index = (await server.services.index.describeAlias())!.index;
  for (let i = 0; i < N; i += 20) await log.ingest(server.gql, batches(i, 20), 1);
  expect(log.tally()).toEqual({ 'IngestSuccess:CREATED': N });
  const health = await cluster.get(`/_cluster/health/${index}?wait_for_status=green&timeout=60s`);
  expect([health.status, health.number_of_nodes, health.active_shards]).toEqual(['green', 3, 2]);
});

afterAll(async () => {
  // eslint-disable-next-line no-console
  console.log(`es-cluster figures: ${JSON.stringify(figures)}`);
  await server?.stop().catch(() => undefined);
  await cluster?.stop();
});

describe('one node of three killed with SIGKILL (one replica per shard)', () => {
  let victim: number;
  const QUERY = `query($ids: [ID!]!, $id: ID!) {
    products(ids: $ids) { id title version }
    similarProducts(id: $id, first: 8) { __typename ... on ProductHits { hits { product { id } } } }
  }`;

  it('(a) under steady GraphQL query load: zero failed queries, every answer exact', async () => {
    victim = await cluster.nodeHolding(index, 'p');
    const expected = (n: number) => batches(n * 7, 5).map((p) => ({ id: p.record.id, title: log.acked.get(p.record.id)!.title, version: 1 }));
    const load = closedLoop(4, async (client, n) => {
      const want = expected(client * 1000 + n);
      const res = await server.gql(QUERY, { ids: want.map((w) => w.id), id: want[0].id }, { key: null });
      const d = res.body.data;
      const exact =
        res.status === 200 &&
        !res.body.errors &&
        JSON.stringify(d?.products) === JSON.stringify(want) &&
        d?.similarProducts.__typename === 'ProductHits' &&
        d.similarProducts.hits.length === 8;
      return { status: res.status, outcome: exact ? 'ok' : JSON.stringify(res.body).slice(0, 300) };
    });
    await new Promise((r) => setTimeout(r, 3000));
    const killedAt = performance.now();
    await cluster.killNode(victim);
    const killMs = performance.now() - killedAt;
    await new Promise((r) => setTimeout(r, 8000));
    const shots = await load.stop();

    const afterKill = shots.filter((s) => s.at >= shots[0].at + 3000);
    figures.queryLoad = {
      victim,
      queries: shots.length,
      duringAndAfterKill: afterKill.length,
      p50Ms: Math.round(percentile(shots.map((s) => s.ms), 50)),
      p99Ms: Math.round(percentile(shots.map((s) => s.ms), 99)),
      maxMs: Math.round(Math.max(...shots.map((s) => s.ms))),
      killTookMs: Math.round(killMs),
    };
    expect(countBy(shots, (s) => s.outcome)).toEqual({ ok: shots.length });
    expect(afterKill.length).toBeGreaterThan(0);
    // The surviving copy is the primary; its new replica waits for index.unassigned.node_left.delayed_timeout (1 min).
    const health = await cluster.get(`/_cluster/health/${index}`);
    const nodes = (await cluster.get('/_cat/nodes?format=json&h=name')).map((n: { name: string }) => n.name).sort();
    expect([health.status, health.number_of_nodes, health.active_primary_shards, nodes.includes(`node-${victim}`)]).toEqual(['yellow', 2, 1, false]);
  });

  it('(c) the killed node restarted: green again, three nodes, both copies started', async () => {
    const t0 = performance.now();
    await cluster.startNode(victim);
    figures.rejoinToGreenS = seconds(performance.now() - t0);
    const health = await cluster.get(`/_cluster/health/${index}`);
    expect([health.status, health.number_of_nodes, health.active_shards, health.unassigned_shards]).toEqual(['green', 3, 2, 0]);
  });

  it('(b) killed during bulk ingest: every acknowledged product is present with its version after it rejoins', async () => {
    victim = await cluster.nodeHolding(index, 'p');
    let version = 2;
    let writing = true;
    const writer = (async () => {
      for (let round = 0; writing; round++) await log.ingest(server.gql, batches(round * 20, 20), version++);
    })();
    await new Promise((r) => setTimeout(r, 2000));
    const before = log.latencies.length;
    await cluster.killNode(victim);
    await new Promise((r) => setTimeout(r, 4000));
    const t0 = performance.now();
    await cluster.startNode(victim); // the writer keeps writing while the node recovers its copy
    figures.bulkRejoinS = seconds(performance.now() - t0);
    writing = false;
    await writer;

    const stored = await readIndex(cluster.urls[0], server.services.index.alias);
    const { lost, foreign } = anomalies(log, stored);
    figures.bulk = { calls: log.latencies.length, callsFromKill: log.latencies.length - before, outcomes: log.tally(), maxCallMs: Math.round(Math.max(...log.latencies)) };
    expect({ lost, foreign, size: stored.size }).toEqual({ lost: [], foreign: [], size: N });
    // Each product's newest acknowledged version is the stored one: one writer, so nothing newer was sent unanswered.
    expect([...stored].filter(([id, s]) => s.version !== log.acked.get(id)!.version)).toEqual([]);
    // Both copies of the shard hold the same documents.
    for (const copy of ['p', 'r'] as const) {
      const node = await cluster.nodeHolding(index, copy);
      const local = await readIndex(cluster.urls[node - 1], server.services.index.alias, { preference: '_only_local' });
      expect(local).toEqual(stored);
    }
  });
});

describe('disk flood-stage watermark on the cluster', () => {
  it('writes get IndexingFailed INDEX_READ_ONLY, reads keep working, writes resume without operator action', async () => {
    Object.assign(figures, { watermark: await diskWatermark({ cluster, server, log, catalog }) });
  });
});

describe('the whole cluster killed mid-bulk and restarted', () => {
  it('typed errors within the deadline, /readyz 503 and back by itself, and a rerun converges exactly', async () => {
    Object.assign(figures, { crash: await wholeClusterCrash({ cluster, server, log, catalog, requestTimeoutMs: REQUEST_TIMEOUT_MS }) });
  });
});
