import { ImageInputError, InvalidInputError } from '../../../src/common/errors';
import type { ConditionalImage, ImageRef, ImageSource, ImageValidators } from '../../../src/sources/image-source';

/**
 * An ImageSource for unit tests of the services: base64 decodes as usual, URLs answer from a table (unknown URLs
 * fail as IMAGE_FETCH_FAILED), and every resolve is recorded with the validators and signal it was given. A URL
 * registered with validators behaves like a server with ETag / Last-Modified: a conditional resolve whose validators
 * match answers "not modified" and hands out no bytes. `slow(ms)` makes every resolve take that long, so a test can
 * read how many ran at once (`mostInFlight`): the services' concurrency bounds.
 */
export class FakeImageSource implements ImageSource {
  readonly urls = new Map<string, { bytes: Buffer; validators: ImageValidators }>();
  readonly resolved: { ref: ImageRef; signal?: AbortSignal; known?: ImageValidators; notModified?: boolean }[] = [];
  /** The most resolves in flight at once so far. */
  mostInFlight = 0;
  private inFlight = 0;
  private delayMs = 0;

  slow(delayMs: number): this {
    this.delayMs = delayMs;
    return this;
  }

  url(url: string, bytes: string | Buffer, validators: ImageValidators = {}): this {
    this.urls.set(url, { bytes: Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes), validators });
    return this;
  }

  async resolve(ref: ImageRef, signal?: AbortSignal): Promise<Buffer> {
    await this.wait();
    this.resolved.push({ ref, signal });
    return this.bytesOf(ref, signal).bytes;
  }

  async resolveIfModified(ref: ImageRef, known: ImageValidators | undefined, signal?: AbortSignal): Promise<ConditionalImage> {
    await this.wait();
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

  private async wait(): Promise<void> {
    if (this.delayMs === 0) return;
    this.mostInFlight = Math.max(this.mostInFlight, ++this.inFlight);
    await new Promise((r) => setTimeout(r, this.delayMs));
    this.inFlight--;
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
