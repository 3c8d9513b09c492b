import { setTimeout as sleep } from 'node:timers/promises';
import type { BulkItemResult, WriteOptions } from '../../catalog/product-index';
import type { ProductDocument } from '../../catalog/product';
import { itemFailureReason, msearchPartFailure } from './failures';
import { toSource, type Source } from './source';

/**
 * The two request loops that retry parts of one answer: an msearch whose searches fail one by one, and a bulk write
 * whose items fail one by one. Each sends through a function the adapter lends (it alone imports the client), so the
 * policies read apart from the client calls.
 */

interface MsearchPart {
  status?: number;
  error?: { type?: string; reason?: string };
}

/**
 * An msearch answers 200 when one of its searches failed, so the transport never retries a part that met a node
 * dying or a shard copy not yet promoted (a plain search answering 503 would be retried); this does, twice.
 */
export async function msearchRetrying<R extends object>(send: () => Promise<{ responses: R[] }>): Promise<R[]> {
  for (let attempt = 0; ; attempt++) {
    const res = await send();
    const failed = res.responses.find((r) => 'error' in r) as (MsearchPart & { error: NonNullable<MsearchPart['error']> }) | undefined;
    if (!failed) return res.responses;
    const fault = msearchPartFailure(failed);
    if (!fault.transient || attempt >= 2) throw fault.error;
    await sleep(100 * 2 ** attempt);
  }
}

/** What the adapter sends for one bulk attempt, and the per-item answer it reads back. */
export interface BulkAttempt {
  refresh: 'wait_for' | false;
  timeout: string;
  operations: unknown[];
}
export interface BulkAnswer {
  items: { index?: { status: number; result?: string; error?: { type: string; reason?: string | null } } }[];
}

/**
 * Upserts whole documents with deterministic ids. Documents carrying a `version` use external versioning so an
 * older catalog version can never overwrite a newer one. Items rejected with 429 are retried with backoff; every
 * other failure is reported per item, never dropped.
 */
export async function bulkUpsertRetrying(
  send: (a: BulkAttempt) => Promise<BulkAnswer>,
  alias: string,
  requestTimeoutMs: number,
  docs: readonly ProductDocument[],
  o: WriteOptions = {},
): Promise<BulkItemResult[]> {
  const results = new Map<string, BulkItemResult>();
  let pending = [...docs];
  for (let attempt = 0; pending.length > 0; attempt++) {
    const res = await send({
      refresh: o.refresh ? 'wait_for' : false,
      // Elasticsearch waits up to a minute for a shard's primary by default; give up before the client does, so
      // an item without a primary is reported as SHARD_UNAVAILABLE instead of the whole call timing out.
      timeout: `${Math.floor(requestTimeoutMs * 0.8)}ms`,
      operations: pending.flatMap((d): [unknown, Source] => [
        {
          index: {
            _index: alias,
            _id: d.id,
            ...(d.version !== undefined ? { version: d.version, version_type: 'external' as const } : {}),
          },
        },
        toSource(d),
      ]),
    });
    const retry: ProductDocument[] = [];
    res.items.forEach((item, i) => {
      const op = item.index!;
      const doc = pending[i]!;
      if (!op.error) return void results.set(doc.id, { id: doc.id, ok: true, created: op.result === 'created' });
      if (op.status === 409) return void results.set(doc.id, { id: doc.id, ok: false, conflict: true, error: op.error.reason ?? 'version conflict' });
      const reason = itemFailureReason(op.status, op.error.type, op.error.reason ?? '');
      if (reason === 'BACKEND_BUSY' && attempt < 4) return void retry.push(doc);
      results.set(doc.id, { id: doc.id, ok: false, reason, error: `${op.error.type}: ${op.error.reason ?? ''}`.trim() });
    });
    pending = retry;
    if (pending.length > 0) await sleep(100 * 2 ** attempt);
  }
  return docs.map((d) => results.get(d.id)!);
}
