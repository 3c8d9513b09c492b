/**
 * Imports a feed's rows through the same IngestService the API uses, in batches, several at once.
 *
 * Resumable by construction rather than by a checkpoint file: ids are document ids, a row whose stored content hash
 * matches is UNCHANGED and not written, and an image URL seen before is fetched conditionally (a 304 keeps the stored
 * vector). So a run interrupted anywhere (Ctrl-C, kill -9, a crash) and started again redoes only the rows whose write
 * Elasticsearch had not acknowledged; everything acknowledged is stored and is found unchanged. A daily re-run of an
 * unchanged feed costs one conditional request per image and one read per batch.
 *
 * Nothing is half-written: a row is one document, written whole in one bulk item or not at all, and any problem with
 * the row — its values, its image — keeps it out (a stored older version stays as it was).
 */
import { IngestStatus, inputImages, type ProductInput } from '../catalog/product';
import { Relation } from '../catalog/relation';
import type { IngestOptions, IngestOutcome } from '../ingest/ingest.service';
import type { RowFailure } from './error-report';
import type { FeedRow } from './feed-record';
import type { ProgressState } from './progress';
import { recordToInput, type InputOptions } from './to-product-input';

export interface Ingest {
  ingest(inputs: readonly ProductInput[], o?: IngestOptions): Promise<IngestOutcome[]>;
}

export interface ImportOptions extends InputOptions {
  /** Rows per ingest call (one Elasticsearch read and one bulk write each). */
  batchSize?: number;
  /** Images fetched and embedded at once across the batches in flight. */
  concurrency?: number;
  /** Validate and report only: no image is fetched, nothing is written. */
  dryRun?: boolean;
  /** Dry run: the image URL policy that needs no network (scheme, credentials, IP literals, host allowlist). */
  checkImageUrl?: (url: string) => string | undefined;
  /** Fired: read no further rows, finish the batches in flight (their writes are kept), then return. */
  stop?: AbortSignal;
  /** Fired: abandon the batches in flight too (nothing more is written; they are redone next run). */
  signal?: AbortSignal;
  onFailure?: (f: RowFailure) => Promise<void> | void;
  /** Filled with the id of every row read that has one, imported or not (what --delete-missing keeps). */
  seenIds?: Set<string>;
  onProgress?: (s: ProgressState) => void;
  bytesRead?: () => number;
  totalBytes?: number;
}

export interface ImportSummary extends ProgressState {
  /** Rows a dry run found importable. */
  valid: number;
  /**
   * Rows written whose image is a DUPLICATE of another product (already in the catalog, or earlier in the feed) under
   * another id; each is also in the error report as ALREADY_IN_CATALOG.
   */
  alreadyInCatalog: number;
  byCode: Record<string, number>;
  interrupted: boolean;
  seconds: number;
}

const BATCHES_IN_FLIGHT = 4;

type Item = { row: FeedRow; input: ProductInput; notes?: { code: string; message: string }[] };

/** Error-report code of a row that was imported but duplicates another product's image. */
export const ALREADY_IN_CATALOG = 'ALREADY_IN_CATALOG';

const COUNTER = {
  [IngestStatus.CREATED]: 'created',
  [IngestStatus.UPDATED]: 'updated',
  [IngestStatus.UNCHANGED]: 'unchanged',
} as const;

export class FeedImportService {
  constructor(private readonly ingest: Ingest) {}

  async run(rows: AsyncIterable<FeedRow>, o: ImportOptions = {}): Promise<ImportSummary> {
    const started = Date.now();
    const batchSize = o.batchSize ?? 32;
    const perCall = Math.max(1, Math.ceil((o.concurrency ?? 16) / 2));
    const s: ImportSummary = {
      done: 0,
      read: 0,
      created: 0,
      updated: 0,
      unchanged: 0,
      failed: 0,
      valid: 0,
      alreadyInCatalog: 0,
      bytesRead: 0,
      totalBytes: o.totalBytes,
      byCode: {},
      interrupted: false,
      seconds: 0,
    };
    const progress = () => {
      s.bytesRead = o.bytesRead?.() ?? 0;
      o.onProgress?.(s);
    };
    const failed = async (f: RowFailure) => {
      s.failed++;
      s.done++;
      s.byCode[f.code] = (s.byCode[f.code] ?? 0) + 1;
      await o.onFailure?.(f);
    };

    const inFlight = new Set<Promise<void>>();
    let fault: unknown;
    const launch = (batch: Item[]) => {
      const p = this.ingest
        .ingest(
          batch.map((b) => b.input),
          { signal: o.signal, concurrency: perCall },
        )
        .then(async (outcomes) => {
          for (const [k, out] of outcomes.entries()) {
            const { row, notes } = batch[k]!;
            if (out.ok) {
              s.done++;
              s[COUNTER[out.status]]++;
              for (const n of notes ?? []) await o.onFailure?.({ row: row.row, line: row.line, id: out.product.id, ...n });
              const same = out.duplicates?.find((d) => d.relation === Relation.DUPLICATE);
              if (same) {
                s.alreadyInCatalog++;
                await o.onFailure?.({
                  row: row.row,
                  line: row.line,
                  id: out.product.id,
                  code: ALREADY_IN_CATALOG,
                  message: `Imported, but its image duplicates product "${same.product.id}" (cosine ${same.similarity})`,
                });
              }
            } else await failed({ row: row.row, line: row.line, id: out.id, code: out.error.code, message: out.error.message });
          }
          progress();
        })
        .catch((e: unknown) => {
          fault ??= e;
        })
        .finally(() => inFlight.delete(p));
      inFlight.add(p);
    };

    let batch: Item[] = [];
    try {
      for await (const row of rows) {
        if (fault !== undefined || o.stop?.aborted || o.signal?.aborted) break;
        s.read++;
        if (row.id !== undefined) o.seenIds?.add(row.id);
        const converted = row.record ? recordToInput(row.record, o) : { problems: row.problems };
        const problems = row.problems.length > 0 ? row.problems : converted.problems;
        if (problems.length > 0 || !converted.input) {
          const p = problems[0]!;
          await failed({ row: row.row, line: row.line, id: row.id, code: p.code, message: problems.map((x) => x.message).join('; ') });
          progress();
          continue;
        }
        if (o.dryRun) {
          const refused = inputImages(converted.input)
            .map((img) => o.checkImageUrl?.(img.url!))
            .find((x) => x !== undefined);
          if (refused !== undefined) {
            await failed({ row: row.row, line: row.line, id: row.id, code: 'IMAGE_URL_FORBIDDEN', message: refused });
            progress();
            continue;
          }
          s.valid++;
          s.done++;
          progress();
          continue;
        }
        batch.push({ row, input: converted.input, notes: converted.notes });
        if (batch.length >= batchSize) {
          launch(batch);
          batch = [];
          while (inFlight.size >= BATCHES_IN_FLIGHT) await Promise.race(inFlight);
        }
      }
      if (batch.length > 0 && fault === undefined && !o.stop?.aborted && !o.signal?.aborted) launch(batch);
    } finally {
      await Promise.allSettled(inFlight);
    }
    s.interrupted = Boolean(o.stop?.aborted || o.signal?.aborted);
    if (fault !== undefined && !(s.interrupted && o.signal?.aborted)) throw fault;
    s.seconds = (Date.now() - started) / 1000;
    progress();
    return s;
  }
}
