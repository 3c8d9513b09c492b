import { primaryVector } from '../catalog/product';
import type { Hit, ProductIndex } from '../catalog/product-index';
import type { ShadowStore } from '../catalog/shadow-store';

export interface ModelComparison {
  live: ModelQuality;
  shadow: ModelQuality;
  /** Products compared: the first `sample` of the live index in id order that both indices hold with a vector. */
  sampleSize: number;
  /** Mean share of a product's 10 nearest neighbours that both models agree on (1: identical neighbourhoods). */
  meanOverlapAt10: number;
  /** The products whose neighbours changed most, least overlap first. */
  mostChanged: { id: string; title: string; overlapAt10: number }[];
}

export interface ModelQuality {
  index: string;
  modelId: string;
  /**
   * Image-to-image quality on the catalog's own labels: the share of each sampled product's 5 nearest other products
   * that have its category (products without a category are left out).
   */
  categoryPrecisionAt5: number;
}

const K = 10;
/** kNN candidates per side, as searches ask (search/pipeline/windows.ts): the neighbourhoods are the served ones. */
const NUM_CANDIDATES = 1000;

/** The k products nearest to one vector, without the product itself. */
async function nearest(index: Pick<ProductIndex, 'retrieve'>, vector: number[], id: string): Promise<Hit[]> {
  const r = await index.retrieve({ restriction: { excludeIds: [id] }, vector: { vector, from: 0, size: K, numCandidates: NUM_CANDIDATES } });
  return r.vector ?? [];
}

/**
 * compareModels: what promoting the shadow index would change, measured on the catalog itself with each index's own
 * vectors (no model is run, so the server that answers needs neither model loaded).
 */
export class CompareModelsService {
  constructor(
    private readonly live: ProductIndex,
    private readonly store: ShadowStore,
  ) {}

  /** Undefined when no shadow index is being built. */
  async compare(sample: number, mostChanged = 10): Promise<ModelComparison | undefined> {
    const { live, shadow } = await this.store.describe();
    if (!live?.identity || !shadow?.identity || live.index === shadow.index) return undefined;
    const shadowIndex = this.store.shadowIndex();
    const first = await this.store.scan('live', sample).next();
    // One vector per product is compared: its own picture's, the first image (neighbours are still found over every
    // image, as similarProducts finds them).
    const liveDocs = (first.done ? [] : first.value).map((s) => s.doc).filter((d) => primaryVector(d).length > 0);
    const shadowDocs = await shadowIndex.getDocuments(liveDocs.map((d) => d.id));
    const rows: { id: string; title: string; overlap: number; liveP5?: number; shadowP5?: number }[] = [];
    for (const doc of liveDocs) {
      const twin = shadowDocs.get(doc.id);
      if (!twin || primaryVector(twin).length === 0) continue;
      const [a, b] = await Promise.all([
        nearest(this.live, primaryVector(doc), doc.id),
        nearest(shadowIndex, primaryVector(twin), doc.id),
      ]);
      const inA = new Set(a.map((h) => h.product.id));
      const p5 = (hits: typeof a) => (doc.category ? hits.slice(0, 5).filter((h) => h.product.category === doc.category).length / 5 : undefined);
      rows.push({ id: doc.id, title: doc.title, overlap: b.filter((h) => inA.has(h.product.id)).length / K, liveP5: p5(a), shadowP5: p5(b) });
    }
    const mean = (xs: (number | undefined)[]) => {
      const ys = xs.filter((x): x is number => x !== undefined);
      return ys.length === 0 ? 0 : ys.reduce((s, x) => s + x, 0) / ys.length;
    };
    return {
      live: { index: live.index, modelId: live.identity.modelId, categoryPrecisionAt5: mean(rows.map((r) => r.liveP5)) },
      shadow: { index: shadow.index, modelId: shadow.identity.modelId, categoryPrecisionAt5: mean(rows.map((r) => r.shadowP5)) },
      sampleSize: rows.length,
      meanOverlapAt10: mean(rows.map((r) => r.overlap)),
      mostChanged: [...rows]
        .sort((x, y) => x.overlap - y.overlap || x.id.localeCompare(y.id))
        .slice(0, mostChanged)
        .map((r) => ({ id: r.id, title: r.title, overlapAt10: r.overlap })),
    };
  }
}
