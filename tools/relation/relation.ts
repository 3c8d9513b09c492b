/**
 * Per-model relation thresholds (models/<folder>/calibration.json, written by `npm run calibrate`) and the one rule
 * that turns a hit's image cosine into DUPLICATE | VARIANT | SIMILAR. Deliberately free of project imports so the
 * server can move it into src/embedding as it is.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export type Relation = 'DUPLICATE' | 'VARIANT' | 'SIMILAR';
export const RELATIONS: Relation[] = ['DUPLICATE', 'VARIANT', 'SIMILAR'];
export const CALIBRATION_FILE = 'calibration.json';

/** Cosine (of L2-normalised image embeddings) at or above which a hit is a DUPLICATE, resp. at least a VARIANT. */
export interface RelationThresholds {
  duplicate: number;
  variant: number;
}

export interface RelationCalibration {
  /** The model id (name@fingerprint) the thresholds were computed for; other weights need their own calibration. */
  model: string;
  thresholds: RelationThresholds;
  [k: string]: unknown;
}

export function relationOf(cosine: number, t: RelationThresholds): Relation {
  if (cosine >= t.duplicate) return 'DUPLICATE';
  if (cosine >= t.variant) return 'VARIANT';
  return 'SIMILAR';
}

/**
 * Reads and checks a model folder's calibration. With `modelId`, a calibration made for other weights (a retrain
 * that forgot `npm run calibrate`) is refused rather than silently mislabelling hits.
 */
export function readRelationCalibration(modelDir: string, modelId?: string): RelationCalibration {
  const path = join(modelDir, CALIBRATION_FILE);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read ${path}: ${(err as Error).message} (run npm run calibrate)`);
  }
  const c = raw as Partial<RelationCalibration>;
  const t = c.thresholds;
  const ok = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x) && x >= -1 && x <= 1;
  if (typeof c.model !== 'string' || !t || !ok(t.duplicate) || !ok(t.variant) || t.variant > t.duplicate) {
    throw new Error(`${path}: expected { model, thresholds: { duplicate, variant } } with -1 <= variant <= duplicate <= 1`);
  }
  if (modelId !== undefined && c.model !== modelId) {
    throw new Error(`${path} was calibrated for ${c.model}, not ${modelId} (run npm run calibrate)`);
  }
  return c as RelationCalibration;
}
