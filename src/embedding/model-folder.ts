import { createHash } from 'node:crypto';
import { open, readFile, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { AppError } from '../common/errors';
import { readCalibration } from './calibration';
import { parsePreprocessorConfig, type ImagePreprocessing } from './pixels/preprocessor-config';

/**
 * Reads and validates a SigLIP ONNX export folder (the layout HF/optimum exports use). Every problem becomes
 * MODEL_LOAD_FAILED naming the file and MODEL_DIR, because the person reading it is fixing a deployment.
 */

export const MODEL_FILES = {
  config: 'config.json',
  preprocessor: 'preprocessor_config.json',
  tokenizer: 'tokenizer.json',
  tokenizerConfig: 'tokenizer_config.json',
  vision: 'onnx/vision_model.onnx',
  text: 'onnx/text_model.onnx',
} as const;

export interface ModelFolder {
  readonly dir: string;
  /**
   * config `_name_or_path` (else the folder name) plus a fingerprint of the weights and processing files, e.g.
   * `siglip-tiny@1a2b3c4d`. Stored with the index, so a retrained, re-quantised or re-exported model under the same
   * name is detected instead of silently mixing incomparable vectors.
   */
  readonly modelId: string;
  readonly visionPath: string;
  readonly textPath: string;
  readonly image: ImagePreprocessing;
  readonly tokenizerJson: unknown;
  readonly tokenizerConfig: unknown;
  readonly textMaxLength: number;
  readonly lowercase: boolean;
  /** The DUPLICATE / VARIANT cosine cut points calibrated for these weights (calibration.json); absent without one. */
  readonly relationThresholds?: { readonly duplicate: number; readonly variant: number };
  /**
   * SigLIP's learned logit scale (exp'ed) and bias, which turn a cosine into a probability:
   * sigmoid(scale * cos + bias). They are weights of the full model, not of either tower, so the ONNX towers do not
   * carry them; exporters record them in config.json (`logit_scale_exp` or the log value `logit_scale`, and
   * `logit_bias`). Undefined when config.json has neither, as in the stock HF configs.
   */
  readonly logits?: SiglipLogits;
}

export interface SiglipLogits {
  readonly scale: number;
  readonly bias: number;
}

const DEFAULT_TEXT_LENGTH = 64;

function fail(dir: string, message: string, cause?: unknown): never {
  throw new AppError('MODEL_LOAD_FAILED', `MODEL_DIR=${dir}: ${message}`, cause === undefined ? undefined : { cause });
}

async function readJson(dir: string, file: string, optional: true): Promise<unknown | undefined>;
async function readJson(dir: string, file: string, optional?: false): Promise<unknown>;
async function readJson(dir: string, file: string, optional = false): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(join(dir, file), 'utf8');
  } catch (err) {
    if (optional && (err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    fail(dir, `cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, err);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    fail(dir, `${file} is not valid JSON`, err);
  }
}

async function requireFile(dir: string, file: string): Promise<string> {
  const path = join(dir, file);
  const s = await stat(path).catch(() => null);
  if (!s?.isFile()) fail(dir, `missing ${file}`);
  return path;
}

function asRecord(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

export async function readModelFolder(modelDir: string): Promise<ModelFolder> {
  const dir = resolve(modelDir);
  const s = await stat(dir).catch(() => null);
  if (!s?.isDirectory()) fail(dir, 'not a directory');
  const [visionPath, textPath] = await Promise.all([requireFile(dir, MODEL_FILES.vision), requireFile(dir, MODEL_FILES.text)]);
  const [config, pre, tokenizerJson, tokenizerConfig] = await Promise.all([
    readJson(dir, MODEL_FILES.config),
    readJson(dir, MODEL_FILES.preprocessor),
    readJson(dir, MODEL_FILES.tokenizer),
    readJson(dir, MODEL_FILES.tokenizerConfig, true),
  ]);
  const cfg = asRecord(config);
  if (cfg['model_type'] !== undefined && cfg['model_type'] !== 'siglip') {
    fail(dir, `${MODEL_FILES.config} has model_type '${String(cfg['model_type'])}', expected 'siglip'`);
  }
  let image: ImagePreprocessing;
  try {
    image = parsePreprocessorConfig(pre);
  } catch (err) {
    fail(dir, (err as Error).message, err);
  }
  const maxPos = asRecord(cfg['text_config'])['max_position_embeddings'];
  const textMaxLength = maxPos === undefined ? DEFAULT_TEXT_LENGTH : maxPos;
  if (typeof textMaxLength !== 'number' || !Number.isInteger(textMaxLength) || textMaxLength < 2) {
    fail(dir, `${MODEL_FILES.config} text_config.max_position_embeddings must be an integer >= 2`);
  }
  const lower = asRecord(tokenizerConfig)['do_lower_case'];
  const name = cfg['_name_or_path'];
  const logits = logitsOf(cfg);
  const fingerprint = await fingerprintOf([visionPath, textPath], [config, pre, tokenizerJson]);
  const modelId = `${typeof name === 'string' && name.trim() !== '' ? name : basename(dir)}@${fingerprint}`;
  const calibration = await readCalibration(dir, modelId);
  return {
    dir,
    modelId,
    relationThresholds: calibration && { duplicate: calibration.thresholds.duplicate, variant: calibration.thresholds.variant },
    visionPath,
    textPath,
    image,
    tokenizerJson,
    tokenizerConfig: tokenizerConfig ?? {},
    textMaxLength,
    lowercase: typeof lower === 'boolean' ? lower : true,
    ...(logits ? { logits } : {}),
  };
}

/** The learned logit scale and bias from config.json, when the exporter recorded them (see ModelFolder.logits). */
export function logitsOf(cfg: Record<string, unknown>): SiglipLogits | undefined {
  const exp = cfg['logit_scale_exp'];
  const log = cfg['logit_scale'];
  const bias = cfg['logit_bias'];
  const scale = typeof exp === 'number' ? exp : typeof log === 'number' ? Math.exp(log) : undefined;
  if (scale === undefined || typeof bias !== 'number' || !Number.isFinite(scale) || !Number.isFinite(bias) || scale <= 0) return undefined;
  return { scale, bias };
}

const EDGE_BYTES = 1024 * 1024;

/**
 * Eight hex digits over the processing files and each ONNX file's size, head and tail. Reading only the edges keeps
 * boot fast for 400 MB exports while any retrain or requantisation (which rewrites initialisers) still changes it.
 */
async function fingerprintOf(onnxPaths: string[], jsons: unknown[]): Promise<string> {
  const hash = createHash('sha256');
  for (const j of jsons) hash.update(JSON.stringify(j));
  for (const path of onnxPaths) {
    const file = await open(path, 'r');
    try {
      const { size } = await file.stat();
      hash.update(String(size));
      const head = Buffer.alloc(Math.min(EDGE_BYTES, size));
      await file.read(head, 0, head.length, 0);
      const tail = Buffer.alloc(Math.min(EDGE_BYTES, size));
      await file.read(tail, 0, tail.length, size - tail.length);
      hash.update(head).update(tail);
    } finally {
      await file.close();
    }
  }
  return hash.digest('hex').slice(0, 8);
}
