/**
 * Steady "more like this" traffic while 20 image searches run at once, over real HTTP against the real server.
 * Reports p50/p99 latency of similarProducts alone and under the image load. Loopback only, bounded in count.
 *
 *   npm run es:start && npx tsx bench/mixed-load.bench.ts [queries=400] [imageConcurrency=20]
 */
import 'reflect-metadata';
import { setLogLevel } from '../src/common/logger';
import { syntheticCatalog, toInput } from '../test/support/catalog';
import { startTestServer, type TestServer } from '../test/support/server';

const QUERIES = Number(process.argv[2] ?? 400);
const IMAGE_CONCURRENCY = Number(process.argv[3] ?? 20);
const CATALOG = 300;

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

async function similarLatencies(server: TestServer, ids: string[], n: number): Promise<number[]> {
  const out: number[] = [];
  // Four storefront clients in a closed loop.
  await Promise.all(
    Array.from({ length: 4 }, async (_, w) => {
      for (let i = w; i < n; i += 4) {
        const t = performance.now();
        const r = await server.gql(`query($id: ID!) { similarProducts(id: $id, first: 12) { __typename } }`, { id: ids[i % ids.length] });
        if (r.body.errors) throw new Error(JSON.stringify(r.body.errors));
        out.push(performance.now() - t);
      }
    }),
  );
  return out;
}

async function main(): Promise<void> {
  setLogLevel('warn');
  const server = await startTestServer({ ES_INDEX_ALIAS: `bench-${process.pid}` });
  try {
    const catalog = await syntheticCatalog(31337, CATALOG);
    for (let i = 0; i < catalog.length; i += 100) {
      const r = await server.gql(`mutation($i: [ProductInput!]!) { ingestProducts(inputs: $i, refresh: true) { summary { failed } } }`, {
        i: catalog.slice(i, i + 100).map((p) => toInput(p)),
      });
      if (r.body.data?.ingestProducts.summary.failed !== 0) throw new Error(`ingest failed: ${JSON.stringify(r.body)}`);
    }
    const ids = catalog.map((p) => p.record.id);
    await similarLatencies(server, ids, 40); // warm-up

    const alone = await similarLatencies(server, ids, QUERIES);

    let stop = false;
    let encodes = 0;
    const imageLoad = Promise.all(
      Array.from({ length: IMAGE_CONCURRENCY }, async (_, w) => {
        for (let i = w; !stop; i += IMAGE_CONCURRENCY) {
          const img = catalog[i % catalog.length].jpeg.toString('base64');
          await server.gql(`query($img: ImageInput!) { searchByImage(image: $img, first: 5) { __typename } }`, { img: { base64: img } });
          encodes++;
        }
      }),
    );
    const t = performance.now();
    const loaded = await similarLatencies(server, ids, QUERIES);
    const secs = (performance.now() - t) / 1000;
    stop = true;
    await imageLoad;

    const row = (name: string, xs: number[]) =>
      `${name.padEnd(34)} p50 ${pct(xs, 50).toFixed(1).padStart(6)} ms   p99 ${pct(xs, 99).toFixed(1).padStart(6)} ms   max ${Math.max(...xs).toFixed(1).padStart(6)} ms`;
    process.stdout.write(
      [
        `similarProducts(first: 12), ${QUERIES} queries from 4 closed-loop clients, ${CATALOG} products`,
        row('alone', alone),
        row(`with ${IMAGE_CONCURRENCY} concurrent image searches`, loaded),
        `image searches completed meanwhile: ${encodes} (${(encodes / secs).toFixed(1)}/s)`,
        '',
      ].join('\n'),
    );
  } finally {
    await server.stop();
  }
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
