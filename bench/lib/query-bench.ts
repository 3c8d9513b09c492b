import { mulberry32 } from '../../src/common/random';
import type { GraphQLClient, RawEs, SimilarQuery } from './http-clients';
import { load1, percentile, type Row } from './stats';
import { docId, docMeta, type SeedSet } from './synthetic-catalog';

/**
 * similarProducts through the GraphQL server over HTTP versus the same two Elasticsearch requests sent directly.
 * Latency: one client, each query sent to both sides back to back, the order flipping every query, so background
 * load (the machine is shared) lands on both sides alike. Throughput: 8 closed-loop clients per side for a fixed
 * time, the side that goes first alternating per round. The features rows pair, the same way, similarProducts with
 * facets + collapse + diversity against plain similarProducts, both through GraphQL (issue 8's ≤ 1.5× goal).
 */

export interface QueryBenchOptions {
  gql: GraphQLClient;
  raw: RawEs;
  seeds: SeedSet;
  docs: number;
  rounds: number;
  queries: number;
  throughputSeconds: number;
  first: number;
  log: (s: string) => void;
}

type Side = (q: SimilarQuery) => Promise<string[]>;

function queries(o: QueryBenchOptions, n: number, salt: number, filtered: boolean): SimilarQuery[] {
  const rng = mulberry32(0xbe9c4 + salt);
  return Array.from({ length: n }, () => {
    const i = Math.floor(rng() * o.docs);
    // The storefront's "more like this, same category, in stock" widget: ~6 % of the catalog passes the filter.
    const filter = filtered ? { categories: [docMeta(o.seeds, i).category], inStock: true } : undefined;
    return { id: docId(i), first: o.first, filter };
  });
}

/** Each query on both sides back to back, the order flipping every query; `mismatches` counts differing id lists. */
async function pairedLatencies(gql: Side, raw: Side, qs: SimilarQuery[]): Promise<{ gql: number[]; raw: number[]; mismatches: number }> {
  const out = { gql: [] as number[], raw: [] as number[], mismatches: 0 };
  for (let i = 0; i < qs.length; i++) {
    const q = qs[i]!;
    const order: [Side, number[]][] = i % 2 === 0 ? [[gql, out.gql], [raw, out.raw]] : [[raw, out.raw], [gql, out.gql]];
    const ids: string[][] = [];
    for (const [side, into] of order) {
      const t = performance.now();
      ids.push(await side(q));
      into.push(performance.now() - t);
    }
    if (ids[0]!.join() !== ids[1]!.join()) out.mismatches++;
  }
  return out;
}

async function throughput(side: Side, qs: SimilarQuery[], clients: number, seconds: number): Promise<number> {
  const until = performance.now() + seconds * 1000;
  let done = 0;
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < until) {
        await side(qs[next++ % qs.length]!);
        done++;
      }
    }),
  );
  return done / ((performance.now() - t0) / 1000);
}

export async function queryRows(o: QueryBenchOptions): Promise<Row[]> {
  const gql: Side = (q) => o.gql.similar(q);
  const features: Side = (q) => o.gql.similar(q, true);
  const raw: Side = (q) => o.raw.similar(q);
  const scale = `${Math.round(o.docs / 1000)}k docs`;
  const latency = (filtered: boolean, p: number): Row => ({
    measure: `similarProducts p${p}, GraphQL ÷ raw ES, ${scale}, ${filtered ? 'filtered' : 'unfiltered'}`,
    unit: 'ms',
    ours: [],
    reference: [],
    referenceName: 'raw',
    goal: '≤ 1.10×',
    load: [],
  });
  const rows = {
    p50: latency(false, 50),
    p99: latency(false, 99),
    fp50: latency(true, 50),
    fp99: latency(true, 99),
    // Both sides through GraphQL: what facets + collapse + diversity add on top of a plain similarProducts.
    feat50: featureRow(50, scale),
    feat99: featureRow(99, scale),
    qps: {
      measure: `similarProducts throughput, 8 clients, GraphQL ÷ raw ES, ${scale}`,
      unit: 'q/s',
      ours: [],
      reference: [],
      referenceName: 'raw',
      goal: '≥ 0.85×',
      load: [],
    } as Row,
  };

  o.log('query warm-up');
  await pairedLatencies(gql, raw, queries(o, 200, 999, false));
  await pairedLatencies(features, gql, queries(o, 100, 997, false));
  await pairedLatencies(gql, raw, queries(o, 100, 998, true));
  let mismatches = 0;
  for (let r = 0; r < o.rounds; r++) {
    for (const filtered of [false, true]) {
      const res = await pairedLatencies(gql, raw, queries(o, o.queries, r * 2 + (filtered ? 1 : 0), filtered));
      mismatches += res.mismatches;
      const [r50, r99] = filtered ? [rows.fp50, rows.fp99] : [rows.p50, rows.p99];
      for (const [row, p] of [[r50, 50], [r99, 99]] as const) {
        row.ours.push(percentile(res.gql, p));
        row.reference.push(percentile(res.raw, p));
        row.load.push(load1());
      }
      o.log(
        `round ${r + 1} ${filtered ? 'filtered  ' : 'unfiltered'}: GraphQL p50 ${percentile(res.gql, 50).toFixed(2)} / p99 ${percentile(res.gql, 99).toFixed(2)} ms, ` +
          `raw p50 ${percentile(res.raw, 50).toFixed(2)} / p99 ${percentile(res.raw, 99).toFixed(2)} ms (load ${load1().toFixed(2)})`,
      );
    }
    const feat = await pairedLatencies(features, gql, queries(o, o.queries, 200 + r, false));
    for (const [row, p] of [[rows.feat50, 50], [rows.feat99, 99]] as const) {
      row.ours.push(percentile(feat.gql, p));
      row.reference.push(percentile(feat.raw, p));
      row.load.push(load1());
    }
    o.log(
      `round ${r + 1} features  : facets+collapse+diversity p50 ${percentile(feat.gql, 50).toFixed(2)} / p99 ${percentile(feat.gql, 99).toFixed(2)} ms, ` +
        `plain p50 ${percentile(feat.raw, 50).toFixed(2)} / p99 ${percentile(feat.raw, 99).toFixed(2)} ms (load ${load1().toFixed(2)})`,
    );
    const qs = queries(o, 5000, 100 + r, false);
    const sides: [Side, number[]][] = [[gql, rows.qps.ours], [raw, rows.qps.reference]];
    if (r % 2 === 1) sides.reverse();
    for (const [side, into] of sides) into.push(await throughput(side, qs, 8, o.throughputSeconds));
    rows.qps.load.push(load1());
    o.log(`round ${r + 1} throughput: GraphQL ${rows.qps.ours.at(-1)!.toFixed(0)} q/s, raw ${rows.qps.reference.at(-1)!.toFixed(0)} q/s`);
  }
  if (mismatches > 0) {
    // HNSW is deterministic for equal requests; a difference means the two sides did not do the same work.
    for (const row of [rows.p50, rows.fp50]) row.note = `${mismatches} result lists differed`;
  }
  return [rows.p50, rows.p99, rows.fp50, rows.fp99, rows.feat50, rows.feat99, rows.qps];
}

function featureRow(p: number, scale: string): Row {
  return {
    measure: `similarProducts p${p} with facets (4 fields) + collapse + diversity 0.5 ÷ plain, both GraphQL, ${scale}`,
    unit: 'ms',
    ours: [],
    reference: [],
    referenceName: 'plain',
    goal: '≤ 1.50×',
    load: [],
  };
}
