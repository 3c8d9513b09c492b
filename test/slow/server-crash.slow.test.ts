import { AckLog, anomalies, readIndex } from '../support/acks';
import { syntheticCatalog, toInput, type FixtureProduct } from '../support/catalog';
import { dropAlias, ES_URL } from '../support/es';
import { countBy, postGql } from '../support/load';
import { spawnServer, type ServerProcess } from '../support/server-process';
import type { GqlResponse } from '../support/server';
import { TcpProxy } from '../support/tcp-proxy';

/**
 * The server process SIGKILLed in the middle of ingestProducts, twice, at the two moments that matter: right after
 * Elasticsearch applied a bulk but before the server could acknowledge it, and while a batch was still being embedded
 * (nothing written yet). A proxy between server and Elasticsearch says when each moment is reached, so the counts are
 * exact. After restarting and rerunning the whole input, the index must be exactly the input.
 */
jest.setTimeout(10 * 60_000);

const N = 100;
const BATCH = 10;
const V = 7;

describe('the server killed (SIGKILL) mid-bulk', () => {
  const es = new URL(ES_URL);
  const proxy = new TcpProxy({ host: es.hostname, port: Number(es.port || 9200) });
  const alias = `test-crash-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  let catalog: FixtureProduct[];
  let server: ServerProcess | undefined;
  const log = new AckLog();

  const start = async () => (server = await spawnServer({ ES_URL: proxy.url, ES_INDEX_ALIAS: alias }));
  const gql = (query: string, variables?: Record<string, unknown>) => postGql(server!.url, query, variables) as Promise<GqlResponse>;
  const batch = (b: number) => catalog.slice(b * BATCH, (b + 1) * BATCH);

  /** Sends batch `b`, SIGKILLs the server when `moment` is seen on the way to Elasticsearch, and waits for the exit. */
  async function crashDuring(b: number, moment: 'bulk applied, answer not yet relayed' | 'batch being embedded') {
    const s = server!;
    const kill = () => {
      proxy.onRequest = proxy.onResponse = undefined;
      s.child.kill('SIGKILL');
    };
    if (moment === 'bulk applied, answer not yet relayed') {
      proxy.latency(2000); // Elasticsearch's answers reach the server 2 s late: a window to die in after the write
      proxy.onResponse = (line) => /\/_bulk/.test(line) && kill();
    } else {
      // The batch's first read (the realtime mget of its stored versions), before any embedding or write. Not a
      // search: the duplicate check's msearch runs beside the bulk, so dying there could race the write.
      proxy.onRequest = (line) => /\/_mget/.test(line) && kill();
    }
    const call = await log.ingest(gql, batch(b), V);
    const exit = await s.exited;
    proxy.latency(0);
    return { call, exit };
  }

  beforeAll(async () => {
    catalog = await syntheticCatalog(41, N);
    await proxy.open();
  });
  afterAll(async () => {
    server?.child.kill('SIGKILL');
    await server?.exited;
    await proxy.close();
    await dropAlias(alias);
  });

  it('loses nothing acknowledged, half-writes nothing, and converges exactly on a rerun', async () => {
    await start();
    for (let b = 0; b < 3; b++) await log.ingest(gql, batch(b), V);
    const first = await crashDuring(3, 'bulk applied, answer not yet relayed');
    expect(first.exit.signal).toBe('SIGKILL');
    expect(first.call.outcomes).toEqual(['call:TypeError']); // fetch failed: the connection died with the process

    await start();
    for (let b = 4; b < 6; b++) await log.ingest(gql, batch(b), V);
    const second = await crashDuring(6, 'batch being embedded');
    expect([second.exit.signal, second.call.outcomes]).toEqual(['SIGKILL', ['call:TypeError']]);

    // Before any rerun: every acknowledged product is there; the batch applied unacknowledged is there whole; the
    // batch killed before its bulk is absent; nothing else.
    const afterCrashes = await readIndex(ES_URL, alias);
    expect({ ...anomalies(log, afterCrashes), acked: log.acked.size, stored: afterCrashes.size }).toEqual({
      lost: [],
      foreign: [],
      acked: 5 * BATCH,
      stored: 6 * BATCH,
    });
    expect(batch(3).every((p) => afterCrashes.has(p.record.id)) && batch(6).every((p) => !afterCrashes.has(p.record.id))).toBe(true);

    await start();
    const rerun: string[] = [];
    for (let b = 0; b < N / BATCH; b++) rerun.push(...(await log.ingest(gql, batch(b), V)).outcomes);
    expect(countBy(rerun, (o) => o)).toEqual({ 'IngestSuccess:CREATED': 4 * BATCH, 'IngestSuccess:UNCHANGED': 6 * BATCH });

    // Exactly the input: one document per product, each with the input's content and version (ingest does not
    // refresh unless asked, so the check does).
    await fetch(`${ES_URL}/${alias}/_refresh`, { method: 'POST' });
    const res = await fetch(`${ES_URL}/${alias}/_search?size=1000`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ _source: { excludes: ['image_vector*', 'images*'] }, sort: [{ id: 'asc' }] }),
    });
    const hits = ((await res.json()) as { hits: { hits: { _id: string; _source: Record<string, unknown> }[] } }).hits.hits;
    const SCALARS = ['id', 'title', 'brand', 'category', 'color', 'price', 'currency', 'inStock', 'version'] as const;
    const pick = (o: Record<string, unknown>) => Object.fromEntries(SCALARS.map((k) => [k, o[k]]));
    const want = catalog.map((p) => pick(toInput(p, { version: V, title: `${p.record.title} @${V}` }) as never));
    expect(hits.map((h) => pick(h._source))).toEqual(want.sort((a, b) => String(a.id).localeCompare(String(b.id))));
    expect(hits.map((h) => h._id)).toEqual(hits.map((h) => h._source.id));
  });
});
