/**
 * The CSV error report (--errors report.csv): one line per row that was not imported, written as the import goes
 * (through csv-stringify, the only importer of it), so an interrupted run still leaves the report of what it saw.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { stringify } from 'csv-stringify';

export interface RowFailure {
  /** Absent for a product that is not in the feed (a --delete-missing deletion that failed). */
  row?: number;
  line?: number;
  id?: string;
  code: string;
  message: string;
}

export const REPORT_COLUMNS = ['row', 'line', 'id', 'code', 'message'] as const;

export interface ErrorSink {
  add(f: RowFailure): Promise<void>;
  close(): Promise<void>;
}

export function openErrorReport(path: string): ErrorSink {
  const csv = openCsvWriter(path, REPORT_COLUMNS);
  return {
    add: (f) => csv.write({ row: f.row ?? '', line: f.line ?? '', id: f.id ?? '', code: f.code, message: f.message }),
    close: () => csv.close(),
  };
}

export interface CsvWriter<C extends string> {
  /** Resolves once the row is buffered (waits for the file when the buffer is full). */
  write(row: Record<C, string | number>): Promise<void>;
  close(): Promise<void>;
}

/** A CSV file with a header row, written as rows come (other reports use it too, e.g. npm run dedup). */
export function openCsvWriter<C extends string>(path: string, columns: readonly C[]): CsvWriter<C> {
  const file = createWriteStream(path);
  const csv = stringify({ header: true, columns: [...columns] });
  csv.pipe(file);
  return {
    async write(row) {
      if (!csv.write(row)) await once(csv, 'drain');
    },
    async close() {
      csv.end();
      await once(file, 'close');
    },
  };
}
