import { join } from 'node:path';
import { readModelFolder } from '../../src/embedding/model-folder';
import { EmbeddingService } from '../../src/embedding/embedding.service';

/** The shipped model's relation thresholds belong to its current weights: a retrain must rerun `npm run calibrate`. */
describe('relation calibration of models/siglip-tiny', () => {
  const dir = join(__dirname, '../../models/siglip-tiny');

  it('was computed for the weights in the folder, and the model folder reads it', async () => {
    // readModelFolder refuses a calibration.json made for other weights (MODEL_LOAD_FAILED), so reading is the check.
    const { relationThresholds } = await readModelFolder(dir);
    expect(relationThresholds).toBeDefined();
    expect(relationThresholds!.duplicate).toBeGreaterThan(relationThresholds!.variant);
  });

  it('reaches the services through the embedder', async () => {
    const embedder = await EmbeddingService.load({ modelDir: dir, intraOpThreads: 1, maxBatchSize: 4, maxWaitMs: 1, maxInputPixels: 1e6 });
    try {
      expect(embedder.relationThresholds).toEqual((await readModelFolder(dir)).relationThresholds);
    } finally {
      await embedder.close();
    }
  });
});
