/**
 * Weighted logistic regression by Newton's method (IRLS), small and exact enough for a handful of features. Pure, so
 * it is unit-tested against known fits.
 */
export interface Sample {
  x: readonly number[];
  y: 0 | 1;
  weight: number;
}

/** Weights (one per feature) and bias maximising the weighted log-likelihood, with a tiny ridge for separable data. */
export function fitLogistic(samples: readonly Sample[], iterations = 50, ridge = 1e-4): { w: number[]; b: number } {
  const d = samples[0].x.length + 1;
  const beta = new Array<number>(d).fill(0);
  const row = (s: Sample) => [...s.x, 1];
  for (let it = 0; it < iterations; it++) {
    const grad = new Array<number>(d).fill(0);
    const hess = Array.from({ length: d }, () => new Array<number>(d).fill(0));
    for (const s of samples) {
      const r = row(s);
      const p = 1 / (1 + Math.exp(-r.reduce((a, v, i) => a + v * beta[i], 0)));
      for (let i = 0; i < d; i++) {
        grad[i] += s.weight * (s.y - p) * r[i];
        for (let j = 0; j < d; j++) hess[i][j] += s.weight * p * (1 - p) * r[i] * r[j];
      }
    }
    for (let i = 0; i < d; i++) {
      grad[i] -= ridge * beta[i];
      hess[i][i] += ridge;
    }
    const step = solve(hess, grad);
    for (let i = 0; i < d; i++) beta[i] += step[i];
    if (Math.max(...step.map(Math.abs)) < 1e-9) break;
  }
  return { w: beta.slice(0, d - 1), b: beta[d - 1] };
}

/** Gaussian elimination with partial pivoting. */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((r, i) => [...r, b[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
    [m[c], m[p]] = [m[p], m[c]];
    for (let r = c + 1; r < n; r++) {
      const f = m[r][c] / m[c][c];
      for (let k = c; k <= n; k++) m[r][k] -= f * m[c][k];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = m[r][n];
    for (let k = r + 1; k < n; k++) s -= m[r][k] * x[k];
    x[r] = s / m[r][r];
  }
  return x;
}
