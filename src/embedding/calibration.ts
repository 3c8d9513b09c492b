import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../common/errors';

/**
 * The model folder's relation calibration (calibration.json, written by `npm run calibrate`): the cosine cut points
 * between DUPLICATE, VARIANT and SIMILAR for these weights. Read with the weights, so thresholds always belong to the
 * vectors they judge.
 */
export const CALIBRATION_FILE = 'calibration.json';

export interface RelationCalibration {
  /** The model id (name@fingerprint) the thresholds were computed for. */
  model: string;
  thresholds: { duplicate: number; variant: number };
  [k: string]: unknown;
}

/** Checks the shape of a parsed calibration file; the message names what is wrong. */
export function parseCalibration(raw: unknown, where: string): RelationCalibration {
  const c = (typeof raw === 'object' && raw !== null ? raw : {}) as Partial<RelationCalibration>;
  const t = c.thresholds;
  const ok = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x) && x >= -1 && x <= 1;
  if (typeof c.model !== 'string' || !t || !ok(t.duplicate) || !ok(t.variant) || t.variant > t.duplicate) {
    throw new Error(`${where}: expected { model, thresholds: { duplicate, variant } } with -1 <= variant <= duplicate <= 1`);
  }
  return c as RelationCalibration;
}

/**
 * The folder's calibration, or undefined when it has none (relations are then left out, and boot says so). A file
 * made for other weights (a retrain that forgot `npm run calibrate`) or a malformed one fails as MODEL_LOAD_FAILED
 * rather than silently mislabelling hits.
 */
export async function readCalibration(dir: string, modelId: string): Promise<RelationCalibration | undefined> {
  const path = join(dir, CALIBRATION_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new AppError('MODEL_LOAD_FAILED', `MODEL_DIR=${dir}: cannot read ${CALIBRATION_FILE} (${(err as Error).message})`, { cause: err });
  }
  let c: RelationCalibration;
  try {
    c = parseCalibration(JSON.parse(text), CALIBRATION_FILE);
  } catch (err) {
    throw new AppError('MODEL_LOAD_FAILED', `MODEL_DIR=${dir}: ${(err as Error).message} (run npm run calibrate)`, { cause: err });
  }
  if (c.model !== modelId) {
    throw new AppError('MODEL_LOAD_FAILED', `MODEL_DIR=${dir}: ${CALIBRATION_FILE} was calibrated for ${c.model}, not ${modelId} (run npm run calibrate)`);
  }
  return c;
}
