/**
 * `--delete-missing`: after a feed run, the products this feed imported earlier that it no longer lists are deleted.
 *
 * Which products belong to a feed is recorded on the product itself (attributes.feed_source, written by every import):
 * it travels with the document through reindexes and shadow copies, needs no mapping change and no state file that a
 * fresh container or another machine would lack, and a product written since by the API or by another feed no longer
 * carries this feed's name, so it is never this feed's to delete.
 *
 * Safe by default: nothing is deleted unless the run read the whole feed (not interrupted) and the feed itself was
 * sound (rows it got wrong, whose ids may be unreadable, stay within a share), and a run that would delete more than
 * a share of the feed's products is refused unless forced (a truncated or wrong feed looks exactly like that).
 *
 * Idempotent and resumable like the import: the missing set is computed afresh from the index on every run, a product
 * already gone is not found again, and an interrupted deletion is finished by the next complete run.
 *
 * The scan asks the store for this feed's products only (a 1k-product feed in a 1M-product catalog reads 1k), each
 * with the stamp of the write it was read at, and every delete is conditional on that stamp: a product written between
 * the scan and its delete (re-ingested by the API, another feed or another run) is kept and reported, never deleted
 * on the strength of a stale read.
 */
import type { ProductIndex, StampedId } from '../catalog/product-index';
import { forEachLimited } from '../common/concurrency';
import { ROW_PROBLEM_CODES } from './feed-record';
import type { RowFailure } from './error-report';
import { FEED_SOURCE_ATTRIBUTE } from './to-product-input';

/** What pruning needs from the product store. */
export type FeedCatalog = Pick<ProductIndex, 'idsByAttribute' | 'deleteIfUnchanged'>;

export interface PrunePolicy {
  /** Refuse to delete more than this share (0..1) of the products imported from the feed before this run. */
  maxDeleteShare: number;
  /** Refuse to delete anything when more than this share (0..1) of the rows read had problems of their own. */
  maxBadRowShare: number;
  /** Delete even past maxDeleteShare. */
  force: boolean;
}

/** What the run that precedes pruning saw. */
export interface RunFacts {
  read: number;
  interrupted: boolean;
  byCode: Record<string, number>;
}

export interface PrunePlan {
  /** Products carrying this feed's name before the deletion. */
  owned: number;
  /** Those the feed no longer lists, in id order, each with the write it was read at. */
  missing: StampedId[];
  /** Why nothing may be deleted; undefined when the plan may go ahead. */
  refused?: string;
}

export interface PruneResult {
  deleted: number;
  /** Already gone when their turn came (deleted meanwhile by someone else). */
  gone: number;
  /** Written since the scan (by the API, another feed or another run), so kept: their ids. */
  changed: string[];
  failed: number;
  interrupted: boolean;
}

const PAGE = 1000;
const DELETES_AT_ONCE = 4;

/** The rows of a run that the feed itself got wrong (not images that failed to download). */
export function badRows(byCode: Record<string, number>): number {
  return ROW_PROBLEM_CODES.reduce((sum, c) => sum + (byCode[c] ?? 0), 0);
}

/** Every product recorded under `feedName` and absent from `seen`, and whether deleting them is allowed. */
export async function planPrune(
  catalog: FeedCatalog,
  feedName: string,
  seen: ReadonlySet<string>,
  run: RunFacts,
  policy: PrunePolicy,
  pageSize = PAGE,
): Promise<PrunePlan> {
  let owned = 0;
  const missing: StampedId[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await catalog.idsByAttribute(FEED_SOURCE_ATTRIBUTE, feedName, { size: pageSize, after });
    owned += page.length;
    for (const p of page) if (!seen.has(p.id)) missing.push(p);
    if (page.length < pageSize) break;
    after = page.at(-1)!.id;
  }
  return { owned, missing, refused: refusal(run, policy, owned, missing.length) };
}

function refusal(run: RunFacts, policy: PrunePolicy, owned: number, missing: number): string | undefined {
  if (run.interrupted) return 'the run was interrupted, so the feed was not read to its end';
  if (run.read === 0) return 'the feed has no rows';
  const bad = badRows(run.byCode);
  if (bad > policy.maxBadRowShare * run.read) {
    return `${bad} of ${run.read} rows had problems of their own (more than ${pct(policy.maxBadRowShare)}), so the feed may list products it failed to name`;
  }
  if (missing > policy.maxDeleteShare * owned && !policy.force) {
    return `it would delete ${missing} of the ${owned} products imported from this feed (more than ${pct(policy.maxDeleteShare)}); check the feed, then pass --force`;
  }
  return undefined;
}

const pct = (share: number) => `${Math.round(share * 1000) / 10} %`;

/**
 * Deletes the planned products, a few at a time, each only if unchanged since the scan; stops starting new deletes
 * once `stop` fires.
 */
export async function prune(
  catalog: FeedCatalog,
  planned: readonly StampedId[],
  o: { stop?: AbortSignal; onFailure?: (f: RowFailure) => Promise<void> | void; onDeleted?: () => void } = {},
): Promise<PruneResult> {
  const r: PruneResult = { deleted: 0, gone: 0, changed: [], failed: 0, interrupted: false };
  let started = 0;
  await forEachLimited(planned.length, DELETES_AT_ONCE, async (i) => {
    if (o.stop?.aborted) return;
    started++;
    const { id, stamp } = planned[i]!;
    try {
      const outcome = await catalog.deleteIfUnchanged(id, stamp);
      if (outcome === 'deleted') r.deleted++;
      else if (outcome === 'gone') r.gone++;
      else r.changed.push(id);
      o.onDeleted?.();
    } catch (e) {
      r.failed++;
      // No row: the product is not in the feed, which is why it was being deleted.
      await o.onFailure?.({ id, code: 'DELETE_FAILED', message: e instanceof Error ? e.message : String(e) });
    }
  });
  r.interrupted = started < planned.length;
  r.changed.sort();
  return r;
}
