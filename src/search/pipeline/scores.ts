/** Score conversions shared by the pipeline stages. */

/** With dot_product over unit vectors Elasticsearch scores (1 + cos) / 2; callers want the cosine back. */
export function cosineFromScore(score: number): number {
  // Rounded: int8-quantised scores carry no more precision than this, and clients should not see float noise.
  return Math.round(Math.max(-1, Math.min(1, 2 * score - 1)) * 1e6) / 1e6;
}
