/**
 * CSV and TSV feeds through csv-parse (the only importer of csv-parse): a streaming parser, so memory holds one
 * record at a time whatever the feed's size. The first record is the header. A record whose field count differs from
 * the header's, or that the parser has to skip, becomes a malformed item in its place; parsing goes on.
 */
import type { Readable } from 'node:stream';
import { parse, type CsvError, type Info } from 'csv-parse';
import type { RawFeed, RawItem } from './raw-item';

export interface DelimitedOptions {
  delimiter: ',' | '\t';
}

export async function openDelimited(input: Readable, o: DelimitedOptions): Promise<RawFeed> {
  const skipped: { line: number; message: string }[] = [];
  const parser = input.pipe(
    parse({
      delimiter: o.delimiter,
      bom: true,
      info: true,
      relax_quotes: true,
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
      on_skip: (err: CsvError | undefined) => {
        if (err) skipped.push({ line: Number((err as unknown as { lines?: number }).lines ?? 0), message: err.message });
        return undefined;
      },
    }),
  );
  input.on('error', (e) => parser.destroy(e));
  const records = parser[Symbol.asyncIterator]() as AsyncIterator<{ record: string[]; info: Info }>;
  const first = await records.next();
  const header = first.done ? [] : first.value.record.map((h) => h.trim());
  const names = new Set(header);
  let position = first.done ? 0 : first.value.info.bytes;

  async function* items(): AsyncGenerator<RawItem> {
    let row = 0;
    let previousEnd = first.done ? 0 : first.value.info.lines;
    const flushSkipped = function* (before: number): Generator<RawItem> {
      while (skipped.length > 0 && skipped[0]!.line <= before) {
        const s = skipped.shift()!;
        yield { ok: false, row: ++row, line: s.line, message: s.message };
        previousEnd = s.line;
      }
    };
    for (;;) {
      let next: IteratorResult<{ record: string[]; info: Info }>;
      try {
        next = await records.next();
      } catch (e) {
        // A parse error the parser cannot skip (a quote never closed) leaves nothing readable after it.
        if (!isCsvError(e)) throw e;
        yield* flushSkipped(Number.MAX_SAFE_INTEGER);
        yield { ok: false, row: ++row, line: previousEnd + 1, message: `${e.message} (nothing after this point could be read)` };
        return;
      }
      if (next.done) break;
      const { record, info } = next.value;
      yield* flushSkipped(info.lines);
      position = info.bytes;
      const line = previousEnd + 1;
      previousEnd = info.lines;
      row++;
      if (record.length !== header.length) {
        yield { ok: false, row, line, message: `has ${record.length} fields, the header has ${header.length}` };
        continue;
      }
      yield { ok: true, row, line, cells: cellsOf(header, record) };
    }
    yield* flushSkipped(Number.MAX_SAFE_INTEGER);
  }
  return { header, names, items, position: () => position };
}

function isCsvError(e: unknown): e is CsvError {
  const code = (e as { code?: unknown } | null)?.code;
  return e instanceof Error && typeof code === 'string' && code.startsWith('CSV_');
}

/** Header name -> value; a name that repeats (two additional_image_link columns) collects its values in order. */
function cellsOf(header: readonly string[], record: readonly string[]): Record<string, unknown> {
  const cells: Record<string, unknown> = {};
  header.forEach((name, i) => {
    const value = record[i]!;
    const prev = cells[name];
    if (prev === undefined) cells[name] = value;
    else cells[name] = Array.isArray(prev) ? [...prev, value] : [prev, value];
  });
  return cells;
}
