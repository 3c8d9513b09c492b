import { Tokenizer } from '@huggingface/tokenizers';

/**
 * The only module that imports the tokenizer library. Produces the fixed-length int64 ids the text tower was
 * exported with: SigLIP pools the last position, so padding length and EOS placement change the embedding.
 */

export interface TextTokenizerOptions {
  /** Sequence length the text tower expects (config.json text_config.max_position_embeddings). */
  readonly maxLength: number;
  /** SigLIP was trained on lowercased text; tokenizer_config.json `do_lower_case` can turn this off. */
  readonly lowercase: boolean;
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The special token the post-processor template appends after the text ("$A </s>"), if any. */
function templateSuffixToken(tokenizerJson: Json): string | null {
  const post = tokenizerJson['post_processor'];
  if (!isObject(post) || post['type'] !== 'TemplateProcessing' || !Array.isArray(post['single'])) return null;
  const last: unknown = post['single'][post['single'].length - 1];
  const special = isObject(last) ? last['SpecialToken'] : undefined;
  return isObject(special) && typeof special['id'] === 'string' ? special['id'] : null;
}

export class TextTokenizer {
  private constructor(
    private readonly tokenizer: Tokenizer,
    readonly maxLength: number,
    readonly lowercase: boolean,
    readonly padId: number,
    /** Appended by the template and kept last when truncating; null when the tokenizer adds none. */
    readonly eosId: number | null,
  ) {}

  /**
   * @param tokenizerJson parsed tokenizer.json
   * @param tokenizerConfig parsed tokenizer_config.json, or {} when the folder has none
   */
  static fromJson(tokenizerJson: unknown, tokenizerConfig: unknown, opts: TextTokenizerOptions): TextTokenizer {
    if (!isObject(tokenizerJson) || !isObject(tokenizerJson['model'])) throw new Error('tokenizer.json has no model');
    if (!Number.isInteger(opts.maxLength) || opts.maxLength < 2) throw new Error(`maxLength must be >= 2 (got ${opts.maxLength})`);
    const tokenizer = new Tokenizer(tokenizerJson, isObject(tokenizerConfig) ? tokenizerConfig : {});
    const padding = tokenizerJson['padding'];
    const padFromJson = isObject(padding) && typeof padding['pad_id'] === 'number' ? padding['pad_id'] : undefined;
    const padId = padFromJson ?? tokenizer.token_to_id('<pad>');
    if (padId === undefined) throw new Error('tokenizer.json defines no padding.pad_id and no <pad> token');
    const suffix = templateSuffixToken(tokenizerJson);
    const eosId = suffix === null ? null : (tokenizer.token_to_id(suffix) ?? null);
    return new TextTokenizer(tokenizer, opts.maxLength, opts.lowercase, padId, eosId);
  }

  /** Exactly maxLength ids: text (lowercased if configured), EOS, right-padded; long text keeps EOS last. */
  encode(text: string): BigInt64Array {
    const input = this.lowercase ? text.toLowerCase() : text;
    let ids = this.tokenizer.encode(input, { add_special_tokens: true }).ids;
    if (ids.length > this.maxLength) {
      // Same result as HF truncation with a post-processor: cut the text, then re-append the special token.
      ids = this.eosId === null ? ids.slice(0, this.maxLength) : [...ids.slice(0, this.maxLength - 1), this.eosId];
    }
    const out = new BigInt64Array(this.maxLength).fill(BigInt(this.padId));
    for (let i = 0; i < ids.length; i++) out[i] = BigInt(ids[i]!);
    return out;
  }
}
