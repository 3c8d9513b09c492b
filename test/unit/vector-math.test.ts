import { l2Normalize } from '../../src/common/vectors';
import { mean, preferenceVector } from '../../src/search/vector-math';
import { dot } from '../support/vectors';

describe('vector math', () => {
  it('normalises to unit length and leaves zero vectors at zero', () => {
    const v = l2Normalize([3, 4]);
    expect(Array.from(v)).toEqual([expect.closeTo(0.6, 6), expect.closeTo(0.8, 6)]);
    expect(Array.from(l2Normalize([0, 0]))).toEqual([0, 0]);
  });

  it('averages', () => {
    expect(Array.from(mean([[1, 0], [0, 1]]))).toEqual([0.5, 0.5]);
    expect(() => mean([])).toThrow(RangeError);
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
