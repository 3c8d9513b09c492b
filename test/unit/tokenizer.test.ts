import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TextTokenizer } from '../../src/embedding/tokenizer';

// A 34-token Unigram tokenizer ("$A </s>" template, no normalizer) built with HF tokenizers.
// Expected ids below come from the Rust tokenizers library with padding/truncation to length 8.
const tokenizerJson = JSON.parse(readFileSync(join(__dirname, '../fixtures/tokenizer-tiny.json'), 'utf8')) as unknown;
const make = (opts: Partial<{ maxLength: number; lowercase: boolean }> = {}) =>
  TextTokenizer.fromJson(tokenizerJson, {}, { maxLength: 8, lowercase: true, ...opts });
const ids = (a: BigInt64Array) => Array.from(a, Number);

describe('TextTokenizer', () => {
  it('reads pad and EOS from the tokenizer', () => {
    const t = make();
    expect([t.padId, t.eosId, t.maxLength]).toEqual([1, 2, 8]);
  });

  it.each([
    ['a red shoe', [4, 5, 6, 2, 1, 1, 1, 1]],
    ['', [2, 1, 1, 1, 1, 1, 1, 1]],
    ['a red shoe!', [4, 5, 6, 0, 2, 1, 1, 1]],
    ['x </s> y', [3, 31, 3, 2, 3, 32, 2, 1]],
  ])('encodes %j like HF tokenizers', (text, expected) => {
    const out = make().encode(text);
    expect(out).toBeInstanceOf(BigInt64Array);
    expect(ids(out)).toEqual(expected);
  });

  it('lowercases by default and can be told not to', () => {
    expect(ids(make().encode('A Red SHOE'))).toEqual([4, 5, 6, 2, 1, 1, 1, 1]);
    // Rust tokenizers on the raw 'a Red shoe' (no normalizer): capital R is unknown.
    expect(ids(make({ lowercase: false }).encode('a Red shoe'))).toEqual([4, 3, 0, 12, 11, 6, 2, 1]);
  });

  it('truncates keeping EOS last and never doubles it', () => {
    const out = ids(make().encode('blue '.repeat(10)));
    expect(out).toEqual([7, 7, 7, 7, 7, 7, 7, 2]);
    expect(out.filter((v) => v === 2)).toHaveLength(1);
    // Exactly maxLength ids with EOS: no truncation needed, nothing changes.
    expect(ids(make().encode('blue '.repeat(7)))).toEqual([7, 7, 7, 7, 7, 7, 7, 2]);
  });

  it('always returns maxLength ids', () => {
    for (const n of [0, 1, 5, 50]) expect(make({ maxLength: 16 }).encode('blue '.repeat(n))).toHaveLength(16);
  });

  it('falls back to the <pad> token when tokenizer.json has no padding section', () => {
    expect(make().padId).toBe(1);
    const json = tokenizerJson as Record<string, unknown>;
    expect(json['padding']).toBeNull();
  });

  it('rejects unusable input', () => {
    const noModel = new Error('tokenizer.json has no model');
    expect(() => TextTokenizer.fromJson({}, {}, { maxLength: 8, lowercase: true })).toThrow(noModel);
    expect(() => TextTokenizer.fromJson(null, {}, { maxLength: 8, lowercase: true })).toThrow(noModel);
    expect(() => TextTokenizer.fromJson([], {}, { maxLength: 8, lowercase: true })).toThrow(noModel);
    expect(() => TextTokenizer.fromJson({ ...json(), model: 'unigram' }, {}, { maxLength: 8, lowercase: true })).toThrow(noModel);
    expect(() => TextTokenizer.fromJson({ ...json(), model: [] }, {}, { maxLength: 8, lowercase: true })).toThrow(noModel);
    expect(() => make({ maxLength: 1 })).toThrow(new Error('maxLength must be >= 2 (got 1)'));
    expect(() => make({ maxLength: 2.5 })).toThrow(new Error('maxLength must be >= 2 (got 2.5)'));
  });

  it('works at the shortest length: one text token, then EOS', () => {
    expect(ids(make({ maxLength: 2 }).encode('a red'))).toEqual([4, 2]);
  });

  it('accepts a tokenizer_config that is not an object', () => {
    for (const config of [null, [], 'x']) {
      expect(ids(TextTokenizer.fromJson(tokenizerJson, config, { maxLength: 8, lowercase: true }).encode('a red shoe'))).toEqual([
        4, 5, 6, 2, 1, 1, 1, 1,
      ]);
    }
  });
});

/** A fresh copy of the fixture to vary. */
const json = () => structuredClone(tokenizerJson) as Record<string, any>;
const from = (j: unknown, maxLength = 8) => TextTokenizer.fromJson(j, {}, { maxLength, lowercase: true });

describe('TextTokenizer variants of tokenizer.json', () => {
  it('takes padding.pad_id over the <pad> token', () => {
    const j = json();
    j['padding'] = { strategy: 'BatchLongest', direction: 'Right', pad_to_multiple_of: null, pad_id: 0, pad_type_id: 0, pad_token: '<unk>' };
    const t = from(j);
    expect([t.padId, ids(t.encode('a red'))]).toEqual([0, [4, 5, 2, 0, 0, 0, 0, 0]]);
  });

  it('refuses a tokenizer with neither padding.pad_id nor a <pad> token', () => {
    const j = json();
    j['model'].vocab[1][0] = '<nopad>';
    j['added_tokens'][1].content = '<nopad>';
    expect(() => from(j)).toThrow(new Error('tokenizer.json defines no padding.pad_id and no <pad> token'));
    j['padding'] = { strategy: 'BatchLongest', direction: 'Right', pad_to_multiple_of: null, pad_id: 'x', pad_type_id: 0, pad_token: '<unk>' };
    expect(() => from(j)).toThrow(new Error('tokenizer.json defines no padding.pad_id and no <pad> token'));
  });

  it('without a post-processor: no EOS, and truncation simply cuts', () => {
    const j = json();
    j['post_processor'] = null;
    const t = from(j);
    expect(t.eosId).toBeNull();
    expect(ids(t.encode('a red shoe'))).toEqual([4, 5, 6, 1, 1, 1, 1, 1]);
    expect(ids(t.encode('blue '.repeat(10)))).toEqual([7, 7, 7, 7, 7, 7, 7, 7]);
  });

  it('reads EOS only from a template whose last piece is a special token', () => {
    const notTemplate = json();
    notTemplate['post_processor'] = { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true };
    expect(from(notTemplate).eosId).toBeNull();

    // "</s> $A": the special token leads, so nothing is kept last when truncating.
    const leading = json();
    leading['post_processor'].single = [{ SpecialToken: { id: '</s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }];
    const t = from(leading);
    expect(t.eosId).toBeNull();
    expect(ids(t.encode('a red shoe'))).toEqual([2, 4, 5, 6, 1, 1, 1, 1]);
    expect(ids(t.encode('blue '.repeat(10)))).toEqual([2, 7, 7, 7, 7, 7, 7, 7]);
  });
});
