import { isZeroVector, l2Normalize } from '../../src/common/vectors';
import { mean, parseModifier, preferenceVector } from '../../src/search/vector-math';
import { dot } from '../support/vectors';

describe('vector math', () => {
  it('normalises to unit length and leaves zero vectors at zero', () => {
    const v = l2Normalize([3, 4]);
    expect(Array.from(v)).toEqual([expect.closeTo(0.6, 6), expect.closeTo(0.8, 6)]);
    expect(Array.from(l2Normalize([0, 0]))).toEqual([0, 0]);
  });

  it('averages', () => {
    expect(Array.from(mean([[1, 0], [0, 1]]))).toEqual([0.5, 0.5]);
    expect(() => mean([])).toThrow(new RangeError('mean of no vectors'));
  });

  it('moves the preference vector away from negatives', () => {
    const pos = [[1, 0, 0], [0.9, 0.1, 0]];
    const neg = [[0, 1, 0]];
    const withNeg = preferenceVector(pos, neg)!;
    const without = preferenceVector(pos, [])!;
    expect(dot(withNeg, withNeg)).toBeCloseTo(1, 5);
    expect(dot(withNeg, [0, 1, 0])).toBeLessThan(dot(without, [0, 1, 0]));
  });

  it('gives up when positives and negatives cancel out', () => {
    expect(preferenceVector([[1, 0]], [[1, 0]], 1)).toBeUndefined();
  });
});

describe('l2Normalize on vectors without a direction', () => {
  it('answers the zero vector, never NaN, for non-finite norms too', () => {
    for (const v of [[0, 0, 0], [NaN, 1, 0], [Infinity, 1, 0]]) expect(Array.from(l2Normalize(v))).toEqual([0, 0, 0]);
  });
});

describe('exact values', () => {
  it('normalises positives before averaging, and subtracts half the normalised negative mean by default', () => {
    // Positives (2, 0) and (0, 3) count equally once normalised; the negative (0, 5) is (0, 1) normalised.
    const q = preferenceVector([[2, 0], [0, 3]], [[0, 5]])!;
    const raw = [0.5, 0.5 - 0.5];
    expect(Array.from(q)).toEqual([expect.closeTo(raw[0]! / Math.hypot(...raw), 6), expect.closeTo(0, 6)]);
    const weighted = preferenceVector([[1, 0]], [[0, 1]], 2)!;
    expect(Array.from(weighted)).toEqual([expect.closeTo(1 / Math.sqrt(5), 6), expect.closeTo(-2 / Math.sqrt(5), 6)]);
    expect(preferenceVector([[3, 4]], [])).toEqual(Float32Array.from([0.6, 0.8]));
  });

  it('averages every component over every vector', () => {
    expect(mean([[3, 6, 9], [0, 0, 3], [0, 3, 0]])).toEqual(Float32Array.from([1, 3, 4]));
    expect(mean([[1, 2]])).toEqual(Float32Array.from([1, 2]));
  });

  it('l2Normalize returns a new Float32Array and leaves its input alone', () => {
    const v = [0, -3, 4];
    const out = l2Normalize(v);
    expect(out).toBeInstanceOf(Float32Array);
    expect(out).toEqual(Float32Array.from([0, -0.6, 0.8]));
    expect(v).toEqual([0, -3, 4]);
    expect(l2Normalize([-Infinity, 0])).toEqual(Float32Array.from([0, 0]));
    expect(l2Normalize([5])).toEqual(Float32Array.from([1]));
  });

  it('isZeroVector is true only when every component is 0', () => {
    expect([[0, 0, 0], [], [0, 0, 1e-30], [1, 0, 0], [0, -1, 0], [NaN]].map((v) => isZeroVector(v))).toEqual([
      true,
      true,
      false,
      false,
      false,
      false,
    ]);
  });
});

describe('parseModifier', () => {
  it('keeps every word after the filler, space-separated, and negates once', () => {
    expect(parseModifier('but in dark  red')).toStrictEqual({ text: 'dark red', sign: 1 });
    // Only the first negation turns the sign: "without no logo" moves away from "no logo".
    expect(parseModifier('without no logo')).toStrictEqual({ text: 'no logo', sign: -1 });
    expect(parseModifier('not not shiny')).toStrictEqual({ text: 'not shiny', sign: -1 });
  });
});
