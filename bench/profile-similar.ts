/**
 * Where the server's CPU goes for plain similarProducts (the storefront widget), without the rest of the bench: the
 * compiled server in its own process under `--cpu-prof`, `--queries` widget queries (every other one filtered) from
 * `--clients` closed-loop clients against the existing bench index, then its CPU time per request from /proc and
 * the profile's path for bench/profile-summary.ts.
 *
 *   npx tsx bench/profile-similar.ts [--queries 2000] [--clients 1] [--no-profile] [--features]
 *
 * `--features`: the widget's query with facets, collapse and diversity on (query-bench's features side).
 *
 * Needs the 100k bench index (`npm run bench -- --only query` builds it once). Env: ES_URL, MODEL_DIR.
 */
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { mulberry32 } from '../src/common/random';
import { GraphQLClient } from './lib/http-clients';
import { processCpuMs, threadCpu, type ThreadCpu } from './lib/proc';
import { BENCH_ALIAS } from './lib/load-index';
import { docId } from './lib/synthetic-catalog';
import { ROOT, startServerProcess } from './lib/server-process';
import { load1 } from './lib/stats';

const CATEGORIES = ['bottle', 'chair', 'handbag', 'hat', 'dress', 'sofa', 'watch', 'backpack', 'sneaker', 'mug', 'lamp'];

/** CPU milliseconds per thread name (threads of one name, e.g. the decode workers, summed). */
function byName(threads: Map<string, ThreadCpu>): Map<string, number> {
  const out = new Map<string, number>();
  for (const t of threads.values()) out.set(t.name, (out.get(t.name) ?? 0) + t.ms);
  return out;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const opt = (flag: string, d: number) => (argv.includes(flag) ? Number(argv[argv.indexOf(flag) + 1]) : d);
  const queries = opt('--queries', 2000);
  const clients = opt('--clients', 1);
  const profile = !argv.includes('--no-profile');
  const features = argv.includes('--features');
  const dir = path.join(ROOT, 'bench/.work/profiles', `similar${features ? '-features' : ''}-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  if (profile) mkdirSync(dir, { recursive: true });
  const esUrl = process.env.ES_URL ?? 'http://127.0.0.1:9200';
  const server = await startServerProcess(
    { ES_URL: esUrl, ES_INDEX_ALIAS: BENCH_ALIAS, MODEL_DIR: process.env.MODEL_DIR ?? 'models/siglip-tiny' },
    { profileDir: profile ? dir : undefined },
  );
  const gql = new GraphQLClient(server.url, clients);
  const rng = mulberry32(0x5eed);
  const q = (i: number) => ({
    id: docId(Math.floor(rng() * 100_000)),
    first: 10,
    filter: i % 2 === 1 ? { categories: [CATEGORIES[i % CATEGORIES.length]!], inStock: true } : undefined,
  });
  try {
    for (let i = 0; i < 200; i++) await gql.similar(q(i), features); // warm-up: JIT, connections
    const t0 = performance.now();
    const c0 = processCpuMs(server.pid);
    const t0s = byName(threadCpu(server.pid));
    let next = 0;
    await Promise.all(Array.from({ length: clients }, async () => {
      while (next < queries) await gql.similar(q(next++), features);
    }));
    const wall = performance.now() - t0;
    const cpuMs = processCpuMs(server.pid) - c0;
    const threads = [...byName(threadCpu(server.pid))].map(([name, ms]) => [name, ms - (t0s.get(name) ?? 0)] as const).filter(([, ms]) => ms > 0);
    process.stdout.write(`server threads, CPU ms/request: ${threads.sort((a, b) => b[1] - a[1]).map(([n, ms]) => `${n} ${(ms / queries).toFixed(2)}`).join(', ')}\n`);
    process.stdout.write(
      `${queries} similarProducts${features ? ' (facets, collapse, diversity)' : ''}, ${clients} client(s): ${(wall / queries).toFixed(2)} ms wall/request, ` +
        `server CPU ${(cpuMs / queries).toFixed(2)} ms/request, ${((queries / wall) * 1000).toFixed(0)} q/s (load ${load1().toFixed(2)})\n`,
    );
  } finally {
    await gql.close();
    await server.stop();
  }
  if (profile) process.stdout.write(`profile: ${dir}\n`);
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : e}\n`);
  process.exit(1);
});
