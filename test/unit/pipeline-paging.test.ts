import { CursorProblem, InvalidCursorError } from '../../src/common/errors';
import { canonicalJson, decodeCursor, encodeCursor, fingerprint } from '../../src/search/pipeline/cursor';
import { fuseTiers, rankSide, vectorOnly } from '../../src/search/pipeline/fuse';
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

describe('rankSide', () => {
  it('orders by score then id, and settles only what scores above the window\'s last score', () => {
    const side = rankSide({ hits: [hit('z', 0.9), hit('b', 0.7), hit('a', 0.7), hit('y', 0.8), hit('c', 0.7)], exhausted: false });
    expect(ids(side)).toEqual(['z', 'y', 'a', 'b', 'c']);
    expect(side.settled).toBe(2);
  });

  it('settles everything once the side is exhausted', () => {
    expect(rankSide({ hits: [hit('b', 0.7), hit('a', 0.7)], exhausted: true }).settled).toBe(2);
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
});
