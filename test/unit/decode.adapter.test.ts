import sharp from 'sharp';
import { ImageInputError } from '../../src/common/errors';
import { configureImageRuntime, decodeImageToRgb, readImageHeader } from '../../src/embedding/pixels/decode.adapter';
import { CORPUS_MAX_PIXELS, IMAGE_CASES } from '../corpus/images';

describe('decodeImageToRgb on the image corpus', () => {
  it.each(IMAGE_CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const bytes = await c.bytes();
    const run = decodeImageToRgb(bytes, { maxInputPixels: CORPUS_MAX_PIXELS });
    if ('error' in c.expect) {
      const err = await run.then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ImageInputError);
      expect((err as ImageInputError).code).toBe(c.expect.error);
      return;
    }
    const img = await run;
    expect([img.width, img.height]).toEqual([c.expect.width, c.expect.height]);
    expect(img.data.length).toBe(img.width * img.height * 3);
    for (const [x, y, rgb, tol] of c.expect.pixels ?? []) {
      const at = (y * img.width + x) * 3;
      const got = Array.from(img.data.subarray(at, at + 3));
      got.forEach((v, i) => expect(Math.abs(v - rgb[i]!)).toBeLessThanOrEqual(tol));
    }
  });
});

describe('decodeImageToRgb options', () => {
  const jpeg = () => IMAGE_CASES.find((c) => c.name === 'baseline JPEG')!.bytes();

  it('refuses by the header before decoding when the pixel limit is small', async () => {
    await expect(decodeImageToRgb(await jpeg(), { maxInputPixels: 799 })).rejects.toMatchObject({ code: 'IMAGE_TOO_LARGE' });
    await expect(decodeImageToRgb(await jpeg(), { maxInputPixels: 800 })).resolves.toMatchObject({ width: 40, height: 20 });
  });

  it('decodes the same bytes given the header it already read (the decode pool reads it once, before admission)', async () => {
    for (const c of IMAGE_CASES.filter((k) => !('error' in k.expect))) {
      const bytes = await c.bytes();
      const header = await readImageHeader(bytes, CORPUS_MAX_PIXELS);
      const [plain, given] = await Promise.all([decodeImageToRgb(bytes, { maxInputPixels: CORPUS_MAX_PIXELS }), decodeImageToRgb(bytes, { maxInputPixels: CORPUS_MAX_PIXELS, header })]);
      expect([c.name, given.width, given.height, Buffer.from(given.data).equals(Buffer.from(plain.data))]).toEqual([c.name, plain.width, plain.height, true]);
    }
    // The header decides the alpha path: told "no alpha", an RGBA PNG is decoded with its alpha dropped, not composited.
    const rgba = await sharp({ create: { width: 2, height: 1, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } }).png().toBuffer();
    const told = await decodeImageToRgb(rgba, { maxInputPixels: 100, header: { width: 2, height: 1, hasAlpha: false } });
    expect([Array.from(told.data), Array.from((await decodeImageToRgb(rgba, { maxInputPixels: 100 })).data)]).toEqual([[0, 0, 0, 0, 0, 0], [255, 255, 255, 255, 255, 255]]);
  });

  it('refuses a pixel limit that sharp would read as "unlimited"', async () => {
    for (const bad of [0, -1, Infinity, Number.NaN]) {
      await expect(decodeImageToRgb(await jpeg(), { maxInputPixels: bad })).rejects.toThrow(RangeError);
    }
  });

  it('configureImageRuntime sets libvips threads and the operation cache', () => {
    configureImageRuntime({ concurrency: 1, cacheMemoryMb: 0 });
    expect(sharp.concurrency()).toBe(1);
    expect(sharp.cache()).toMatchObject({ memory: { max: 0 } });
    configureImageRuntime({ concurrency: 2, cacheMemoryMb: 50 });
    expect(sharp.concurrency()).toBe(2);
    expect(sharp.cache()).toMatchObject({ memory: { max: 50 } });
  });
});
