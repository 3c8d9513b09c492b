import { loadEmbedder } from '../../src/app';
import { loadConfig } from '../../src/config/config';
import { GraphQLClient } from './http-clients';
import { ROOT, startServerProcess, type ServerProcess } from './server-process';
import { load1, type Row } from './stats';

/**
 * The micro-batcher with the server's settings (EMBED_MAX_BATCH / EMBED_MAX_WAIT_MS defaults) against the same
 * model unbatched (batch 1, no wait), on text queries: 32 concurrent (what batching is for) and one at a time
 * (what a fixed wait costs a lone request). Measured twice: as users see it (searchByText in VECTOR mode over HTTP,
 * two server processes on the bench alias) and on the embedder alone (in-process, where the effect is largest).
 * Sides alternate unit by unit.
 */

export interface BatchingBenchOptions {
  esUrl: string;
  alias: string;
  modelDir: string;
  rounds: number;
  log: (s: string) => void;
}

interface TextSide {
  embedText(q: string): Promise<unknown>;
}

const SEARCH_BY_TEXT = `query Text($q: String!) { searchByText(q: $q, mode: VECTOR, first: 10) { hits { product { id } } } }`;

const CONCURRENT = 32;
const BURSTS = 12;
const SEQUENTIAL = 200;

const text = (i: number) => `${['red', 'blue', 'green', 'black'][i % 4]} ${['striped', 'dotted', 'solid'][i % 3]} product number ${i}`;

/**
 * Requests/s of both sides over `n` units of work, alternating the sides unit by unit (b u, u b, …) so that load
 * from the rest of the machine falls on both alike.
 */
async function pairedRates(b: TextSide, u: TextSide, n: number, unit: (s: TextSide, i: number) => Promise<number>): Promise<[number, number]> {
  const t = [0, 0];
  const done = [0, 0];
  for (let i = 0; i < n; i++) {
    const order: [TextSide, number][] = i % 2 === 0 ? [[b, 0], [u, 1]] : [[u, 1], [b, 0]];
    for (const [side, k] of order) {
      const t0 = performance.now();
      done[k]! += await unit(side, i);
      t[k]! += performance.now() - t0;
    }
  }
  return [(done[0]! / t[0]!) * 1000, (done[1]! / t[1]!) * 1000];
}

const burst = async (s: TextSide, i: number) => {
  await Promise.all(Array.from({ length: CONCURRENT }, (_, j) => s.embedText(text(i * CONCURRENT + j))));
  return CONCURRENT;
};
const single = async (s: TextSide, i: number) => {
  await s.embedText(text(i));
  return 1;
};

interface Pair {
  label: string;
  batched: TextSide;
  unbatched: TextSide;
}

async function measure(pair: Pair, rounds: number, log: (s: string) => void) {
  const conc = { b: [] as number[], u: [] as number[] };
  const seq = { b: [] as number[], u: [] as number[] };
  const load: number[] = [];
  await pairedRates(pair.batched, pair.unbatched, 2, burst); // warm-up
  for (let r = 0; r < rounds; r++) {
    const [cb, cu] = await pairedRates(pair.batched, pair.unbatched, BURSTS, burst);
    const [sb, su] = await pairedRates(pair.batched, pair.unbatched, SEQUENTIAL, single);
    conc.b.push(cb);
    conc.u.push(cu);
    seq.b.push(sb);
    seq.u.push(su);
    load.push(load1());
    log(
      `round ${r + 1} ${pair.label}: ${CONCURRENT} concurrent ${cb.toFixed(0)} vs ${cu.toFixed(0)} texts/s, ` +
        `one at a time ${sb.toFixed(0)} vs ${su.toFixed(0)} texts/s (batched vs unbatched, load ${load1().toFixed(2)})`,
    );
  }
  return { conc, seq, load };
}

export async function batchingRows(o: BatchingBenchOptions): Promise<Row[]> {
  const defaults = loadConfig({ MODEL_DIR: o.modelDir }, ROOT);
  const unbatchedEnv = { EMBED_MAX_BATCH: '1', EMBED_MAX_WAIT_MS: '0' };
  const cfg = `batch ${defaults.model.maxBatchSize}, wait ${defaults.model.maxWaitMs} ms`;
  const rows: Row[] = [];
  const toRows = (where: string, m: Awaited<ReturnType<typeof measure>>) => {
    rows.push(
      { measure: `micro-batching (${cfg}), ${where}: ${CONCURRENT} concurrent text queries ÷ unbatched`, unit: '/s', ours: m.conc.b, reference: m.conc.u, referenceName: 'unbatched', goal: '≥ 1.4×', load: m.load },
      { measure: `micro-batching (${cfg}), ${where}: one text query at a time ÷ unbatched`, unit: '/s', ours: m.seq.b, reference: m.seq.u, referenceName: 'unbatched', goal: '≥ 0.97×', load: m.load },
    );
  };

  const base = { ES_URL: o.esUrl, ES_INDEX_ALIAS: o.alias, MODEL_DIR: o.modelDir };
  const servers: ServerProcess[] = [];
  const clients: GraphQLClient[] = [];
  try {
    for (const env of [base, { ...base, ...unbatchedEnv }]) servers.push(await startServerProcess(env));
    for (const s of servers) clients.push(new GraphQLClient(s.url, CONCURRENT));
    const [b, u] = clients.map((c): TextSide => ({ embedText: (q) => c.query(SEARCH_BY_TEXT, { q }) }));
    toRows('searchByText over HTTP', await measure({ label: 'searchByText', batched: b!, unbatched: u! }, o.rounds, o.log));
  } finally {
    await Promise.allSettled([...clients.map((c) => c.close()), ...servers.map((s) => s.stop())]);
  }

  const batched = await loadEmbedder(defaults);
  const unbatched = await loadEmbedder(loadConfig({ MODEL_DIR: o.modelDir, ...unbatchedEnv }, ROOT));
  try {
    toRows('embedder alone', await measure({ label: 'embedder', batched, unbatched }, o.rounds, o.log));
  } finally {
    await Promise.allSettled([batched.close(), unbatched.close()]);
  }
  return rows;
}
