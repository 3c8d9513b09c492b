/**
 * One item as a format reader hands it to a mapper, before any field has a meaning: named cells (a CSV column, an
 * XML child element, a JSON key) or the reason the parser could not read it. Cells hold strings from CSV and XML
 * (an array when a name repeats) and any JSON value from JSONL.
 */
export type RawItem =
  | { ok: true; row: number; line?: number; cells: Record<string, unknown> }
  | { ok: false; row: number; line?: number; message: string };

/** A format reader: its items in feed order, and every cell name it met so far (for the unmapped-columns report). */
export interface RawFeed {
  /** Known before the first item for header formats (CSV, TSV); empty until items arrive for the others. */
  readonly header?: readonly string[];
  readonly names: ReadonlySet<string>;
  items(): AsyncIterable<RawItem>;
  /**
   * How far into the feed (bytes, or characters for XML) the last item handed out ends. Bytes pulled from the source
   * run ahead of it by whatever the streams buffer, which on a small feed can be all of it; progress uses this.
   */
  position(): number;
}
