import { INGEST, versioned } from '../support/acks';
import { syntheticCatalog, type FixtureProduct } from '../support/catalog';
import { countBy } from '../support/load';
import { startTestServer, type TestServer } from '../support/server';

/**
 * Two writers of one product race, each inside its own bulk call (with other products around it), at different
 * versions and random delays, many times over. Whatever the interleaving, the newest version is what stays; the
 * older write is either refused as StaleVersion or, when it landed first, overwritten by the newer one.
 */
const RUNS = 40;

describe('concurrent writers of one product', () => {
  let server: TestServer;
  let catalog: FixtureProduct[];

  beforeAll(async () => {
    catalog = await syntheticCatalog(31, 6);
    server = await startTestServer();
  });
  afterAll(() => server?.stop());

  const stored = async (id: string) => {
    const res = await server.gql(`query($id: ID!) { product(id: $id) { version title } }`, { id });
    return res.body.data!.product as { version: number; title: string };
  };

  it(`the newest version wins in each of ${RUNS} races`, async () => {
    const rows: { newer: string; older: string; olderLandedFirst: boolean }[] = [];
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    for (let run = 0; run < RUNS; run++) {
      const [a, b] = [1 + Math.floor(Math.random() * 1e6), 1 + Math.floor(Math.random() * 1e6)];
      if (a === b) continue;
      const racer = { ...catalog[0], record: { ...catalog[0].record, id: `race-${run}` } };
      const bulk = (version: number, others: FixtureProduct[]) => {
        const inputs = [racer, ...others].map((p, i) => versioned(p, i === 0 ? version : version + 1).input);
        return sleep(Math.random() * 25).then(() => server.gql(INGEST, { inputs: inputs.map((x, i) => (i === 0 ? x : { ...x, id: `${x.id}-${run}-${version}` })) }));
      };
      const [ra, rb] = await Promise.all([bulk(a, catalog.slice(1, 3)), bulk(b, catalog.slice(3, 6))]);
      const first = (r: typeof ra) => {
        const x = r.body.data!.ingestProducts.results[0];
        return `${x.__typename}${x.status ? `:${x.status}` : ''}`;
      };
      const [newer, older] = a > b ? [first(ra), first(rb)] : [first(rb), first(ra)];
      const max = Math.max(a, b);
      const s = await stored(racer.record.id);
      expect([s.version, s.title]).toEqual([max, `${racer.record.title} @${max}`]);
      // The racer's bulk neighbours always land.
      for (const r of [ra, rb]) expect(r.body.data!.ingestProducts.results.slice(1).map((x: { status: string }) => x.status)).toEqual(r === ra ? ['CREATED', 'CREATED'] : ['CREATED', 'CREATED', 'CREATED']);
      rows.push({ newer, older, olderLandedFirst: older.startsWith('IngestSuccess') });
    }
    // The newer write always succeeds; the older one is StaleVersion, unless it landed first: then it was CREATED and the
    // newer one UPDATED it (the status says what Elasticsearch did, not what the read before the write suggested).
    const byOutcome = countBy(rows, (r) => `${r.newer} / ${r.older}`);
    const allowed = ['IngestSuccess:CREATED / StaleVersion', 'IngestSuccess:UPDATED / IngestSuccess:CREATED'];
    expect(Object.keys(byOutcome).filter((k) => !allowed.includes(k))).toEqual([]);
    expect(rows.length).toBeGreaterThanOrEqual(RUNS - 1);
    // eslint-disable-next-line no-console
    console.log(`version race: ${JSON.stringify(byOutcome)}`);
  });
});
