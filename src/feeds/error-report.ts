/**
 * The CSV error report (--errors report.csv): one line per row that was not imported, written as the import goes
 * (through csv-stringify, the only importer of it), so an interrupted run still leaves the report of what it saw.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { stringify } from 'csv-stringify';

export interface RowFailure {
  row: number;
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
  const file = createWriteStream(path);
  const csv = stringify({ header: true, columns: [...REPORT_COLUMNS] });
  csv.pipe(file);
  return {
    async add(f) {
      if (!csv.write({ row: f.row, line: f.line ?? '', id: f.id ?? '', code: f.code, message: f.message })) await once(csv, 'drain');
    },
    async close() {
      csv.end();
      await once(file, 'close');
    },
  };
}
