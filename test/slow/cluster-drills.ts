import { anomalies, readIndex, type AckLog, type Call } from '../support/acks';
import type { FixtureProduct } from '../support/catalog';
import type { EsCluster } from '../support/es-cluster';
import { countBy, postGql } from '../support/load';
import type { TestServer } from '../support/server';

/**
 * The two drills of es-cluster.slow.test.ts that take Elasticsearch's writes away as a whole: a full disk and a
 * crash of every node. Each asserts exact counts and returns its measured figures.
 */

interface Drill {
  cluster: EsCluster;
  server: TestServer;
  log: AckLog;
  catalog: FixtureProduct[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const seconds = (ms: number) => Math.round(ms / 100) / 10;

/** Polls `check` every `everyMs` until it returns true; resolves with the time it took. */
async function until(what: string, check: () => Promise<boolean>, o: { everyMs: number; timeoutMs: number }): Promise<number> {
  const t0 = performance.now();
  for (;;) {
    if (await check()) return performance.now() - t0;
    if (performance.now() - t0 > o.timeoutMs) throw new Error(`${what}: not reached within ${o.timeoutMs} ms`);
    await sleep(o.everyMs);
  }
}

const READS = `query($ids: [ID!]!, $id: ID!) { products(ids: $ids) { id version } similarProducts(id: $id, first: 5) { __typename } }`;

/** Reads that must keep working: products by id (exact) and a similarity query, both through the server. */
async function readsWork(server: TestServer, log: AckLog, ids: string[]): Promise<boolean> {
  const res = await server.gql(READS, { ids, id: ids[0] }, { key: null });
  const want = ids.map((id) => ({ id, version: log.acked.get(id)!.version }));
  return res.status === 200 && !res.body.errors && JSON.stringify(res.body.data!.products) === JSON.stringify(want) && res.body.data!.similarProducts.__typename === 'ProductHits';
}

const WATERMARKS = ['low', 'high', 'flood_stage'].map((w) => `cluster.routing.allocation.disk.watermark.${w}`);

/**
 * Flood stage simulated with the watermark settings (every node must keep 100 TB free): Elasticsearch's disk monitor
 * puts `index.blocks.read_only_allow_delete` on every index, and takes it off by itself once usage is back under the
 * high watermark (here: the settings reset), at its next run (`cluster.info.update.interval`, 10 s here, 30 s by
 * default).
 */
export async function diskWatermark({ cluster, server, log, catalog }: Drill) {
  const alias = server.services.index.alias;
  const index = (await server.services.index.describeAlias())!.index;
  const blockSetting = async () =>
    (await cluster.get(`/${index}/_settings?flat_settings=true`))[index].settings['index.blocks.read_only_allow_delete'];
  let version = 1000;
  const one = () => log.ingest(server.gql, [catalog[0]], version++);
  const ids = catalog.slice(0, 10).map((p) => p.record.id);

  await cluster.put('/_cluster/settings', { persistent: { 'cluster.info.update.interval': '10s' } });
  await cluster.put('/_cluster/settings', { transient: Object.fromEntries(WATERMARKS.map((w) => [w, '100tb'])) });
  let first = '';
  const blockMs = await until('writes refused', async () => (first = (await one()).outcomes[0]) !== 'IngestSuccess:UPDATED', {
    everyMs: 500,
    timeoutMs: 120_000,
  });
  expect([first, await blockSetting()]).toEqual(['IndexingFailed:INDEX_READ_ONLY', 'true']);

  const blocked: Call = await log.ingest(server.gql, catalog.slice(0, 20), version++);
  expect(countBy(blocked.outcomes, (o) => o)).toEqual({ 'IndexingFailed:INDEX_READ_ONLY': 20 });
  expect(blocked.messages.every((m) => /flood-stage watermark, index has read-only-allow-delete block/.test(m))).toBe(true);
  expect(await readsWork(server, log, ids)).toBe(true);

  // Space returns: nothing else is done by the operator or the test.
  await cluster.put('/_cluster/settings', { transient: Object.fromEntries(WATERMARKS.map((w) => [w, null])) });
  const releaseMs = await until('writes resume', async () => (await one()).outcomes[0] === 'IngestSuccess:UPDATED', {
    everyMs: 500,
    timeoutMs: 120_000,
  });
  expect(await blockSetting()).toBeUndefined();
  const resumed = await log.ingest(server.gql, catalog.slice(0, 20), version++);
  expect(countBy(resumed.outcomes, (o) => o)).toEqual({ 'IngestSuccess:UPDATED': 20 });
  await cluster.put('/_cluster/settings', { persistent: { 'cluster.info.update.interval': null } });

  const stored = await readIndex(cluster.urls[0], alias);
  expect({ ...anomalies(log, stored), size: stored.size }).toEqual({ lost: [], foreign: [], size: catalog.length });
  return { blockAfterS: seconds(blockMs), writesResumeAfterS: seconds(releaseMs), refusedItems: blocked.outcomes.length };
}

/**
 * Every node SIGKILLed while a writer runs: calls fail fast with typed errors, readiness reports it, and after the
 * restart the server recovers by itself; rerunning the same input then converges exactly.
 */
export async function wholeClusterCrash({ cluster, server, log, catalog, requestTimeoutMs }: Drill & { requestTimeoutMs: number }) {
  const alias = server.services.index.alias;
  const N = catalog.length;
  const V = 5000;
  const ready = async () => (await fetch(server.url.replace('/graphql', '/readyz'))).status;
  let writing = true;
  const writer = (async () => {
    for (let round = 0; writing; round++) {
      await log.ingest(server.gql, Array.from({ length: 20 }, (_, i) => catalog[(round * 20 + i) % N]), V);
    }
  })();
  await sleep(1500);
  await Promise.all(Array.from({ length: cluster.size }, (_, i) => cluster.killNode(i + 1)));
  // Calls sent from here on meet no live node. Calls sent while the kills were still in progress may legitimately
  // succeed (one answered UNCHANGED from a node that had not died yet), so they are not judged as 'during'.
  const killedAt = performance.now();
  const notReadyMs = await until('/readyz 503', async () => (await ready()) === 503, { everyMs: 100, timeoutMs: 30_000 });
  const t0 = performance.now();
  const query = await postGql(server.url, `{ similarProducts(id: "${catalog[0].record.id}") { __typename } }`);
  const queryMs = performance.now() - t0;
  expect(query.body.errors?.map((e) => e.extensions?.code)).toEqual(['SEARCH_BACKEND_UNAVAILABLE']);
  await sleep(5000);
  writing = false;
  await writer;

  const during = log.calls.filter((c) => c.at >= killedAt);
  expect(during.length).toBeGreaterThan(0);
  const kinds = countBy(during.flatMap((c) => c.outcomes), (o) => o.replace(/^IndexingFailed:.*/, 'IndexingFailed'));
  expect(Object.keys(kinds).filter((k) => k !== 'call:SEARCH_BACKEND_UNAVAILABLE' && k !== 'IndexingFailed')).toEqual([]);
  expect(during.filter((c) => c.ms > requestTimeoutMs)).toEqual([]);

  const restartedAt = performance.now();
  await cluster.startAll();
  const greenMs = performance.now() - restartedAt;
  const readyMs = await until('/readyz 200', async () => (await ready()) === 200, { everyMs: 100, timeoutMs: 60_000 });

  // Nothing acknowledged was lost, nothing half-written appeared; then the same input again converges exactly.
  const afterCrash = await readIndex(cluster.urls[0], alias);
  expect({ ...anomalies(log, afterCrash), size: afterCrash.size }).toEqual({ lost: [], foreign: [], size: N });
  const rerun: string[] = [];
  for (let i = 0; i < N; i += 20) rerun.push(...(await log.ingest(server.gql, catalog.slice(i, i + 20), V)).outcomes);
  expect(rerun.filter((o) => !/^IngestSuccess:(UPDATED|UNCHANGED)$/.test(o))).toEqual([]);
  const stored = await readIndex(cluster.urls[0], alias);
  expect([...stored].filter(([, s]) => s.version !== V || !s.title.endsWith(`@${V}`))).toEqual([]);
  expect(stored.size).toBe(N);
  return {
    callsDuringOutage: during.length,
    outcomesDuringOutage: kinds,
    maxCallMsDuringOutage: Math.round(Math.max(...during.map((c) => c.ms))),
    queryDuringOutageMs: Math.round(queryMs),
    readyz503AfterS: seconds(notReadyMs),
    clusterRestartToGreenS: seconds(greenMs),
    readyz200AfterGreenS: seconds(readyMs),
    rerun: countBy(rerun, (o) => o),
  };
}
