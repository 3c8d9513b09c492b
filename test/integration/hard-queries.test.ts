import { evaluateRetrieval, HELD_OUT_SEED } from '../../tools/eval/retrieval-eval';
import { testConfig } from '../support/server';

/**
 * The two weak spots of issue 9, through the real pipeline on the held-out seed with 400 products indexed:
 * a cropped or re-framed copy used as a searchByImage query finds its source first, and a "<colour> <pattern>
 * <category>" query has an exact match as its top hit (VECTOR and HYBRID). Floors sit just below what this exact
 * configuration measured for the shipped model (crop 0.60, crop-resized 0.27, crop-offframe 0.34, shift 0.47,
 * pattern VECTOR 0.53, HYBRID 0.71; models/README.md has the 600-product numbers, `npm run eval -- --crops
 * --patterns`). They are regression guards, far below issue 9's 0.90 targets: raise them with the model.
 */
const FLOORS = {
  crop: 0.55,
  'crop-resized': 0.22,
  'crop-offframe': 0.29,
  shift: 0.42,
  patternVector: 0.48,
  patternHybrid: 0.67,
};

describe('crop and pattern top-1 on held-out products', () => {
  it('finds the source of a crop first, and an exact colour+pattern+category match first', async () => {
    const report = await evaluateRetrieval(testConfig(), {
      seed: HELD_OUT_SEED,
      n: 400,
      patterns: true,
      crops: { sample: 100, kinds: ['crop', 'crop-resized', 'crop-offframe', 'shift'] },
    });
    console.log(`crop/pattern top-1 (400 held-out products, 100 copies per kind): ${JSON.stringify(report)}`);
    const c = report.cropTop1!;
    expect(c.queries).toBe(100);
    expect(c.crop).toBeGreaterThanOrEqual(FLOORS.crop);
    expect(c['crop-resized']).toBeGreaterThanOrEqual(FLOORS['crop-resized']);
    expect(c['crop-offframe']).toBeGreaterThanOrEqual(FLOORS['crop-offframe']);
    expect(c.shift).toBeGreaterThanOrEqual(FLOORS.shift);
    expect(report.patternTop1!.vector).toBeGreaterThanOrEqual(FLOORS.patternVector);
    expect(report.patternTop1!.hybrid).toBeGreaterThanOrEqual(FLOORS.patternHybrid);
  }, 120_000);
});
