import { UMAP } from 'umap-js';
import { mulberry32 } from '../common/random';

/**
 * The only module that imports umap-js. Seeded, so the same catalog always gives the same map on every replica,
 * and fitted in slices that yield to the event loop, so a map being computed never stalls other requests for long.
 */
export async function fitUmap(rows: number[][], seed = 7): Promise<number[][]> {
  // 200 epochs instead of umap-js's 500 for small inputs: the layout is settled for viewing and it is 2.5× faster.
  const umap = new UMAP({ nComponents: 2, nNeighbors: Math.min(15, rows.length - 1), minDist: 0.5, nEpochs: 200, random: mulberry32(seed) });
  const epochs = umap.initializeFit(rows);
  for (let i = 0; i < epochs; i++) {
    umap.step();
    if (i % 10 === 9) await new Promise((r) => setImmediate(r));
  }
  // umap-js's transform() is not used for new points: with nEpochs not divisible by 3 it never terminates.
  return umap.getEmbedding();
}
