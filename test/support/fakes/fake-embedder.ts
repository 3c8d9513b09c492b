import { ImageInputError } from '../../../src/common/errors';
import type { Embedder } from '../../../src/embedding/embedder';

/**
 * An Embedder for unit tests of the services. It is not a model: each test places the vectors by hand (image bytes
 * -> vector, text -> vector), and anything it was not told about is refused, so a test cannot pass by accident.
 */
export class FakeEmbedder implements Embedder {
  readonly dims: number;
  /** Unset unless a test calibrates the fake (relations are then reported). */
  relationThresholds?: { duplicate: number; variant: number };
  readonly images = new Map<string, number[]>();
  readonly texts = new Map<string, number[]>();
  /** Every embed call that reached the "model", in order. */
  readonly embedded: { kind: 'image' | 'text'; key: string }[] = [];

  constructor(
    readonly modelId = 'fake-model@00000000',
    dims = 4,
  ) {
    this.dims = dims;
  }

  /** Registers the vector for these image bytes (given as the string the bytes encode). */
  image(bytes: string, vector: number[]): this {
    this.images.set(bytes, vector);
    return this;
  }

  text(text: string, vector: number[]): this {
    this.texts.set(text, vector);
    return this;
  }

  async embedImage(bytes: Buffer, signal?: AbortSignal): Promise<Float32Array> {
    signal?.throwIfAborted();
    const key = bytes.toString('utf8');
    const v = this.images.get(key);
    if (!v) throw new ImageInputError('IMAGE_UNDECODABLE', 'FakeEmbedder: bytes it was not given');
    this.embedded.push({ kind: 'image', key });
    return Float32Array.from(v);
  }

  async embedText(text: string, signal?: AbortSignal): Promise<Float32Array> {
    signal?.throwIfAborted();
    const v = this.texts.get(text);
    if (!v) throw new Error(`FakeEmbedder: no vector for text "${text}"`);
    this.embedded.push({ kind: 'text', key: text });
    return Float32Array.from(v);
  }
}
