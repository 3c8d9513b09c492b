/**
 * The soak benchmark: 50 storefront clients (closed loop) with mixed traffic — similarProducts, searchByText,
 * searchByImage, ingestProducts — against the production build in its own process, for 10 minutes by default.
 * Prints the outcome counts, p50/p99 overall and per kind, and the server's resident memory after the warm-up, at the
 * end and at its peak. The slow jest project runs the same soak (bench/lib/soak.ts) for 60 s with assertions.
 *
 *   ES_URL=http://127.0.0.1:9200 npx tsx bench/soak.bench.ts [minutes=10] [clients=50]
 */
import { ensureBuild, BENCH_API_KEY, startServerProcess } from './lib/server-process';
import { soak } from './lib/soak';
import { load1 } from './lib/stats';
import { syntheticCatalog, toInput } from '../test/support/catalog';

const MINUTES = Number(process.argv[2] ?? 10);
const CLIENTS = Number(process.argv[3] ?? 50);
const CATALOG = 200;
const WARMUP_MS = 60_000;
const ES_URL = process.env.ES_URL ?? 'http://127.0.0.1:9200';
const ALIAS = `bench-soak-${process.pid}`;

async function main(): Promise<void> {
  if (!(MINUTES >= 1) || !(CLIENTS >= 1)) throw new Error('usage: soak.bench.ts [minutes>=1] [clients>=1]');
  ensureBuild();
  const server = await startServerProcess({
    ES_URL,
    ES_INDEX_ALIAS: ALIAS,
    REQUEST_TIMEOUT_MS: '60000',
    // One loopback IP for every client: the per-client read limit is not what this measures.
    RATE_LIMIT_ENABLED: 'false',
  });
  try {
    const catalog = await syntheticCatalog(4242, CATALOG);
    for (let i = 0; i < catalog.length; i += 50) {
      const res = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${BENCH_API_KEY}` },
        body: JSON.stringify({
          query: `mutation($i: [ProductInput!]!) { ingestProducts(inputs: $i, refresh: true) { summary { failed } } }`,
          variables: { i: catalog.slice(i, i + 50).map((p) => toInput(p)) },
        }),
      });
      const body = (await res.json()) as { data?: { ingestProducts: { summary: { failed: number } } } };
      if (body.data?.ingestProducts.summary.failed !== 0) throw new Error(`catalog load failed: ${JSON.stringify(body)}`);
    }
    const loadBefore = load1();
    const report = await soak({
      url: server.url,
      pid: server.pid,
      clients: CLIENTS,
      warmupMs: WARMUP_MS,
      durationMs: MINUTES * 60_000,
      catalog,
      key: BENCH_API_KEY,
      progress: (line) => process.stderr.write(`${line}\n`),
    });
    const ops = Object.entries(report.byOp).map(
      ([op, f]) => `  ${op.padEnd(8)} ${String(f.requests).padStart(7)} requests, ${String(f.ok).padStart(7)} ok, p50 ${f.p50Ms} ms, p99 ${f.p99Ms} ms`,
    );
    process.stdout.write(
      [
        `soak: ${CLIENTS} clients, ${MINUTES} min measured after a ${WARMUP_MS / 1000} s warm-up, ${CATALOG} products (load1 ${loadBefore.toFixed(1)} -> ${load1().toFixed(1)})`,
        `requests ${report.requests} (${report.perSecond}/s), server errors (>= 500 but deliberate 503) ${report.serverErrors}, deliberate 503 ${report.deliberate503}`,
        `latency p50 ${report.p50Ms} ms, p99 ${report.p99Ms} ms, max ${report.maxMs} ms`,
        ...ops,
        `outcomes ${JSON.stringify(report.outcomes)}`,
        `server RSS after warm-up ${report.rss.afterWarmupMiB} MiB, at the end ${report.rss.endMiB} MiB (growth ${report.rss.growthPct} %), peak ${report.rss.hwmMiB} MiB`,
        '',
      ].join('\n'),
    );
    if (report.serverErrors > 0 || report.rss.growthPct >= 10) process.exitCode = 1;
  } finally {
    // Wildcard deletes are refused by default (action.destructive_requires_name): resolve the names first.
    const indices = Object.keys((await (await fetch(`${ES_URL}/${ALIAS}--*?allow_no_indices=true`)).json()) as object);
    if (indices.length > 0) await fetch(`${ES_URL}/${indices.join(',')}`, { method: 'DELETE' });
    await server.stop();
  }
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
