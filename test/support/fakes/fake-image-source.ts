import { ImageInputError, InvalidInputError } from '../../../src/common/errors';
import type { ImageRef, ImageSource } from '../../../src/sources/image-source';

/**
 * An ImageSource for unit tests of the services: base64 decodes as usual, URLs answer from a table (unknown URLs
 * fail as IMAGE_FETCH_FAILED), and every resolve is recorded with the signal it was given.
 */
export class FakeImageSource implements ImageSource {
  readonly urls = new Map<string, Buffer>();
  readonly resolved: { ref: ImageRef; signal?: AbortSignal }[] = [];

  url(url: string, bytes: string | Buffer): this {
    this.urls.set(url, Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes));
    return this;
  }

  async resolve(ref: ImageRef, signal?: AbortSignal): Promise<Buffer> {
    this.resolved.push({ ref, signal });
    signal?.throwIfAborted();
    if ((ref.url == null) === (ref.base64 == null)) throw new InvalidInputError('Give exactly one of image.url or image.base64', 'image');
    if (ref.base64 != null) return Buffer.from(ref.base64, 'base64');
    const bytes = this.urls.get(ref.url!);
    if (!bytes) throw new ImageInputError('IMAGE_FETCH_FAILED', `FakeImageSource: no ${ref.url}`);
    return bytes;
  }
}

/** An image reference whose bytes are the given string (so a FakeEmbedder can be told its vector). */
export function inlineImage(bytes: string): ImageRef {
  return { base64: Buffer.from(bytes).toString('base64') };
}
