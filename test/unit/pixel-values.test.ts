import { toPixelValues } from '../../src/embedding/pixels/pixel-values';
import { parsePreprocessorConfig } from '../../src/embedding/pixels/preprocessor-config';

const SIGLIP = {
  image_processor_type: 'SiglipImageProcessor',
  size: { height: 1, width: 2 },
  resample: 3,
  do_rescale: true,
  rescale_factor: 1 / 255,
  do_normalize: true,
  image_mean: [0.5, 0.5, 0.5],
  image_std: [0.5, 0.5, 0.5],
};

// Two pixels, HWC: (0, 128, 255) and (1, 2, 254).
const IMG = { data: Uint8Array.from([0, 128, 255, 1, 2, 254]), width: 2, height: 1 };

describe('parsePreprocessorConfig', () => {
  it('reads a SiglipImageProcessor config', () => {
    expect(parsePreprocessorConfig(SIGLIP)).toEqual({
      width: 2,
      height: 1,
      resample: 'bicubic',
      rescaleFactor: 1 / 255,
      mean: [0.5, 0.5, 0.5],
      std: [0.5, 0.5, 0.5],
    });
  });

  it.each([
    [0, 'nearest'],
    [1, 'lanczos'],
    [2, 'bilinear'],
    [3, 'bicubic'],
  ])('maps PIL resample code %d to %s', (code, name) => {
    expect(parsePreprocessorConfig({ ...SIGLIP, resample: code }).resample).toBe(name);
  });

  it('honours do_rescale / do_normalize = false and scalar mean/std', () => {
    const p = parsePreprocessorConfig({ ...SIGLIP, do_rescale: false, do_normalize: false });
    expect([p.rescaleFactor, p.mean, p.std]).toEqual([null, null, null]);
    expect(parsePreprocessorConfig({ ...SIGLIP, image_mean: 0.25 }).mean).toEqual([0.25, 0.25, 0.25]);
  });

  it.each([
    ['not an object', null],
    ['missing size', { ...SIGLIP, size: undefined }],
    ['shortest_edge size', { ...SIGLIP, size: { shortest_edge: 224 } }],
    ['unknown resample', { ...SIGLIP, resample: 4 }],
    ['bad mean', { ...SIGLIP, image_mean: [0.5, 0.5] }],
    ['zero std', { ...SIGLIP, image_std: [0.5, 0, 0.5] }],
    ['do_resize false', { ...SIGLIP, do_resize: false }],
  ])('rejects %s', (_n, raw) => {
    expect(() => parsePreprocessorConfig(raw)).toThrow(/preprocessor_config/);
  });
});

describe('toPixelValues', () => {
  it('produces CHW float32 equal to transformers rescale+normalize (mean=std=0.5)', () => {
    const out = toPixelValues(IMG, parsePreprocessorConfig(SIGLIP));
    // Python: transformers.image_transforms.rescale(1/255) then normalize([.5]*3, [.5]*3), float32.
    const py = [-1.0, -0.9921568632125854, 0.003921627998352051, -0.9843137264251709, 1.0, 0.9921568632125854];
    expect(Array.from(out)).toEqual(py);
  });

  it('matches transformers with CLIP mean/std to the last float32 bit', () => {
    const p = parsePreprocessorConfig({
      ...SIGLIP,
      image_mean: [0.48145466, 0.4578275, 0.40821073],
      image_std: [0.26862954, 0.26130258, 0.27577711],
    });
    const py = [-1.7922625541687012, -1.777664065361023, 0.16889731585979462, -1.7220815420150757, 2.1458969116210938, 2.1316771507263184];
    expect(Array.from(toPixelValues(IMG, p))).toEqual(py);
  });

  it('writes into a batch buffer at an offset', () => {
    const p = parsePreprocessorConfig(SIGLIP);
    const batch = new Float32Array(12).fill(9);
    toPixelValues(IMG, p, batch, 6);
    expect(Array.from(batch.subarray(0, 6))).toEqual([9, 9, 9, 9, 9, 9]);
    expect(batch[6]).toBe(-1);
  });

  it('passes raw values through when rescale and normalize are off', () => {
    const p = parsePreprocessorConfig({ ...SIGLIP, do_rescale: false, do_normalize: false });
    expect(Array.from(toPixelValues(IMG, p))).toEqual([0, 1, 128, 2, 255, 254]);
  });

  it('refuses an image of the wrong size or a short buffer', () => {
    const p = parsePreprocessorConfig(SIGLIP);
    expect(() => toPixelValues({ ...IMG, width: 1 }, p)).toThrow(RangeError);
    expect(() => toPixelValues(IMG, p, new Float32Array(5))).toThrow(RangeError);
  });
});
