import { CATEGORIES, CATEGORY_NAMES, COLOR_NAMES, COLORS, PATTERNS, canonicalQuery, generateCatalog } from '../../tools/synth/catalog';

describe('synthetic catalog', () => {
  it('same seed gives identical records and SVG', () => {
    expect(generateCatalog(7, 200)).toEqual(generateCatalog(7, 200));
    // a prefix of a longer run is the same catalog
    expect(generateCatalog(7, 50)).toEqual(generateCatalog(7, 200).slice(0, 50));
  });

  it('different seeds give different catalogs', () => {
    const a = generateCatalog(1, 50).map((x) => x.record.title);
    const b = generateCatalog(2, 50).map((x) => x.record.title);
    expect(a).not.toEqual(b);
  });

  it('has enough categories, colours and patterns', () => {
    expect(CATEGORY_NAMES.length).toBeGreaterThanOrEqual(12);
    expect(COLOR_NAMES.length).toBeGreaterThanOrEqual(10);
    expect(PATTERNS.length).toBeGreaterThanOrEqual(5);
  });

  it('records agree with their category, colour and pattern', () => {
    const items = generateCatalog(123, 400);
    const seenCats = new Set<string>();
    for (const { record: r, svg } of items) {
      seenCats.add(r.category);
      expect(r.id).toMatch(/^p-\d{6}$/);
      expect(r.image).toBe(`images/${r.id}.jpg`);
      expect(r.currency).toBe('USD');
      expect(typeof r.price).toBe('number');
      expect(r.price).toBeGreaterThan(0);
      const title = r.title.toLowerCase();
      expect(title).toContain(r.color);
      expect(title).toContain(r.pattern);
      expect(title).toContain(CATEGORIES[r.category].label.toLowerCase());
      expect(r.description.toLowerCase()).toContain(r.color);
      expect(r.description.toLowerCase()).toContain(r.category);
      expect(r.description.toLowerCase()).toContain(r.attributes.material.toLowerCase());
      expect(r.attributes.pattern).toBe(r.pattern);
      expect(r.tags).toEqual(expect.arrayContaining([r.category, r.color, r.pattern]));
      expect(canonicalQuery(r)).toBe(`${r.color} ${r.pattern} ${r.category}`);
      // the SVG is drawn with the category's first silhouette path and a patterned fill unless solid
      expect(svg).toContain(CATEGORIES[r.category].parts[0].d);
      if (r.pattern === 'solid') expect(svg).not.toContain('<pattern');
      else expect(svg).toContain('url(#pat)');
      expect(COLORS[r.color]).toBeDefined();
    }
    expect(seenCats.size).toBe(CATEGORY_NAMES.length);
  });
});
