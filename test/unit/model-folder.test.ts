import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { AppError } from '../../src/common/errors';
import { MODEL_FILES, readModelFolder } from '../../src/embedding/model-folder';

const CONFIG = { model_type: 'siglip', text_config: { max_position_embeddings: 16 }, vision_config: { image_size: 32 } };
const PRE = { size: { height: 32, width: 32 }, resample: 2, rescale_factor: 1 / 255, image_mean: [0.5, 0.5, 0.5], image_std: [0.5, 0.5, 0.5] };
const TOKENIZER = { model: { type: 'Unigram', vocab: [['<pad>', 0]] } };

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'model-folder-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A complete folder (ONNX files are placeholders: this module only checks they exist), minus `omit`. */
async function folder(name: string, overrides: Record<string, string | null> = {}): Promise<string> {
  const dir = join(root, name);
  await mkdir(join(dir, 'onnx'), { recursive: true });
  const files: Record<string, string | null> = {
    [MODEL_FILES.config]: JSON.stringify(CONFIG),
    [MODEL_FILES.preprocessor]: JSON.stringify(PRE),
    [MODEL_FILES.tokenizer]: JSON.stringify(TOKENIZER),
    [MODEL_FILES.vision]: 'onnx',
    [MODEL_FILES.text]: 'onnx',
    ...overrides,
  };
  for (const [file, body] of Object.entries(files)) if (body !== null) await writeFile(join(dir, file), body);
  return dir;
}

async function loadError(dir: string): Promise<AppError> {
  const err = await readModelFolder(dir).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  expect((err as AppError).code).toBe('MODEL_LOAD_FAILED');
  expect((err as AppError).message).toContain(`MODEL_DIR=${dir}`);
  return err as AppError;
}

describe('readModelFolder', () => {
  it('reads a complete folder', async () => {
    const dir = await folder('complete');
    const f = await readModelFolder(dir);
    expect(f).toMatchObject({
      modelId: expect.stringMatching(/^complete@[0-9a-f]{8}$/),
      textMaxLength: 16,
      lowercase: true,
      visionPath: join(dir, 'onnx/vision_model.onnx'),
      image: { width: 32, height: 32, resample: 'bilinear' },
      tokenizerConfig: {},
    });
  });

  it('takes the model id from config _name_or_path and lowercase from tokenizer_config', async () => {
    const dir = await folder('named', {
      [MODEL_FILES.config]: JSON.stringify({ ...CONFIG, _name_or_path: 'google/siglip-base-patch16-224' }),
      [MODEL_FILES.tokenizerConfig]: JSON.stringify({ do_lower_case: false }),
    });
    expect(await readModelFolder(dir)).toMatchObject({
      modelId: expect.stringMatching(/^google\/siglip-base-patch16-224@[0-9a-f]{8}$/),
      lowercase: false,
    });
  });

  it('fingerprints the weights, so a retrain under the same name gets another model id', async () => {
    const a = await readModelFolder(await folder('same-name-a'));
    const b = await readModelFolder(await folder('same-name-a-copy'));
    expect(a.modelId.split('@')[1]).toBe(b.modelId.split('@')[1]);
    const retrained = await folder('same-name-b', { [MODEL_FILES.vision]: 'other weights' });
    expect((await readModelFolder(retrained)).modelId.split('@')[1]).not.toBe(a.modelId.split('@')[1]);
  });

  it('defaults the text length to 64', async () => {
    const dir = await folder('default-length', { [MODEL_FILES.config]: JSON.stringify({ model_type: 'siglip' }) });
    expect((await readModelFolder(dir)).textMaxLength).toBe(64);
  });

  it('names a missing directory', async () => {
    const dir = join(root, 'does-not-exist');
    expect((await loadError(dir)).message).toMatch(/not a directory/);
  });

  it.each([MODEL_FILES.vision, MODEL_FILES.text, MODEL_FILES.config, MODEL_FILES.preprocessor, MODEL_FILES.tokenizer])(
    'names the missing file %s',
    async (file) => {
      const dir = await folder(`missing-${basename(file)}`, { [file]: null });
      expect((await loadError(dir)).message).toContain(file);
    },
  );

  it.each([
    ['invalid JSON', { [MODEL_FILES.config]: '{nope' }, /config.json is not valid JSON/],
    ['another model type', { [MODEL_FILES.config]: JSON.stringify({ model_type: 'clip' }) }, /model_type 'clip'/],
    ['a bad preprocessor config', { [MODEL_FILES.preprocessor]: JSON.stringify({ size: { shortest_edge: 224 } }) }, /size.width/],
    ['a bad text length', { [MODEL_FILES.config]: JSON.stringify({ text_config: { max_position_embeddings: 'x' } }) }, /max_position_embeddings/],
  ])('refuses %s', async (_n, overrides, message) => {
    const dir = await folder(`bad-${_n.replace(/\W+/g, '-')}`, overrides);
    expect((await loadError(dir)).message).toMatch(message);
  });

  it('reads the relation calibration made for its weights, and has none without one', async () => {
    const dir = await folder('calibrated');
    const before = await readModelFolder(dir);
    expect(before.relationThresholds).toBeUndefined();
    await writeFile(join(dir, 'calibration.json'), JSON.stringify({ model: before.modelId, thresholds: { duplicate: 0.99, variant: 0.9 } }));
    const after = await readModelFolder(dir);
    expect([after.modelId, after.relationThresholds]).toEqual([before.modelId, { duplicate: 0.99, variant: 0.9 }]);
  });

  it('refuses a calibration made for other weights', async () => {
    const dir = await folder('miscalibrated', { 'calibration.json': JSON.stringify({ model: 'other@12345678', thresholds: { duplicate: 0.99, variant: 0.9 } }) });
    const err = await loadError(dir);
    expect(err.message).toMatch(/calibration.json was calibrated for other@12345678, not miscalibrated@[0-9a-f]{8} \(run npm run calibrate\)/);
  });
});
