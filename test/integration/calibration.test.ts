import { join } from 'node:path';
import { readModelFolder } from '../../src/embedding/model-folder';
import { readRelationCalibration } from '../../tools/relation/relation';

/** The shipped model's relation thresholds belong to its current weights: a retrain must rerun `npm run calibrate`. */
describe('relation calibration of models/siglip-tiny', () => {
  it('was computed for the weights in the folder', async () => {
    const dir = join(__dirname, '../../models/siglip-tiny');
    const { modelId } = await readModelFolder(dir);
    const cal = readRelationCalibration(dir, modelId);
    expect(cal.model).toBe(modelId);
    expect(cal.thresholds.duplicate).toBeGreaterThan(cal.thresholds.variant);
  });
});
