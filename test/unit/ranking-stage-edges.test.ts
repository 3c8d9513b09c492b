import { pickProduct } from '../../src/catalog/product';
import { autocut, autocutCount } from '../../src/search/pipeline/cuts';
import { diversify } from '../../src/search/pipeline/diversity';
import { placePins } from '../../src/search/pipeline/pins';
import { byScoreThenId, type Candidate, type Ranked } from '../../src/search/pipeline/ranked';
import { storedDoc } from '../support/fakes';

/**
 * The edges of the pure ranking stages that ranking-stages.test.ts does not reach: the id tie-break, lists that are
 * not settled yet, the last position of autocut's window, MMR's ties and matched images, and what pins settle.
 * Literal expected values throughout.
 */

const c = (id: string, score: number, extra: Partial<Candidate> = {}): Candidate => ({ product: pickProduct(storedDoc(id, [1])), score, ...extra });
const list = (items: Candidate[], settled = items.length, complete = true): Ranked => ({ items, settled, complete });
const ids = (r: Ranked) => r.items.map((x) => x.product.id);
const score = (x: Candidate) => x.score;
const QUERY = { source: 'QUERY' as const };

describe('byScoreThenId', () => {
  it('orders by score descending, then by id ascending, and calls only the same product equal', () => {
    expect(byScoreThenId(c('a', 0.5), c('b', 0.75))).toBe(0.25);
    expect(byScoreThenId(c('b', 0.75), c('a', 0.5))).toBe(-0.25);
    expect(byScoreThenId(c('a', 0.5), c('b', 0.5))).toBe(-1);
    expect(byScoreThenId(c('b', 0.5), c('a', 0.5))).toBe(1);
    expect(byScoreThenId(c('a', 0.5), c('a', 0.5))).toBe(0);
    expect([c('p10', 1), c('p2', 1), c('p1', 1), c('z', 2)].sort(byScoreThenId).map((x) => x.product.id)).toEqual(['z', 'p1', 'p10', 'p2']);
  });
});

describe('autocutCount at the end of the window', () => {
  it('cuts before the last value when the curve drops there (a peak at the last position)', () => {
    // curve minus line: 0, -0.323, -0.647, 0: the end rises above both values before it.
    expect(autocutCount([1, 0.99, 0.98, 0], 1)).toBe(3);
    // The same kind of drop counted as the second jump, after one at position 1 (0, 0.3, 0.1, -0.1, -0.3, 0).
    expect(autocutCount([4, 2, 2, 2, 2, 0], 2)).toBe(5);
    expect(autocutCount([4, 2, 2, 2, 2, 0], 3)).toBe(6);
  });

  it('needs the end strictly above both values before it', () => {
    // 0, -1/6, 0, 0: level with the one before.
    expect(autocutCount([3, 2.5, 1, 0], 1)).toBe(4);
    // 0, 0, -1/6, 0: above the one before, level with the one two before.
    expect(autocutCount([3, 2, 1.5, 0], 1)).toBe(4);
    // A straight line: no jump anywhere.
    expect(autocutCount([1, 0.5, 0], 1)).toBe(3);
    expect(autocutCount([1, 0], 1)).toBe(2);
    expect(autocutCount([], 1)).toBe(0);
  });

  it('never cuts when the first and last values are equal, whatever lies between', () => {
    expect(autocutCount([0.9, 1, 0.5, 1, 0.9], 1)).toBe(5);
  });
});

describe('autocut windows', () => {
  it('judges only the first `window` results and passes the list through untouched when they hold no jump', () => {
    const r = list([c('a', 4), c('b', 3), c('c', 2), c('d', 0)]);
    expect(autocut(r, 1, score, 3)).toBe(r);
    expect(autocut(r, 1, score, 4)).toEqual({ items: r.items.slice(0, 3), settled: 3, complete: true });
    expect(autocut(r, undefined, score, 4)).toBe(r);
    expect(autocut(r, 0, score, 4)).toBe(r);
    // The whole list would cut after the second result (0, 1/3, 2/3, 1/2, ...); its first three fall steadily.
    const level = list([4, 3, 2, 2, 2, 2, 2].map((s, i) => c(`p${i}`, s)));
    expect(autocut(level, 1, score, 3)).toBe(level);
    expect(ids(autocut(level, 1, score, 7))).toEqual(['p0', 'p1']);
  });

  it('cuts an unfinished list once its window is settled, and says the cut list is complete', () => {
    const r = list([c('a', 4), c('b', 1), c('c', 0.9), c('d', 0.5)], 3, false);
    expect(autocut(r, 1, score, 3)).toEqual({ items: [r.items[0]], settled: 1, complete: true });
    // No jump in the settled window: the list goes on unchanged, still unfinished.
    const flat = list([c('a', 4), c('b', 3), c('c', 2), c('d', 0)], 3, false);
    expect(autocut(flat, 1, score, 3)).toBe(flat);
  });

  it('settles nothing while fewer results than the window are settled and more may come', () => {
    const r = list([c('a', 4), c('b', 1), c('c', 0.9), c('d', 0.5)], 2, false);
    expect(autocut(r, 1, score, 3)).toEqual({ ...r, settled: 0 });
  });

  it('waits for the whole window even when every result so far is settled: a deeper fetch would move the cut', () => {
    // Collapsing can settle every item of an unfinished list. Three results alone cut after the first; with the
    // rest of the list (a straight fall to 1), the cut is after the second.
    const shallow = list([c('a', 20), c('b', 12), c('c', 10)], 3, false);
    const deep = list([20, 12, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1].map((s, i) => c(`p${i}`, s)));
    expect(ids(autocut(deep, 1, score))).toEqual(['p0', 'p1']);
    expect(autocut(shallow, 1, score)).toEqual({ ...shallow, settled: 0 });
    expect(ids(autocut({ ...shallow, complete: true }, 1, score))).toEqual(['a']);
  });
});

describe('diversity edges', () => {
  it('returns the list itself at diversity 0, without penalties', () => {
    const r = list([c('a', 0.9, { vectors: [[1, 0]] }), c('b', 0.8, { vectors: [[1, 0]] })]);
    expect(diversify(r, 0)).toBe(r);
  });

  it('waits for a settled pool unless the list is complete, and keeps the rest past the pool in order', () => {
    // a1 and a2 are the same picture, b and b2 another one.
    const items = [c('a1', 0.9, { vectors: [[1, 0]] }), c('a2', 0.89, { vectors: [[1, 0]] }), c('b', 0.8, { vectors: [[0, 1]] }), c('b2', 0.7, { vectors: [[0, 1]] })];
    expect(diversify(list(items, 1, false), 0.5, 2)).toEqual({ items, settled: 0, complete: false });
    const settledPool = diversify(list(items, 2, false), 0.5, 2);
    expect(settledPool.items.map((x) => [x.product.id, x.mmrPenalty])).toEqual([
      ['a1', 0],
      ['a2', 0.5],
      ['b', undefined],
      ['b2', undefined],
    ]);
    expect([settledPool.settled, settledPool.complete]).toEqual([2, false]);
    // A complete list shorter than the pool is diversified whole.
    const whole = diversify(list(items.slice(0, 3), 3, true), 0.5, 50);
    expect([ids(whole), whole.settled, whole.complete]).toEqual([['a1', 'b', 'a2'], 3, true]);
  });

  it('breaks ties of equal value by score, then id, whatever order they come in', () => {
    const same = list([c('x', 0.5), c('y', 0.5), c('z', 0.5)]);
    expect(diversify(same, 0.5).items.map((x) => [x.product.id, x.mmrPenalty])).toEqual([
      ['x', 0],
      ['y', 0],
      ['z', 0],
    ]);
    expect(ids(diversify(list([c('b', 0.5), c('a', 0.5)]), 0.5))).toEqual(['a', 'b']);
  });

  it('picks by value, not by score, whatever order the input comes in', () => {
    // After a, b (more relevant than p, but a copy of a) is worth less than p.
    const out = diversify(list([c('p', 0.8, { vectors: [[0, 1]] }), c('a', 0.9, { vectors: [[1, 0]] }), c('b', 0.85, { vectors: [[1, 0]] })]), 0.5);
    expect(out.items.map((x) => [x.product.id, x.mmrPenalty])).toEqual([
      ['a', 0],
      ['p', 0],
      ['b', 0.5],
    ]);
  });

  it('compares the image that matched the query, else the first image', () => {
    // b matched on its second image, which looks like c, not like a.
    const b = c('b', 0.89, { vectors: [[1, 0], [0, 1]], vector: { rank: 2, similarity: 0.78, matchedImage: { index: 1 } } });
    const out = diversify(list([c('a', 0.9, { vectors: [[1, 0]] }), b, c('c', 0.8, { vectors: [[0, 1]] })]), 0.5);
    expect(out.items.map((x) => [x.product.id, x.mmrPenalty])).toEqual([
      ['a', 0],
      ['b', 0],
      ['c', 0.5],
    ]);
    // A matched index the vectors do not hold falls back to the first image.
    const odd = c('b', 0.89, { vectors: [[1, 0]], vector: { rank: 2, similarity: 0.78, matchedImage: { index: 3 } } });
    const out2 = diversify(list([c('a', 0.9, { vectors: [[1, 0]] }), odd, c('c', 0.8, { vectors: [[0, 1]] })]), 0.5);
    expect(out2.items.map((x) => [x.product.id, x.mmrPenalty])).toEqual([
      ['a', 0],
      ['c', 0],
      ['b', 0.5],
    ]);
  });
});

describe('pins and what they settle', () => {
  const o = () => [c('o1', 0.9), c('o2', 0.8), c('o3', 0.7)];
  const pinned = new Map([['p', c('p', 0.1)]]);
  const pin = (position: number, id = 'p') => ({ id, position, rule: QUERY });
  const placed = (r: Ranked) => [ids(r), r.settled, r.complete];

  it('return the organic list itself when no pinned product is shown', () => {
    const organic = list(o(), 1, false);
    expect(placePins(organic, [pin(1, 'gone')], pinned, false)).toBe(organic);
    expect(placePins(organic, [], pinned, false)).toBe(organic);
  });

  it('count as settled, and on a complete list so does everything', () => {
    expect(placed(placePins(list(o()), [pin(2)], pinned, false))).toEqual([['o1', 'p', 'o2', 'o3'], 4, true]);
    expect(placed(placePins(list(o()), [pin(9)], pinned, false))).toEqual([['o1', 'o2', 'o3', 'p'], 4, true]);
  });

  it('leave unsettled the organic results that were, before and after the pin', () => {
    expect(placed(placePins(list(o(), 1, false), [pin(1)], pinned, false))).toEqual([['p', 'o1', 'o2', 'o3'], 2, false]);
    expect(placed(placePins(list(o(), 1, false), [pin(3)], pinned, false))).toEqual([['o1', 'o2', 'p', 'o3'], 1, false]);
    expect(placed(placePins(list(o(), 0, false), [pin(2)], pinned, false))).toEqual([['o1', 'p', 'o2', 'o3'], 0, false]);
    expect(placed(placePins(list(o(), 3, false), [pin(2)], pinned, false))).toEqual([['o1', 'p', 'o2', 'o3'], 4, false]);
  });

  it('keep each organic result\'s own settledness when the pin takes a product out of the list', () => {
    const both = new Map([['o1', c('o1', 0.9)]]);
    expect(placed(placePins(list(o(), 2, false), [pin(3, 'o1')], both, false))).toEqual([['o2', 'o3', 'o1'], 1, false]);
  });

  it('are placed right after enough organic results of an unfinished list, and wait when there are too few', () => {
    expect(placed(placePins(list([c('o1', 0.9)], 1, false), [pin(2)], pinned, false))).toEqual([['o1', 'p'], 2, false]);
    expect(placed(placePins(list([c('o1', 0.9)], 1, false), [pin(3)], pinned, false))).toEqual([['o1'], 1, false]);
  });
});
