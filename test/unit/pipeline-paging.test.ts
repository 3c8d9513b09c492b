import { createHash } from 'node:crypto';
import { CursorProblem, InvalidCursorError } from '../../src/common/errors';
import { canonicalJson, decodeCursor, encodeCursor, fingerprint } from '../../src/search/pipeline/cursor';
import { fuseTiers, keywordOnly, rankRounds, rankSide, vectorOnly } from '../../src/search/pipeline/fuse';
import { cutPage } from '../../src/search/pipeline/page';
import type { Ranked } from '../../src/search/pipeline/ranked';
import { storedDoc } from '../support/fakes';
import { pickProduct } from '../../src/catalog/product';

/** The pure stages behind pagination: cursors, settled prefixes, tiered fusion and the page cut. */

const hit = (id: string, score: number) => ({ product: pickProduct(storedDoc(id, [1])), score });
const ids = (r: { items?: { product: { id: string } }[]; hits?: { product: { id: string } }[] }) =>
  (r.items ?? r.hits)!.map((h) => h.product.id);

describe('cursors', () => {
  const cursor = { kind: 'search' as const, query: 'q1', generation: 'g1', offset: 10, anchor: 'p-9', at: 1_700_000_000_000 };

  it('round-trip, and are opaque base64url with a checksum', () => {
    const token = encodeCursor(cursor);
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[0-9a-f]{12}$/);
    expect(decodeCursor(token, 'search')).toEqual(cursor);
  });

  it.each([
    ['an edited body', (t: string) => Buffer.from(Buffer.from(t.split('.')[0]!, 'base64url').toString().replace('10', '90')).toString('base64url') + '.' + t.split('.')[1]],
    ['a truncated token', (t: string) => t.slice(0, -3)],
    ['no checksum', (t: string) => t.split('.')[0]!],
    ['junk', () => 'hello world'],
    ['an empty string', () => ''],
  ])('refuse %s as MALFORMED', (_name, tamper) => {
    expect(() => decodeCursor(tamper(encodeCursor(cursor)), 'search')).toThrow(new InvalidCursorError(CursorProblem.MALFORMED));
  });

  it('refuse a browse cursor where a search cursor is expected', () => {
    const browse = encodeCursor({ kind: 'browse', query: 'q', generation: 'g', after: [1, 'a'] });
    expect(() => decodeCursor(browse, 'search')).toThrow(InvalidCursorError);
    expect(decodeCursor(browse, 'browse')).toEqual({ kind: 'browse', query: 'q', generation: 'g', after: [1, 'a'] });
  });

  it('fingerprint values independently of key order, and ignore undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, 1], c: undefined } })).toBe('{"a":{"d":[2,1]},"b":1}');
    expect(fingerprint({ b: 1, a: 2 })).toBe(fingerprint({ a: 2, b: 1, c: undefined }));
    expect(fingerprint({ a: 1 })).not.toBe(fingerprint({ a: 2 }));
  });
});

/**
 * Cursors whose checksum is right but whose fields are not what this server writes: the field checks, not the
 * checksum, must refuse them. The checksum is recomputed here the way the server computes it (a digest of the JSON).
 */
describe('cursor fields, behind a valid checksum', () => {
  const sign = (json: string, body = Buffer.from(json).toString('base64url')) =>
    `${body}.${createHash('sha256').update(`cursor:${json}`).digest('hex').slice(0, 12)}`;
  const search = { v: 1, kind: 'search', query: 'q1', generation: 'g1', offset: 10, anchor: 'p-9', at: 1_700_000_000_000 };
  const browse = { v: 1, kind: 'browse', query: 'q', generation: 'g', after: [1, 'a'] };
  const malformed = new InvalidCursorError(CursorProblem.MALFORMED);

  it('the hand-signed cursors are accepted when their fields are right (the baseline of the cases below)', () => {
    expect(decodeCursor(sign(JSON.stringify(search)), 'search')).toEqual({ ...search, v: undefined });
    expect(decodeCursor(sign(JSON.stringify(browse)), 'browse')).toEqual({ kind: 'browse', query: 'q', generation: 'g', after: [1, 'a'] });
  });

  it.each([
    ['another version', { v: 2 }],
    ['no version', { v: undefined }],
    ['another kind', { kind: 'browse' }],
    ['a query fingerprint that is not a string', { query: 7 }],
    ['a generation that is not a string', { generation: null }],
    ['offset 0', { offset: 0 }],
    ['a negative offset', { offset: -10 }],
    ['a fractional offset', { offset: 1.5 }],
    ['an offset as text', { offset: '10' }],
    ['an offset beyond safe integers', { offset: 2 ** 53 }],
    ['an anchor that is not a string', { anchor: 9 }],
    ['no anchor', { anchor: undefined }],
    ['a fractional ranking time', { at: 1.5 }],
    ['no ranking time', { at: undefined }],
  ])('a search cursor with %s is MALFORMED', (_name, change) => {
    expect(() => decodeCursor(sign(JSON.stringify({ ...search, ...change })), 'search')).toThrow(malformed);
  });

  it('a browse cursor needs its sort values as an array, and the common fields', () => {
    for (const change of [{ after: 'x' }, { after: undefined }, { after: { 0: 1 } }, { query: 1 }, { v: 0 }, { kind: 'search' }]) {
      expect(() => decodeCursor(sign(JSON.stringify({ ...browse, ...change })), 'browse')).toThrow(malformed);
    }
    // A browse cursor needs no offset, anchor or ranking time.
    expect(decodeCursor(sign(JSON.stringify({ ...browse, after: [] })), 'browse')).toEqual({ kind: 'browse', query: 'q', generation: 'g', after: [] });
  });

  it('refuses a third segment, an empty body or checksum, and characters outside base64url, even where they decode', () => {
    const json = JSON.stringify(search);
    const good = sign(json);
    expect(() => decodeCursor(`${good}.x`, 'search')).toThrow(malformed);
    expect(() => decodeCursor(`${good}.`, 'search')).toThrow(malformed);
    expect(() => decodeCursor(`.${good.split('.')[1]}`, 'search')).toThrow(malformed);
    expect(() => decodeCursor(`${good.split('.')[0]}.`, 'search')).toThrow(malformed);
    // Node's base64url decoder skips characters it does not know, so these bodies decode to the same signed JSON.
    const body = Buffer.from(json).toString('base64url');
    for (const bad of [`${body}=`, `${body}==`, `${body} `, `${body.slice(0, 8)} ${body.slice(8)}`, `${body.slice(0, 8)}!${body.slice(8)}`]) {
      expect(Buffer.from(bad, 'base64url').toString('utf8')).toBe(json);
      expect(() => decodeCursor(sign(json, bad), 'search')).toThrow(malformed);
    }
  });

  it('a signed body that is not JSON is MALFORMED', () => {
    expect(() => decodeCursor(sign('{"v":1,'), 'search')).toThrow(malformed);
  });
});

describe('fingerprints', () => {
  it('are 16 hex characters of a SHA-256 over canonical JSON', () => {
    const value = { b: [2, 1], a: 'x' };
    expect(fingerprint(value)).toBe(createHash('sha256').update('{"a":"x","b":[2,1]}').digest('hex').slice(0, 16));
  });

  it('sort keys at every depth, keep array order, and keep equal-looking keys apart', () => {
    expect(canonicalJson({ b: 1, a: 2, B: 3, aa: 4, c: { z: 1, y: [{ q: 1, p: 2 }] } })).toBe('{"B":3,"a":2,"aa":4,"b":1,"c":{"y":[{"p":2,"q":1}],"z":1}}');
    expect(canonicalJson([3, 1, 2])).toBe('[3,1,2]');
    expect(canonicalJson({ a: null, b: 0, c: '' })).toBe('{"a":null,"b":0,"c":""}');
  });
});

describe('rankSide', () => {
  it('orders by score then id, and settles only what scores above the window\'s last score', () => {
    const side = rankSide({ hits: [hit('z', 0.9), hit('b', 0.7), hit('a', 0.7), hit('y', 0.8), hit('c', 0.7)], exhausted: false });
    expect(ids(side)).toEqual(['z', 'y', 'a', 'b', 'c']);
    expect(side.settled).toBe(2);
  });

  it('settles everything once the side is exhausted', () => {
    expect(rankSide({ hits: [hit('b', 0.7), hit('a', 0.7)], exhausted: true }).settled).toBe(2);
  });

  it('settles nothing of a side not exhausted whose hits all score the same, or that holds no hits yet', () => {
    const same = rankSide({ hits: [hit('b', 0.7), hit('a', 0.7)], exhausted: false });
    expect([ids(same), same.settled, same.exhausted]).toEqual([['a', 'b'], 0, false]);
    expect(rankSide({ hits: [], exhausted: false })).toEqual({ hits: [], settled: 0, exhausted: false });
    expect(rankSide({ hits: [], exhausted: true })).toEqual({ hits: [], settled: 0, exhausted: true });
    expect(rankSide({ hits: [hit('a', 0.9), hit('b', 0.7)], exhausted: false }).exhausted).toBe(false);
  });

  it('chains the rounds of a collapsed kNN: every round but the last settled, the last as far as it is', () => {
    const rounds = [
      { hits: [hit('c', 0.8), hit('a', 0.9), hit('b', 0.8)], exhausted: false },
      { hits: [hit('e', 0.6), hit('d', 0.7), hit('f', 0.6)], exhausted: false },
    ];
    const open = rankRounds(rounds, false);
    expect([ids(open), open.settled, open.exhausted]).toEqual([['a', 'b', 'c', 'd', 'e', 'f'], 4, false]);
    const done = rankRounds(rounds, true);
    expect([ids(done), done.settled, done.exhausted]).toEqual([['a', 'b', 'c', 'd', 'e', 'f'], 6, true]);
    const single = rankRounds([rounds[1]!], false);
    expect([ids(single), single.settled]).toEqual([['d', 'e', 'f'], 1]);
  });

  it('ranks a keyword list from 1 and keeps the hits\' vectors', () => {
    const r = keywordOnly(rankSide({ hits: [{ ...hit('a', 7.5), vectors: [[1, 0]] }, hit('b', 3)], exhausted: false }));
    expect(r.items.map((c) => [c.product.id, c.keyword, c.vectors])).toEqual([
      ['a', { rank: 1, score: 7.5 }, [[1, 0]]],
      ['b', { rank: 2, score: 3 }, undefined],
    ]);
    expect([r.settled, r.complete]).toEqual([1, false]);
  });

  it('reports cosine similarities and ranks on a vector list', () => {
    const r = vectorOnly(rankSide({ hits: [hit('a', 0.9), hit('b', 0.55)], exhausted: true }));
    expect(r.items.map((c) => [c.product.id, c.vector])).toEqual([
      ['a', { rank: 1, similarity: 0.8 }],
      ['b', { rank: 2, similarity: 0.1 }],
    ]);
    expect([r.settled, r.complete]).toEqual([2, true]);
  });
});

describe('fuseTiers', () => {
  const side = (list: string[], exhausted = true) => ({ hits: list.map((id, i) => hit(id, 1 - i / 100)), settled: list.length, exhausted });

  it('fuses tier by tier: a product both sides rank in tier 1 beats one-sided leaders; tier 2 comes after tier 1', () => {
    // Window 2: tier 1 holds ranks 1-2 of each side, tier 2 ranks 3-4.
    const r = fuseTiers(side(['a', 'x', 'c', 'd']), side(['x', 'b', 'd', 'a']), 2, 60);
    expect(ids(r)).toEqual(['x', 'a', 'b', 'd', 'c']);
    expect(r.items.map((c) => c.score)).toEqual([1 / 62 + 1 / 61, 1 / 61, 1 / 62, 1 / 64 + 1 / 63, 1 / 63]);
    expect(r.items[0]!.rrf).toEqual({ vector: 1 / 62, keyword: 1 / 61 });
    expect([r.settled, r.complete]).toEqual([5, true]);
  });

  it('is complete only when both sides are exhausted, and carries each product\'s vectors', () => {
    const withVectors = (list: string[], exhausted: boolean) => ({ ...side(list, exhausted), hits: side(list).hits.map((h) => ({ ...h, vectors: [[h.score, 0]] })) });
    const r = fuseTiers(withVectors(['a', 'b'], true), withVectors(['b', 'c'], false), 2, 60);
    expect([ids(r), r.settled, r.complete]).toEqual([['b', 'a', 'c'], 3, false]);
    // b takes its vectors from the vector side, where it is seen first.
    expect(r.items.map((c) => c.vectors)).toEqual([[[0.99, 0]], [[1, 0]], [[0.99, 0]]]);
    const r2 = fuseTiers(side(['a', 'b'], false), side(['b', 'c'], true), 2, 60);
    expect([r2.settled, r2.complete]).toEqual([3, false]);
  });

  it('goes as deep as the deeper side, tier by tier', () => {
    const r = fuseTiers(side(['a', 'b', 'c']), side(['b']), 2, 60);
    expect([ids(r), r.items.map((c) => [c.vector?.rank, c.keyword?.rank])]).toEqual([
      ['b', 'a', 'c'],
      [
        [2, 1],
        [1, undefined],
        [3, undefined],
      ],
    ]);
    expect(ids(fuseTiers(side(['b']), side(['a', 'b', 'c']), 2, 60))).toEqual(['b', 'a', 'c']);
  });

  it('settles only the tiers both sides have settled', () => {
    const r = fuseTiers(side(['a', 'b', 'c'], false), { ...side(['x', 'y', 'z'], false), settled: 1 }, 2, 60);
    expect(r.settled).toBe(0);
    const r2 = fuseTiers(side(['a', 'b', 'c'], false), { ...side(['x', 'y', 'z'], false), settled: 2 }, 2, 60);
    expect([r2.settled, r2.complete]).toEqual([4, false]);
  });
});

describe('cutPage', () => {
  const list = (names: string[]): Ranked => ({ items: names.map((n) => ({ product: pickProduct(storedDoc(n, [1])), score: 0 })), settled: names.length, complete: true });

  it('cuts at the offset and knows whether more follow', () => {
    const page = cutPage(list(['a', 'b', 'c', 'd', 'e']), 2, 2, 'b');
    expect([ids(page), page.end, page.hasNextPage]).toEqual([['c', 'd'], 4, true]);
    expect(cutPage(list(['a', 'b', 'c']), 2, 2, 'b').hasNextPage).toBe(false);
  });

  it('continues right after the anchor when a write shifted it, and at the offset when it is gone', () => {
    // 'n' was inserted above the anchor 'b': without the anchor, 'b' would be served twice.
    expect(ids(cutPage(list(['n', 'a', 'b', 'c', 'd']), 2, 2, 'b'))).toEqual(['c', 'd']);
    // The anchor was deleted: the page continues at the same position.
    expect(ids(cutPage(list(['a', 'c', 'd', 'e']), 2, 2, 'b'))).toEqual(['d', 'e']);
  });

  it('finds the anchor wherever it moved: two places down, or to the very top', () => {
    const down = cutPage(list(['n1', 'n2', 'a', 'b', 'c']), 1, 2, 'a');
    expect([ids(down), down.end, down.hasNextPage]).toEqual([['b', 'c'], 5, false]);
    const top = cutPage(list(['a', 'c', 'd']), 2, 2, 'a');
    expect([ids(top), top.end, top.hasNextPage]).toEqual([['c', 'd'], 3, false]);
  });

  it('serves an empty last page when the list shrank below the offset', () => {
    expect(cutPage(list(['a', 'b']), 4, 2, 'x')).toEqual({ items: [], end: 4, hasNextPage: false });
    expect(cutPage(list(['b', 'a']), 4, 2, 'a')).toEqual({ items: [], end: 2, hasNextPage: false });
  });
});
