/**
 * Google Merchant Center XML feeds (RSS 2.0 `<item>` or Atom `<entry>`), streamed item by item; the only importer
 * of saxes.
 *
 * Why not fast-xml-parser: it builds the whole document, so a 1 GB feed would sit in memory at once. Why not one
 * SAX parser over the whole stream: saxes is streaming but strict, and after one well-formedness error the rest of
 * the document is lost (an unmatched close tag closes every open element up to the root; a stray `<` swallows
 * everything after it). So the stream is cut into items first — a small scanner finds each `<item>…</item>`,
 * stepping over CDATA and comments — and each item is parsed by its own saxes parser. A broken item is then one
 * malformed row and the next item reads as if nothing happened. Memory holds one chunk and one item.
 *
 * Child elements become cells by local name (`g:price` -> `price`); a repeated element (`additional_image_link`)
 * collects its values in order; nested elements (`g:shipping/g:country`) become `shipping.country`.
 */
import type { Readable } from 'node:stream';
import { SaxesParser } from 'saxes';
import type { RawFeed, RawItem } from './raw-item';

/** An item this large is not a product; it is reported and skipped rather than buffered. */
const MAX_ITEM_CHARS = 4 * 1024 * 1024;
const ITEM_OPEN_SOURCE = '<(?:[A-Za-z_][\\w.-]*:)?(item|entry)(?=[\\s>/])';
/** Anchored where lastIndex says. */
const ITEM_OPEN_AT = new RegExp(ITEM_OPEN_SOURCE, 'y');

export async function openXmlItems(input: Readable): Promise<RawFeed> {
  const names = new Set<string>();
  const scanner = new ItemScanner();
  async function* items(): AsyncGenerator<RawItem> {
    const decoder = new TextDecoder('utf-8');
    let row = 0;
    const emit = (found: ScannedItem): RawItem => {
      row++;
      if ('error' in found) return { ok: false, row, line: found.line, message: found.error };
      const parsed = parseItem(found.xml);
      if (!parsed.ok) return { ok: false, row, line: found.line, message: parsed.error };
      for (const k of Object.keys(parsed.cells)) names.add(k);
      return { ok: true, row, line: found.line, cells: parsed.cells };
    };
    for await (const chunk of input) {
      for (const found of scanner.push(decoder.decode(chunk as Buffer, { stream: true }))) yield emit(found);
    }
    for (const found of scanner.end(decoder.decode())) yield emit(found);
  }
  return { names, items, position: () => scanner.consumed };
}

type ScannedItem = { line: number; xml: string } | { line: number; error: string };

/** Cuts text into `<item>…</item>` segments as it arrives. Text outside items (the channel header) is skipped. */
export class ItemScanner {
  private buf = '';
  /** Line number at the start of `buf`. */
  private line = 1;
  /** Characters of the feed before `buf`. */
  consumed = 0;

  push(text: string): ScannedItem[] {
    this.buf += text;
    const out: ScannedItem[] = [];
    for (;;) {
      const open = findOpen(this.buf);
      if (open.kind === 'more') {
        this.consume(open.keepFrom);
        return out;
      }
      this.consume(open.at);
      const close = findClose(this.buf, open.name, open.name.length + 1);
      if (close.kind === 'more') {
        if (this.buf.length > MAX_ITEM_CHARS) {
          out.push({ line: this.line, error: `item is larger than ${MAX_ITEM_CHARS} characters` });
          this.consume(open.name.length + 1);
          continue;
        }
        return out;
      }
      if (close.kind === 'next-item') {
        out.push({ line: this.line, error: 'item is not closed before the next item starts' });
        this.consume(close.at);
        continue;
      }
      out.push({ line: this.line, xml: this.buf.slice(0, close.end) });
      this.consume(close.end);
    }
  }

  end(text: string): ScannedItem[] {
    const out = this.push(text);
    if (findOpen(this.buf).kind === 'found') out.push({ line: this.line, error: 'the feed ends inside this item' });
    this.buf = '';
    return out;
  }

  private consume(n: number): void {
    for (let i = this.buf.indexOf('\n'); i !== -1 && i < n; i = this.buf.indexOf('\n', i + 1)) this.line++;
    this.buf = this.buf.slice(n);
    this.consumed += n;
  }
}

/** The next item's open tag outside comments and CDATA, or from where the text must be kept to find it later. */
function findOpen(buf: string): { kind: 'found'; at: number; name: string } | { kind: 'more'; keepFrom: number } {
  let i = 0;
  for (;;) {
    const lt = buf.indexOf('<', i);
    if (lt === -1) return { kind: 'more', keepFrom: buf.length };
    const skip = skipSpecial(buf, lt);
    if (skip === -1) return { kind: 'more', keepFrom: lt };
    if (skip > lt) {
      i = skip;
      continue;
    }
    ITEM_OPEN_AT.lastIndex = lt;
    const m = ITEM_OPEN_AT.exec(buf);
    if (m) return { kind: 'found', at: lt, name: m[0].slice(1) };
    // `<ite` at the very end may still become `<item `.
    if (buf.length - lt < 64 && buf.indexOf('>', lt) === -1) return { kind: 'more', keepFrom: lt };
    i = lt + 1;
  }
}

/** Past a comment or CDATA section starting at `lt`; `lt` when there is none there; -1 when it does not end yet. */
function skipSpecial(buf: string, lt: number): number {
  const [open, close] = buf.startsWith('<![CDATA[', lt) ? ['<![CDATA[', ']]>'] : buf.startsWith('<!--', lt) ? ['<!--', '-->'] : [];
  if (open === undefined) return lt;
  const end = buf.indexOf(close!, lt + open.length);
  return end === -1 ? -1 : end + close!.length;
}

/** Where the item opened at 0 closes, stepping over CDATA and comments; or why it cannot be told yet. */
function findClose(
  buf: string,
  qualifiedName: string,
  from: number,
): { kind: 'found'; end: number } | { kind: 'more' } | { kind: 'next-item'; at: number } {
  const closeTag = `</${qualifiedName}`;
  let i = from;
  while (i < buf.length) {
    const lt = buf.indexOf('<', i);
    if (lt === -1) return { kind: 'more' };
    const skip = skipSpecial(buf, lt);
    if (skip === -1) return { kind: 'more' };
    if (skip > lt) i = skip;
    else if (buf.startsWith(closeTag, lt) && /^[\s>]/.test(buf.charAt(lt + closeTag.length))) {
      const gt = buf.indexOf('>', lt);
      if (gt === -1) return { kind: 'more' };
      return { kind: 'found', end: gt + 1 };
    } else if (buf.startsWith(closeTag, lt) && lt + closeTag.length >= buf.length) {
      return { kind: 'more' };
    } else {
      ITEM_OPEN_AT.lastIndex = lt;
      if (ITEM_OPEN_AT.test(buf)) return { kind: 'next-item', at: lt };
      if (buf.length - lt < 64 && buf.indexOf('>', lt) === -1) return { kind: 'more' };
      i = lt + 1;
    }
  }
  return { kind: 'more' };
}

/** One item's XML to cells, with its own parser so its errors stay its own. */
function parseItem(xml: string): { ok: true; cells: Record<string, unknown> } | { ok: false; error: string } {
  const cells: Record<string, unknown> = {};
  const path: string[] = [];
  let text = '';
  let error: string | undefined;
  const parser = new SaxesParser();
  parser.on('opentag', (tag) => {
    path.push(localName(tag.name));
    text = '';
  });
  parser.on('text', (t) => void (text += t));
  parser.on('cdata', (t) => void (text += t));
  parser.on('closetag', () => {
    const key = path.slice(1).join('.');
    path.pop();
    const value = text.trim();
    text = '';
    if (key === '' || value === '') return;
    const prev = cells[key];
    cells[key] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  });
  parser.on('error', (e) => void (error ??= e.message));
  parser.write(xml).close();
  // saxes positions are relative to the item; the row's line says where the item is.
  return error === undefined ? { ok: true, cells } : { ok: false, error: `XML error in this item: ${error.replace(/^\d+:\d+: /, '')}` };
}

function localName(qualified: string): string {
  const colon = qualified.indexOf(':');
  return colon === -1 ? qualified : qualified.slice(colon + 1);
}
