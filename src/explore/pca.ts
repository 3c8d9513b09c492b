/**
 * Principal component analysis for the catalog map, sized for 100k × 128-d vectors: rows are added one at a time
 * to running sums (no n × d matrix copy; the caller yields to the event loop between batches), and the top
 * components come from power iteration with deflation on the small d × d covariance. Deterministic (fixed start
 * vector, sign convention), so every replica draws the same map.
 */
export interface PcaModel {
  mean: Float64Array;
  components: Float64Array[];
}

export class CovarianceAccumulator {
  private n = 0;
  private readonly sum: Float64Array;
  /** Upper triangle of Σ x xᵀ. */
  private readonly outer: Float64Array;

  constructor(readonly dims: number) {
    this.sum = new Float64Array(dims);
    this.outer = new Float64Array(dims * dims);
  }

  get count(): number {
    return this.n;
  }

  add(row: ArrayLike<number>): void {
    const d = this.dims;
    this.n++;
    for (let a = 0; a < d; a++) {
      const xa = row[a];
      this.sum[a] += xa;
      if (xa === 0) continue;
      const base = a * d;
      for (let b = a; b < d; b++) this.outer[base + b] += xa * row[b];
    }
  }

  /** The top `k` principal components. */
  fit(k = 2, iterations = 300): PcaModel {
    const d = this.dims;
    const n = Math.max(1, this.n);
    const mean = this.sum.map((s) => s / n);
    // cov = (Σ x xᵀ − n μ μᵀ) / (n − 1); fine in float64 for unit vectors.
    const cov = new Float64Array(d * d);
    for (let a = 0; a < d; a++) {
      for (let b = a; b < d; b++) {
        const v = (this.outer[a * d + b] - n * mean[a] * mean[b]) / Math.max(1, n - 1);
        cov[a * d + b] = v;
        cov[b * d + a] = v;
      }
    }
    const components: Float64Array[] = [];
    for (let c = 0; c < Math.min(k, d); c++) {
      const { vector, value } = topEigenvector(cov, d, iterations);
      components.push(vector);
      for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) cov[a * d + b] -= value * vector[a] * vector[b];
    }
    return { mean, components };
  }
}

function topEigenvector(cov: Float64Array, d: number, iterations: number): { vector: Float64Array; value: number } {
  let v = new Float64Array(d).map((_, j) => 1 / Math.sqrt(d) + j * 1e-3);
  let value = 0;
  for (let it = 0; it < iterations; it++) {
    const w = new Float64Array(d);
    for (let a = 0; a < d; a++) {
      let s = 0;
      for (let b = 0; b < d; b++) s += cov[a * d + b] * v[b];
      w[a] = s;
    }
    let norm = 0;
    for (let a = 0; a < d; a++) norm += w[a] * w[a];
    norm = Math.sqrt(norm);
    if (norm === 0) break;
    let delta = 0;
    for (let a = 0; a < d; a++) {
      w[a] /= norm;
      delta += Math.abs(w[a] - v[a]);
    }
    v = w;
    value = norm;
    if (delta < 1e-12) break;
  }
  // Sign convention: the largest coordinate positive, so the map never mirrors between runs.
  let big = 0;
  for (let a = 1; a < d; a++) if (Math.abs(v[a]) > Math.abs(v[big])) big = a;
  if (v[big] < 0) for (let a = 0; a < d; a++) v[a] = -v[a];
  return { vector: v, value };
}

export function fitPca(rows: ArrayLike<number>[], k = 2): PcaModel {
  const acc = new CovarianceAccumulator(rows[0]?.length ?? 0);
  for (const r of rows) acc.add(r);
  return acc.fit(k);
}

export function projectPca(model: PcaModel, v: ArrayLike<number>): number[] {
  return model.components.map((c) => {
    let s = 0;
    for (let j = 0; j < c.length; j++) s += (v[j] - model.mean[j]) * c[j];
    return s;
  });
}
