/**
 * JSON Lines feeds: one JSON object per line, read line by line with node:readline, so memory holds one line. A
 * line that is not a JSON object becomes a malformed item; reading goes on.
 */
import type { Readable } from 'node:stream';
import { createInterface } from 'node:readline';
import type { RawFeed, RawItem } from './raw-item';

export async function openJsonLines(input: Readable): Promise<RawFeed> {
  const names = new Set<string>();
  let position = 0;
  async function* items(): AsyncGenerator<RawItem> {
    let row = 0;
    let line = 0;
    for await (const text of createInterface({ input, crlfDelay: Infinity })) {
      line++;
      position += Buffer.byteLength(text) + 1;
      const trimmed = (line === 1 ? text.replace(/^\uFEFF/, '') : text).trim();
      if (trimmed === '') continue;
      row++;
      let value: unknown;
      try {
        value = JSON.parse(trimmed);
      } catch (e) {
        yield { ok: false, row, line, message: `not valid JSON: ${(e as Error).message}` };
        continue;
      }
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        yield { ok: false, row, line, message: 'not a JSON object' };
        continue;
      }
      for (const k of Object.keys(value)) names.add(k);
      yield { ok: true, row, line, cells: value as Record<string, unknown> };
    }
  }
  return { names, items, position: () => position };
}
