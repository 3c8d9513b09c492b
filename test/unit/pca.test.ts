import { CovarianceAccumulator, fitPca, projectPca } from '../../src/explore/pca';
import { sampleIndices } from '../../src/explore/catalog-map.service';

describe('PCA for the catalog map', () => {
  it('finds the axes of an elongated cloud, largest variance first, with a fixed sign', () => {
    // Points on a 3:1 ellipse in the x-z plane of 3-D space, plus a constant offset.
    const rows = Array.from({ length: 360 }, (_, i) => {
      const t = (i * Math.PI) / 180;
      return [5 + 3 * Math.cos(t), 1, -2 + Math.sin(t)];
    });
    const model = fitPca(rows, 2);
    expect(Array.from(model.mean).map((v) => +v.toFixed(6))).toEqual([5, 1, -2]);
    expect(Array.from(model.components[0]).map((v) => +v.toFixed(6))).toEqual([1, 0, 0]);
    expect(Array.from(model.components[1]).map((v) => Math.abs(+v.toFixed(6)))).toEqual([0, 0, 1]);
    expect(projectPca(model, [8, 1, -2]).map((v) => +v.toFixed(6) + 0)).toEqual([3, 0]);
  });

  it('gives the same model whether rows arrive at once or one by one', () => {
    const rows = Array.from({ length: 50 }, (_, i) => [Math.sin(i), Math.cos(i * 1.3), (i % 7) / 7, 0.5]);
    const acc = new CovarianceAccumulator(4);
    for (const r of rows) acc.add(r);
    expect(acc.count).toBe(50);
    expect(acc.fit(2).components.map((c) => Array.from(c))).toEqual(fitPca(rows, 2).components.map((c) => Array.from(c)));
  });

  it('samples evenly and deterministically above the point cap', () => {
    expect(sampleIndices(5, 10)).toEqual([0, 1, 2, 3, 4]);
    expect(sampleIndices(10, 4)).toEqual([0, 2, 5, 7]);
  });
});
