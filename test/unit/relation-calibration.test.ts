import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { minCosineFor, relationOf } from '../../src/catalog/relation';
import { readCalibration } from '../../src/embedding/calibration';
import { fitThresholds, scoreLabels, type LabelledPair } from '../../tools/relation/fit';

const pair = (label: LabelledPair['label'], cosine: number): LabelledPair => ({ label, kind: 'k', cosine });

describe('relation thresholds', () => {
  it('labels by the two cut points, inclusive at each threshold', () => {
    const t = { duplicate: 0.95, variant: 0.8 };
    expect([0.99, 0.95, 0.9499, 0.8, 0.7999, -1].map((c) => relationOf(c, t))).toEqual(['DUPLICATE', 'DUPLICATE', 'VARIANT', 'VARIANT', 'SIMILAR', 'SIMILAR']);
  });

  it('fits cut points that separate separable labels perfectly, midway between the classes', () => {
    const pairs = [pair('DUPLICATE', 0.99), pair('DUPLICATE', 0.97), pair('VARIANT', 0.9), pair('VARIANT', 0.85), pair('SIMILAR', 0.6), pair('SIMILAR', 0.7)];
    const t = fitThresholds(pairs);
    expect(t).toEqual({ duplicate: 0.935, variant: 0.775, macroF1: 1 });
    const s = scoreLabels(pairs, t);
    expect(s.precision).toEqual({ DUPLICATE: 1, VARIANT: 1, SIMILAR: 1 });
    expect(s.recall).toEqual({ DUPLICATE: 1, VARIANT: 1, SIMILAR: 1 });
  });

  it('scores overlapping labels with the exact confusion counts', () => {
    const pairs = [pair('DUPLICATE', 0.99), pair('DUPLICATE', 0.85), pair('VARIANT', 0.96), pair('VARIANT', 0.9), pair('SIMILAR', 0.82), pair('SIMILAR', 0.5)];
    const s = scoreLabels(pairs, { duplicate: 0.95, variant: 0.8 });
    expect(s.confusion).toEqual({
      DUPLICATE: { DUPLICATE: 1, VARIANT: 1, SIMILAR: 0 },
      VARIANT: { DUPLICATE: 1, VARIANT: 1, SIMILAR: 0 },
      SIMILAR: { DUPLICATE: 0, VARIANT: 1, SIMILAR: 1 },
    });
    expect(s.precision).toEqual({ DUPLICATE: 0.5, VARIANT: 1 / 3, SIMILAR: 1 });
    expect(s.recall).toEqual({ DUPLICATE: 0.5, VARIANT: 0.5, SIMILAR: 0.5 });
  });

  it('gives the lowest cosine of each level', () => {
    const t = { duplicate: 0.95, variant: 0.8 };
    expect([minCosineFor('DUPLICATE', t), minCosineFor('VARIANT', t), minCosineFor('SIMILAR', t)]).toEqual([0.95, 0.8, -1]);
  });

  it('reads a calibration file, has none without one, and refuses one made for other weights or malformed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cal-'));
    await expect(readCalibration(dir, 'm@1234abcd')).resolves.toBeUndefined();
    writeFileSync(join(dir, 'calibration.json'), JSON.stringify({ model: 'm@1234abcd', thresholds: { duplicate: 0.97, variant: 0.9 } }));
    expect((await readCalibration(dir, 'm@1234abcd'))!.thresholds).toEqual({ duplicate: 0.97, variant: 0.9 });
    await expect(readCalibration(dir, 'm@ffffffff')).rejects.toMatchObject({
      code: 'MODEL_LOAD_FAILED',
      message: expect.stringMatching(/calibrated for m@1234abcd, not m@ffffffff \(run npm run calibrate\)/),
    });
    writeFileSync(join(dir, 'calibration.json'), JSON.stringify({ model: 'm', thresholds: { duplicate: 0.8, variant: 0.9 } }));
    await expect(readCalibration(dir, 'm')).rejects.toMatchObject({ code: 'MODEL_LOAD_FAILED', message: expect.stringMatching(/variant <= duplicate/) });
    writeFileSync(join(dir, 'calibration.json'), '{not json');
    await expect(readCalibration(dir, 'm')).rejects.toMatchObject({ code: 'MODEL_LOAD_FAILED' });
  });
});
