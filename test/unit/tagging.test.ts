import { normaliseProduct, type Product } from '../../src/catalog/product';
import { parseLabelFile } from '../../src/tagging/label-sets';
import { conflictConfidence, sigmoid, Tagger } from '../../src/tagging/tagger';
import { conflictSearch, rewriteOperations } from '../../src/search/elasticsearch/tag-store';
import { fitLogistic } from '../../tools/tagging/logistic';
import type { Embedder } from '../../src/embedding/embedder';

/**
 * A text tower over a 4-d space where each word owns an axis: a prompt's vector is the normalised sum of its words'
 * axes. Image vectors are then built by hand, so every probability below is exact arithmetic.
 */
const AXES: Record<string, number> = { red: 0, blue: 1, mug: 2, lamp: 3 };
class WordEmbedder implements Embedder {
  readonly modelId = 'words@1';
  readonly dims = 4;
  readonly logits = { scale: 10, bias: -5 };
  readonly texts: string[] = [];
  async embedImage(): Promise<Float32Array> {
    throw new Error('not used');
  }
  async embedText(text: string): Promise<Float32Array> {
    this.texts.push(text);
    const v = new Float32Array(4);
    for (const w of text.split(' ')) v[AXES[w]!] += 1;
    const n = Math.hypot(...v);
    return v.map((x) => x / n);
  }
}

const FILE = {
  threshold: 0.5,
  conflictFloor: 0.3,
  sets: [
    { name: 'object', store: false, templates: ['{label}'], labels: ['mug', 'lamp'] },
    { name: 'color', attribute: 'color', templates: ['{label} {object}'], labels: ['red', { value: 'blue', aliases: ['navy'] }] },
  ],
};

const product = (color?: string): Product =>
  normaliseProduct({ id: 'p1', title: 'x', color, attributes: {}, image: { base64: '' } } as never);

describe('label files', () => {
  it('resolve templates against earlier sets and refuse later or unknown ones', () => {
    const sets = parseLabelFile(FILE);
    expect(sets.sets.map((s) => [s.name, s.dependsOn, s.store])).toEqual([
      ['object', [], false],
      ['color', ['object'], true],
    ]);
    expect(sets.sets[1]!.labels[1]!.matches).toEqual(['blue', 'navy']);
    expect(() => parseLabelFile({ sets: [{ name: 'a', templates: ['{b} {label}'], labels: ['x', 'y'] }] })).toThrow(/not an earlier set/);
    expect(() => parseLabelFile({ sets: [{ name: 'a', templates: ['plain'], labels: ['x', 'y'] }] })).toThrow(/has no \{label\}/);
    expect(() => parseLabelFile({ sets: [{ name: 'a', attribute: 'price', templates: ['{label}'], labels: ['x', 'y'] }] })).toThrow(
      /neither a keyword field/,
    );
    expect(() => parseLabelFile({ sets: [{ name: 'a', templates: ['{label}'], labels: ['x', 'x'] }] })).toThrow(/appears twice/);
  });
});

describe('Tagger', () => {
  it('embeds each prompt once and tags with sigmoid(scale * cos + bias)', async () => {
    const embedder = new WordEmbedder();
    const tagger = await Tagger.create(parseLabelFile(FILE), embedder);
    expect(embedder.texts.sort()).toEqual(['blue lamp', 'blue mug', 'lamp', 'mug', 'red lamp', 'red mug']);
    // An image exactly on "red mug": cos 1 with it, 1/2 with "blue mug".
    const image = [Math.SQRT1_2, 0, Math.SQRT1_2, 0];
    const tags = tagger.tag(image, product('navy'));
    const round = (x: number) => Math.round(x * 1e4) / 1e4;
    expect(tags.predictedAttributes).toEqual([{ name: 'color', value: 'red', confidence: round(sigmoid(10 - 5)) }]);
    expect(tags.predictedTags).toEqual(['color:red']);
    // "navy" is an alias of blue, which the image contradicts: confidence 1 - P(blue) (no calibration in the file).
    expect(tags.attributeConflicts).toEqual([{ name: 'color', stated: 'blue', predicted: 'red', confidence: round(1 - sigmoid(5 - 5)) }]);
    expect(tagger.tag(image, product('red')).attributeConflicts).toEqual([]);
    expect(tagger.tag(image, product('green')).attributeConflicts).toEqual([]);
    expect(tags.tagsVersion).toMatch(/^[0-9a-f]{12}$/);
  });

  it('versions by label file and model', async () => {
    const a = await Tagger.create(parseLabelFile(FILE), new WordEmbedder());
    const b = await Tagger.create(parseLabelFile({ ...FILE, threshold: 0.6 }), new WordEmbedder());
    const again = await Tagger.create(parseLabelFile(FILE), new WordEmbedder());
    expect(a.version).toBe(again.version);
    expect(a.version).not.toBe(b.version);
  });

  it('refuses a model without a learned logit scale and bias', async () => {
    const bare = Object.assign(new WordEmbedder(), { logits: undefined });
    await expect(Tagger.create(parseLabelFile(FILE), bare)).rejects.toMatchObject({ code: 'MODEL_LOAD_FAILED' });
  });

  it('applies a fitted conflict calibration', () => {
    const c = { margin: 2, stated: -1, best: 0.5, bias: -3 };
    expect(conflictConfidence({ conflict: c }, -4, 1)).toBeCloseTo(sigmoid(2 * 5 + 4 + 0.5 - 3), 12);
    expect(conflictConfidence({}, -4, 1)).toBeCloseTo(1 - sigmoid(-4), 12);
  });
});

describe('fitLogistic', () => {
  it('recovers the generating weights from exact class frequencies', () => {
    // For each x, y=1 with weight sigmoid(2x - 1): the maximum-likelihood fit is exactly w=2, b=-1.
    const samples = [-2, -1, 0, 1, 2, 3].flatMap((x) => [
      { x: [x], y: 1 as const, weight: sigmoid(2 * x - 1) },
      { x: [x], y: 0 as const, weight: 1 - sigmoid(2 * x - 1) },
    ]);
    const { w, b } = fitLogistic(samples, 100, 0);
    expect(w[0]).toBeCloseTo(2, 6);
    expect(b).toBeCloseTo(-1, 6);
  });
});

describe('tag queries', () => {
  it('sorts conflicts by the named set only, then id, and pages with search_after', () => {
    const body = conflictSearch({ name: 'color', minConfidence: 0.5, size: 11, after: [0.7, 'p-9'] });
    const filter = { bool: { filter: [{ term: { 'attributeConflicts.name': 'color' } }, { range: { 'attributeConflicts.confidence': { gte: 0.5 } } }] } };
    expect(body).toEqual({
      query: { nested: { path: 'attributeConflicts', query: filter } },
      sort: [{ 'attributeConflicts.confidence': { order: 'desc', mode: 'max', nested: { path: 'attributeConflicts', filter } } }, { id: 'asc' }],
      size: 11,
      track_total_hits: true,
      search_after: [0.7, 'p-9'],
    });
  });

  it('rewrites conditionally: by sequence number, or by the catalog version when there is one', () => {
    const doc = (version?: number) => ({ ...product('red'), version, images: [], contentHash: '', modelId: 'm' });
    const ops = rewriteOperations('idx', [{ doc: doc(), seqNo: 7, primaryTerm: 2 }, { doc: doc(5), seqNo: 9, primaryTerm: 2 }], () => 'SRC');
    expect(ops).toEqual([
      { index: { _index: 'idx', _id: 'p1', if_seq_no: 7, if_primary_term: 2 } },
      'SRC',
      { index: { _index: 'idx', _id: 'p1', version: 5, version_type: 'external_gte' } },
      'SRC',
    ]);
  });
});
