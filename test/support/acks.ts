import { toInput, type FixtureProduct } from './catalog';
import type { GqlResponse } from './server';

/**
 * Jepsen's way of checking writes: record what the server acknowledged, then compare with what the index holds
 * after the fault. A write counts as kept only if it was acknowledged; a write whose call failed may or may not have
 * landed (indeterminate), so it is allowed to be there, but nothing that was never sent is.
 */

export interface Write {
  id: string;
  version: number;
  title: string;
}

export const INGEST = `mutation($inputs: [ProductInput!]!) { ingestProducts(inputs: $inputs) { results {
  __typename ... on IngestSuccess { status } ... on IndexingFailed { reason } ... on ErrorResult { errorCode message } } } }`;

/** One ingestProducts call: when it was sent (performance.now()), how long it took, and each item's outcome. */
export interface Call {
  at: number;
  ms: number;
  /** Per item `IngestSuccess:UPDATED`, `IndexingFailed:INDEX_READ_ONLY`, ...; or one `call:<fault code>` for the call. */
  outcomes: string[];
  messages: string[];
}

/** The input for `product` at `version`: the title carries the version, so content and version can be checked together. */
export function versioned(p: FixtureProduct, version: number): { input: ReturnType<typeof toInput>; write: Write } {
  const title = `${p.record.title} @${version}`;
  return { input: toInput(p, { version, title }), write: { id: p.record.id, version, title } };
}

type Gql = (query: string, variables?: Record<string, unknown>) => Promise<GqlResponse>;

export class AckLog {
  /** The newest acknowledged write per id. */
  readonly acked = new Map<string, Write>();
  /** Every write sent per id, acknowledged or not. */
  readonly sent = new Map<string, Write[]>();
  /** Item outcomes by typename (IngestSuccess:CREATED, IndexingFailed:INDEX_READ_ONLY, ...) and whole-call faults by code. */
  readonly outcomes = new Map<string, number>();
  readonly calls: Call[] = [];

  get latencies(): number[] {
    return this.calls.map((c) => c.ms);
  }

  /** Sends one ingestProducts call and records its acknowledgements; never throws for a failed call. */
  async ingest(gql: Gql, products: readonly FixtureProduct[], version: number): Promise<Call> {
    const batch = products.map((p) => versioned(p, version));
    for (const { write } of batch) this.sent.set(write.id, [...(this.sent.get(write.id) ?? []), write]);
    const at = performance.now();
    const call: Call = { at, ms: 0, outcomes: [], messages: [] };
    let res: GqlResponse | undefined;
    try {
      res = await gql(INGEST, { inputs: batch.map((b) => b.input) });
    } catch (e) {
      call.outcomes.push(`call:${(e as Error).name}`);
    }
    call.ms = performance.now() - at;
    const results = (res?.body.data?.ingestProducts as { results?: Record<string, string>[] } | undefined)?.results;
    if (results) {
      results.forEach((r, i) => {
        call.outcomes.push(`${r.__typename}:${r.status ?? r.reason ?? r.errorCode}`);
        if (r.message) call.messages.push(r.message);
        // CREATED and UPDATED acknowledge the write; so does UNCHANGED (this exact write is already stored).
        if (r.__typename === 'IngestSuccess') this.ack(batch[i].write);
      });
    } else if (res) {
      call.outcomes.push(`call:${String(res.body.errors?.[0]?.extensions?.code ?? res.status)}`);
    }
    for (const o of call.outcomes) this.count(o);
    this.calls.push(call);
    return call;
  }

  count(key: string, n = 1): void {
    this.outcomes.set(key, (this.outcomes.get(key) ?? 0) + n);
  }

  tally(): Record<string, number> {
    return Object.fromEntries([...this.outcomes].sort(([a], [b]) => a.localeCompare(b)));
  }

  private ack(w: Write): void {
    const prev = this.acked.get(w.id);
    if (!prev || prev.version <= w.version) this.acked.set(w.id, w);
  }
}

export interface StoredProduct {
  version: number;
  title: string;
}

/**
 * Every product in the index behind `alias` (after a refresh), read straight from Elasticsearch. `preference`
 * `_only_local` sent to one node reads that node's copy only.
 */
export async function readIndex(esUrl: string, alias: string, o: { preference?: string } = {}): Promise<Map<string, StoredProduct>> {
  const refresh = await fetch(`${esUrl}/${alias}/_refresh`, { method: 'POST' });
  if (!refresh.ok) throw new Error(`refresh ${alias}: ${refresh.status} ${await refresh.text()}`);
  const qs = new URLSearchParams({ size: '10000', ...(o.preference ? { preference: o.preference } : {}) });
  const res = await fetch(`${esUrl}/${alias}/_search?${qs}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: { match_all: {} }, _source: ['id', 'version', 'title'], sort: [{ id: 'asc' }] }),
  });
  const body = (await res.json()) as { hits: { hits: { _id: string; _source: { id: string; version: number; title: string } }[] } };
  if (!res.ok) throw new Error(`search ${alias}: ${res.status} ${JSON.stringify(body)}`);
  const out = new Map<string, StoredProduct>();
  for (const h of body.hits.hits) {
    if (out.has(h._id)) throw new Error(`duplicate document ${h._id}`);
    out.set(h._id, { version: h._source.version, title: h._source.title });
  }
  return out;
}

/**
 * The two anomalies: `lost` (an acknowledged write missing or replaced by an older version) and `foreign` (a stored
 * document matching no write ever sent: half-written, duplicated under another id, or resurrected).
 */
export function anomalies(log: AckLog, stored: Map<string, StoredProduct>): { lost: string[]; foreign: string[] } {
  const lost = [...log.acked].filter(([id, w]) => {
    const s = stored.get(id);
    return !s || s.version < w.version;
  });
  const foreign = [...stored].filter(([id, s]) => !(log.sent.get(id) ?? []).some((w) => w.version === s.version && w.title === s.title));
  return { lost: lost.map(([id]) => id), foreign: foreign.map(([id]) => id) };
}
