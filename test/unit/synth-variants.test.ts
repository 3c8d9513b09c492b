import sharp from 'sharp';
import { generateCatalog } from '../../tools/synth/catalog';
import { makeNoiseTiles, renderProduct } from '../../tools/synth/render';
import { HARD_CROP_KINDS, productVariantItems, renderHardCrops } from '../../tools/synth/variants';

describe('synthetic product variants and hard crops', () => {
  const items = generateCatalog(77, 30);

  it('a variant changes exactly one thing: the colour, the pattern, or the shot', () => {
    for (const item of items) {
      const [recolor, repattern, reshot] = productVariantItems(item, 77);
      const { record: r, spec } = item;
      expect([recolor.kind, repattern.kind, reshot.kind]).toEqual(['recolor', 'repattern', 'reshot']);
      expect(recolor.item.record).toMatchObject({ category: r.category, pattern: r.pattern, brand: r.brand, id: `${r.id}-recolor` });
      expect(recolor.item.record.color).not.toBe(r.color);
      expect({ ...recolor.item.spec, fill: '', accent: '' }).toEqual({ ...spec, fill: '', accent: '' });
      expect(repattern.item.record).toMatchObject({ category: r.category, color: r.color, brand: r.brand });
      expect(repattern.item.record.pattern).not.toBe(r.pattern);
      expect(repattern.item.spec).toEqual(spec);
      expect(reshot.item.record).toMatchObject({ category: r.category, color: r.color, pattern: r.pattern });
      expect(Math.abs(reshot.item.spec.rotation - spec.rotation)).toBeGreaterThanOrEqual(3.99);
      expect(Math.abs(reshot.item.spec.rotation - spec.rotation)).toBeLessThanOrEqual(10.01);
      expect(reshot.item.spec.background).not.toBe(spec.background);
      expect(reshot.item.spec.noiseTile).not.toBe(spec.noiseTile);
    }
    expect(productVariantItems(items[0], 77)).toEqual(productVariantItems(items[0], 77));
  });

  it('hard crops are deterministic JPEGs of the expected geometry', async () => {
    const tiles = makeNoiseTiles(77);
    const source = await renderProduct(items[0], tiles);
    const a = await renderHardCrops(items[0], source, 77);
    const b = await renderHardCrops(items[0], source, 77);
    expect(a.map((c) => c.kind)).toEqual(HARD_CROP_KINDS);
    a.forEach((c, i) => expect(c.data.equals(b[i].data)).toBe(true));
    const meta = await Promise.all(a.map((c) => sharp(c.data).metadata()));
    expect(meta.map((m) => m.format)).toEqual(['jpeg', 'jpeg', 'jpeg']);
    expect([meta[0].width, meta[0].height]).toEqual([256, 256]); // crop-resized: scaled back
    expect(meta[1].width).toBeLessThanOrEqual(Math.round(256 * 0.75)); // crop-offframe: a narrow window
    expect([meta[2].width, meta[2].height]).toEqual([256, 256]); // shift: same frame
  });
});
