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
    expect(() => TextTokenizer.fromJson({}, {}, { maxLength: 8, lowercase: true })).toThrow(/model/);
    expect(() => make({ maxLength: 1 })).toThrow(/maxLength/);
  });
});
