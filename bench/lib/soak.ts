import { readFileSync } from 'node:fs';
import { mulberry32 } from '../../src/common/random';
import { toInput, type FixtureProduct } from '../../test/support/catalog';
import { percentile } from './stats';

/**
 * The soak: many storefront clients in a closed loop, each sending its next request as soon as the last answered,
 * a mix of the four kinds of traffic (similar, text, image, ingest) against one server process, while that process's
 * resident memory is sampled from /proc. Shared by `bench/soak.bench.ts` (10 minutes and more) and the slow jest
 * project's 60-second version, so both count the same things the same way.
 */

export type Op = 'similar' | 'text' | 'image' | 'ingest';

/** Shares of the traffic; a storefront reads far more than a catalog team writes. */
export const MIX: readonly [Op, number][] = [
  ['similar', 0.45],
  ['text', 0.25],
  ['image', 0.15],
  ['ingest', 0.15],
];

export interface SoakOptions {
  /** http://host:port/graphql */
  url: string;
  /** The server's process id, for its memory. */
  pid: number;
  clients: number;
  warmupMs: number;
  /** Measured time after the warm-up. */
  durationMs: number;
  /** Products already in the index; ingest traffic rewrites them (so the index does not grow). */
  catalog: readonly FixtureProduct[];
  /** API key for writes, when the server wants one. */
  key?: string;
  /** Called about every 10 s with a one-line progress report. */
  progress?: (line: string) => void;
}

export interface OpFigures {
  requests: number;
  /** Answers that were exactly the expected result type. */
  ok: number;
  p50Ms: number;
  p99Ms: number;
}

export interface SoakReport {
  clients: number;
  measuredS: number;
  requests: number;
  perSecond: number;
  /** `200:ok`, `200:ProductNotFound`, `503:OVERLOADED`, `0:fetch failed`, ... over the measured window. */
  outcomes: Record<string, number>;
  /** HTTP ≥ 500 other than a deliberate 503 OVERLOADED, plus connections that failed: must be 0. */
  serverErrors: number;
  /** 503 + OVERLOADED: admission control shedding load on purpose. */
  deliberate503: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  byOp: Record<Op, OpFigures>;
  /** Resident set size of the server: mean of the first 5 s after warm-up, of the last 5 s, and the peak (VmHWM). */
  rss: { afterWarmupMiB: number; endMiB: number; growthPct: number; hwmMiB: number };
}

interface Shot {
  op: Op;
  at: number;
  ms: number;
  status: number;
  outcome: string;
}

const QUERIES: Record<Exclude<Op, 'ingest'>, string> = {
  similar: `query($id: ID!) { similarProducts(id: $id, first: 10) { __typename ... on ProductHits { hits { product { id } score } } } }`,
  text: `query($q: String!) { searchByText(q: $q, first: 10) { __typename hits { product { id } } } }`,
  image: `query($image: ImageInput!) { searchByImage(image: $image, first: 10) { __typename ... on ProductHits { hits { product { id } } } } }`,
};
const INGEST = `mutation($inputs: [ProductInput!]!) { ingestProducts(inputs: $inputs) { results { __typename } } }`;

function pickOp(r: number): Op {
  let acc = 0;
  for (const [op, share] of MIX) if (r < (acc += share)) return op;
  return MIX[MIX.length - 1]![0];
}

/** The request for `op`, and the typename a correct answer has. */
function request(op: Op, next: () => number, catalog: readonly FixtureProduct[], n: number) {
  const p = catalog[Math.floor(next() * catalog.length)]!;
  switch (op) {
    case 'similar':
      return { query: QUERIES.similar, variables: { id: p.record.id }, want: 'ProductHits' };
    case 'text':
      return { query: QUERIES.text, variables: { q: p.record.title.split(' ').slice(0, 2).join(' ') }, want: 'ProductHits' };
    case 'image':
      return { query: QUERIES.image, variables: { image: { base64: p.jpeg.toString('base64') } }, want: 'ProductHits' };
    case 'ingest': {
      // Two different products (one id twice in a call is invalid input) rewritten with a title that changes every
      // time: a real update (new document, same vector).
      const q = catalog[(catalog.indexOf(p) + 1 + Math.floor(next() * (catalog.length - 1))) % catalog.length]!;
      const inputs = [p, q].map((x) => toInput(x, { title: `${x.record.title} #${n}` }));
      return { query: INGEST, variables: { inputs }, want: 'IngestSuccess' };
    }
  }
}

async function send(url: string, key: string | undefined, body: { query: string; variables: unknown }, want: string) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(120_000),
  });
  const text = await res.text();
  let parsed: { data?: Record<string, any> | null; errors?: { extensions?: { code?: string } }[] };
  try {
    parsed = JSON.parse(text);
  } catch {
    return { status: res.status, outcome: `not json: ${text.slice(0, 60)}` };
  }
  if (parsed.errors?.length) return { status: res.status, outcome: String(parsed.errors[0]!.extensions?.code ?? 'error') };
  const field = Object.values(parsed.data ?? {})[0] as { __typename?: string; results?: { __typename: string }[] } | undefined;
  const types = field?.results ? field.results.map((r) => r.__typename) : [field?.__typename];
  const bad = types.find((t) => t !== want);
  return { status: res.status, outcome: bad === undefined ? 'ok' : String(bad) };
}

/** VmRSS and VmHWM of a process, in MiB. */
export function memoryOf(pid: number): { rssMiB: number; hwmMiB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMiB: kib('VmRSS') / 1024, hwmMiB: kib('VmHWM') / 1024 };
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const round1 = (x: number) => Math.round(x * 10) / 10;

export async function soak(o: SoakOptions): Promise<SoakReport> {
  const t0 = performance.now();
  const end = t0 + o.warmupMs + o.durationMs;
  const shots: Shot[] = [];
  const rss: { at: number; mib: number }[] = [];
  const sampler = setInterval(() => rss.push({ at: performance.now() - t0, mib: memoryOf(o.pid).rssMiB }), 1000);
  let lastReport = t0;

  await Promise.all(
    Array.from({ length: o.clients }, async (_, client) => {
      // Seeded per client: the same seed sends the same traffic.
      const next = mulberry32(1000 + client);
      for (let n = 0; performance.now() < end; n++) {
        const op = pickOp(next());
        const r = request(op, next, o.catalog, client * 1_000_000 + n);
        const at = performance.now();
        let answer: { status: number; outcome: string };
        try {
          answer = await send(o.url, o.key, r, r.want);
        } catch (e) {
          answer = { status: 0, outcome: (e as Error).message };
        }
        shots.push({ op, at: at - t0, ms: performance.now() - at, ...answer });
        if (o.progress && performance.now() - lastReport > 10_000) {
          lastReport = performance.now();
          const m = memoryOf(o.pid);
          o.progress(`[soak] ${Math.round((lastReport - t0) / 1000)} s, ${shots.length} requests, rss ${m.rssMiB.toFixed(0)} MiB`);
        }
      }
    }),
  );
  clearInterval(sampler);
  const hwmMiB = memoryOf(o.pid).hwmMiB;

  const measured = shots.filter((s) => s.at >= o.warmupMs);
  const outcomes: Record<string, number> = {};
  for (const s of measured) outcomes[`${s.status}:${s.outcome}`] = (outcomes[`${s.status}:${s.outcome}`] ?? 0) + 1;
  const deliberate = (s: Shot) => s.status === 503 && s.outcome === 'OVERLOADED';
  const ms = measured.map((s) => s.ms);
  const byOp = Object.fromEntries(
    MIX.map(([op]) => {
      const mine = measured.filter((s) => s.op === op);
      const lat = mine.map((s) => s.ms);
      return [op, { requests: mine.length, ok: mine.filter((s) => s.outcome === 'ok').length, p50Ms: round1(percentile(lat, 50)), p99Ms: round1(percentile(lat, 99)) }];
    }),
  ) as Record<Op, OpFigures>;

  const windowMean = (from: number, to: number) => mean(rss.filter((r) => r.at >= from && r.at < to).map((r) => r.mib));
  const afterWarmup = windowMean(o.warmupMs, o.warmupMs + 5000);
  const last = rss.length > 0 ? rss[rss.length - 1]!.at : 0;
  const endMiB = windowMean(last - 4999, last + 1);
  return {
    clients: o.clients,
    measuredS: round1(o.durationMs / 1000),
    requests: measured.length,
    perSecond: round1(measured.length / (o.durationMs / 1000)),
    outcomes: Object.fromEntries(Object.entries(outcomes).sort(([a], [b]) => a.localeCompare(b))),
    serverErrors: measured.filter((s) => (s.status >= 500 || s.status === 0) && !deliberate(s)).length,
    deliberate503: measured.filter(deliberate).length,
    p50Ms: round1(percentile(ms, 50)),
    p99Ms: round1(percentile(ms, 99)),
    maxMs: round1(Math.max(...ms)),
    byOp,
    rss: { afterWarmupMiB: round1(afterWarmup), endMiB: round1(endMiB), growthPct: round1((endMiB / afterWarmup - 1) * 100), hwmMiB: round1(hwmMiB) },
  };
}
