/**
 * @jest-environment ./test/support/native-typed-arrays.environment.js
 */
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { AppError, ImageInputError } from '../../src/common/errors';
import { EmbeddingService } from '../../src/embedding/embedding.service';
import { MODEL_FILES } from '../../src/embedding/model-folder';
import { CORPUS_MAX_PIXELS, IMAGE_CASES } from '../corpus/images';

/** The real model folder (models/siglip-tiny, or PARITY_MODEL_DIR); missing files fail the suite. */
const MODEL_DIR = resolve(process.env['PARITY_MODEL_DIR'] ?? join(__dirname, '../../models/siglip-tiny'));
const OPTIONS = { modelDir: MODEL_DIR, intraOpThreads: 1, maxBatchSize: 4, maxWaitMs: 5, maxInputPixels: CORPUS_MAX_PIXELS };
const norm = (v: Float32Array) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));

describe('EmbeddingService on the real model', () => {
  let service: EmbeddingService;
  beforeAll(async () => {
    service = await EmbeddingService.load(OPTIONS);
  });
  afterAll(() => service?.close());

  it('reports model id and embedding width', () => {
    const config = JSON.parse(readFileSync(join(MODEL_DIR, 'config.json'), 'utf8')) as { _name_or_path?: string };
    const [name, fingerprint] = service.modelId.split('@');
    expect(name).toBe(config._name_or_path || basename(MODEL_DIR));
    expect(fingerprint).toMatch(/^[0-9a-f]{8}$/);
    expect(service.dims).toBeGreaterThan(0);
  });

  it('returns L2-normalised vectors of the model width for images and text', async () => {
    const jpeg = await IMAGE_CASES.find((c) => c.name === 'baseline JPEG')!.bytes();
    const [img, txt] = await Promise.all([service.embedImage(jpeg), service.embedText('a red shoe')]);
    for (const v of [img, txt]) {
      expect(v).toHaveLength(service.dims);
      expect(norm(v)).toBeCloseTo(1, 5);
    }
  });

  it('gives the same vector alone and inside a batch', async () => {
    const alone = await service.embedText('blue cotton t-shirt');
    const batch = await Promise.all(['x', 'blue cotton t-shirt', 'y', 'z', 'w'].map((t) => service.embedText(t)));
    alone.forEach((v, i) => expect(batch[1]![i]).toBeCloseTo(v, 5));
  });

  it.each(IMAGE_CASES.filter((c) => 'error' in c.expect).map((c) => [c.name, c] as const))(
    'surfaces %s as ImageInputError',
    async (_n, c) => {
      const err = await service.embedImage(await c.bytes()).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ImageInputError);
      expect((err as ImageInputError).code).toBe((c.expect as { error: string }).error);
    },
  );

  it('drops work whose signal fired: nothing reaches the model, the caller gets the reason', async () => {
    const jpeg = await IMAGE_CASES.find((c) => c.name === 'baseline JPEG')!.bytes();
    const before = service.stats;
    const reason = new AppError('REQUEST_CANCELLED', 'gone');
    await expect(service.embedImage(jpeg, AbortSignal.abort(reason))).rejects.toBe(reason);
    await expect(service.embedText('red shoe', AbortSignal.abort(reason))).rejects.toBe(reason);
    // Cancelled while waiting for companions in the queue (maxWaitMs is 5 ms; the abort comes first).
    const ctl = new AbortController();
    const queued = service.embedText('blue shoe', ctl.signal);
    ctl.abort(reason);
    await expect(queued).rejects.toBe(reason);
    expect(service.stats).toEqual({ ...before, texts: { ran: before.texts.ran, dropped: before.texts.dropped + 1 } });
  });

  it('a bad image in a burst does not fail the good ones', async () => {
    const good = await IMAGE_CASES.find((c) => c.name === 'WebP')!.bytes();
    const results = await Promise.allSettled([service.embedImage(good), service.embedImage(Buffer.from('nope')), service.embedImage(good)]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });
});

describe('EmbeddingService under overload', () => {
  it('rejects with OVERLOADED beyond the queue bound instead of queueing forever', async () => {
    const service = await EmbeddingService.load({ ...OPTIONS, maxBatchSize: 1, maxWaitMs: 0, maxQueue: 2 });
    try {
      const results = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => service.embedText(`text ${i}`)));
      // All twelve arrive in one tick: the first runs at once (maxWaitMs 0), two wait, the other nine are refused.
      expect(results.map((r) => r.status)).toEqual([...Array(3).fill('fulfilled'), ...Array(9).fill('rejected')]);
      for (const r of results.slice(3)) expect((r as PromiseRejectedResult).reason).toMatchObject({ name: 'AppError', code: 'OVERLOADED' });
    } finally {
      await service.close();
    }
  });
});

describe('the decode pool under overload', () => {
  it('answers OVERLOADED at once beyond its bounded line; what it admitted is embedded', async () => {
    const service = await EmbeddingService.load({ ...OPTIONS, decode: { threads: 1, maxWaiting: 2, budgetBytes: 256 * 2 ** 20 } });
    try {
      const jpeg = await IMAGE_CASES.find((c) => c.name === 'baseline JPEG')!.bytes();
      const results = await Promise.allSettled(Array.from({ length: 8 }, () => service.embedImage(jpeg)));
      const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      // One decodes, two wait; the header reads overlap, so at least 3 get through and every other one is refused.
      expect(refused.length).toBeGreaterThan(0);
      expect(refused.length).toBeLessThanOrEqual(5);
      for (const r of refused) expect(r.reason).toMatchObject({ name: 'AppError', code: 'OVERLOADED' });
      expect(service.stats.decode).toEqual({ running: 0, waiting: 0, held: 0, refused: refused.length });
      expect(service.stats.images.ran).toBe(8 - refused.length);
    } finally {
      await service.close();
    }
  });
});

describe('EmbeddingService.load failures', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'embedding-load-'));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  async function copyModel(name: string): Promise<string> {
    const dir = join(root, name);
    await mkdir(join(dir, 'onnx'), { recursive: true });
    for (const f of [MODEL_FILES.config, MODEL_FILES.preprocessor, MODEL_FILES.tokenizer, MODEL_FILES.vision, MODEL_FILES.text]) {
      await copyFile(join(MODEL_DIR, f), join(dir, f));
    }
    return dir;
  }

  async function loadError(dir: string): Promise<AppError> {
    const err = await EmbeddingService.load({ ...OPTIONS, modelDir: dir }).then(
      async (s) => {
        await s.close();
        return null;
      },
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('MODEL_LOAD_FAILED');
    return err as AppError;
  }

  it('names MODEL_DIR and the missing file', async () => {
    const dir = join(root, 'empty');
    await mkdir(dir);
    const err = await loadError(dir);
    expect(err.message).toContain(`MODEL_DIR=${dir}`);
    expect(err.message).toMatch(/missing onnx\/(vision|text)_model\.onnx/);
  });

  it('reports a corrupt ONNX file by path', async () => {
    const dir = await copyModel('corrupt');
    await writeFile(join(dir, MODEL_FILES.text), 'not a protobuf');
    expect((await loadError(dir)).message).toContain(join(dir, MODEL_FILES.text));
  });

  it('refuses towers whose embedding widths differ', async () => {
    const dir = await copyModel('mismatched');
    await copyFile(join(__dirname, '../fixtures/onnx/text-pooler-7d.onnx'), join(dir, MODEL_FILES.text));
    expect((await loadError(dir)).message).toMatch(/vision tower outputs \d+ dims but text tower 7/);
  });

  it('refuses a text tower that declares inputs it cannot be fed', async () => {
    const dir = await copyModel('swapped');
    await copyFile(join(MODEL_DIR, MODEL_FILES.vision), join(dir, MODEL_FILES.text));
    expect((await loadError(dir)).message).toMatch(/inputs we cannot provide: pixel_values/);
  });
});
