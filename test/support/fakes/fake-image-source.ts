import { ImageInputError, InvalidInputError } from '../../../src/common/errors';
import type { ConditionalImage, ImageRef, ImageSource, ImageValidators } from '../../../src/sources/image-source';

/**
 * An ImageSource for unit tests of the services: base64 decodes as usual, URLs answer from a table (unknown URLs
 * fail as IMAGE_FETCH_FAILED), and every resolve is recorded with the validators and signal it was given. A URL
 * registered with validators behaves like a server with ETag / Last-Modified: a conditional resolve whose validators
 * match answers "not modified" and hands out no bytes.
 */
export class FakeImageSource implements ImageSource {
  readonly urls = new Map<string, { bytes: Buffer; validators: ImageValidators }>();
  readonly resolved: { ref: ImageRef; signal?: AbortSignal; known?: ImageValidators; notModified?: boolean }[] = [];

  url(url: string, bytes: string | Buffer, validators: ImageValidators = {}): this {
    this.urls.set(url, { bytes: Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes), validators });
    return this;
  }

  async resolve(ref: ImageRef, signal?: AbortSignal): Promise<Buffer> {
    this.resolved.push({ ref, signal });
    return this.bytesOf(ref, signal).bytes;
  }

  async resolveIfModified(ref: ImageRef, known: ImageValidators | undefined, signal?: AbortSignal): Promise<ConditionalImage> {
    const call: FakeImageSource['resolved'][number] = { ref, signal, known };
    this.resolved.push(call);
    const { bytes, validators } = this.bytesOf(ref, signal);
    const matches =
      known !== undefined &&
      ((known.etag !== undefined && known.etag === validators.etag) ||
        (known.etag === undefined && known.lastModified !== undefined && known.lastModified === validators.lastModified));
    call.notModified = matches;
    return matches ? { modified: false } : { modified: true, bytes, validators };
  }

  private bytesOf(ref: ImageRef, signal?: AbortSignal): { bytes: Buffer; validators: ImageValidators } {
    signal?.throwIfAborted();
    if ((ref.url == null) === (ref.base64 == null)) throw new InvalidInputError('Give exactly one of image.url or image.base64', 'image');
    if (ref.base64 != null) return { bytes: Buffer.from(ref.base64, 'base64'), validators: {} };
    const entry = this.urls.get(ref.url!);
    if (!entry) throw new ImageInputError('IMAGE_FETCH_FAILED', `FakeImageSource: no ${ref.url}`);
    return entry;
  }
}

/** An image reference whose bytes are the given string (so a FakeEmbedder can be told its vector). */
export function inlineImage(bytes: string): ImageRef {
  return { base64: Buffer.from(bytes).toString('base64') };
}
