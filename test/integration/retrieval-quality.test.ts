import { evaluateRetrieval, HELD_OUT_SEED } from '../../tools/eval/retrieval-eval';
import { testConfig } from '../support/server';

/**
 * Guards the model's retrieval quality through the real pipeline (TypeScript preprocessing, ONNX Runtime,
 * Elasticsearch kNN) on a held-out seed. Floors sit a little below what `npm run eval` measures on 600 products
 * (see models/README.md; these 240 measure 0.995 and 0.955), so a regression in preprocessing, tokenisation or
 * query building trips them.
 */
const FLOORS = { textRecallAt10: 0.98, imagePrecisionAt5: 0.94 };

describe('retrieval quality on held-out products', () => {
  it('meets the floors for text→image and image→image', async () => {
    const report = await evaluateRetrieval(testConfig(), { seed: HELD_OUT_SEED, n: 240 });
    console.log(`retrieval quality (240 held-out products): ${JSON.stringify(report)}`);
    expect(report.textRecallAt10).toBeGreaterThanOrEqual(FLOORS.textRecallAt10);
    expect(report.imagePrecisionAt5).toBeGreaterThanOrEqual(FLOORS.imagePrecisionAt5);
  }, 180_000);
});
