import sharp from 'sharp';
import { ImageInputError } from '../../common/errors';
import { compositeOverWhite } from './alpha-composite';
import type { RgbImage } from './rgb-image';

/**
 * The only module that imports sharp. Every byte it sees is untrusted client input, so it decides what is
 * decoded at all (a format allowlist checked from the header, before any pixels are decoded), how many pixels
 * a decode may allocate, and refuses damaged files instead of returning half-grey images that would still embed.
 */

/**
 * Formats a product photo plausibly arrives in. SVG/PDF are refused: they are renderers (external refs, scripts,
 * fonts), not pixels. libvips reports AVIF as 'heif'; HEIF with HEVC inside stays out (not in the prebuilt
 * libvips, and a large codec surface for little gain).
 */
const ALLOWED_FORMATS: ReadonlySet<string> = new Set(['jpeg', 'png', 'webp', 'gif', 'tiff']);

function isAllowed(meta: sharp.Metadata): boolean {
  if (meta.format === 'heif') return meta.compression === 'av1';
  return meta.format !== undefined && ALLOWED_FORMATS.has(meta.format);
}

export interface DecodeOptions {
  /** Refuse images whose width*height exceeds this before decoding them (decompression bombs). */
  readonly maxInputPixels: number;
  /**
   * What readImageHeader already said about these very bytes with this limit (the decode pool reads it before
   * admitting a task), so the header is not parsed a second time; without it, it is read here.
   */
  readonly header?: ImageHeader;
}

function sharpInput(bytes: Uint8Array, maxInputPixels: number): sharp.Sharp {
  // A view, not a copy: bytes that crossed a thread boundary arrive as a plain Uint8Array.
  const input = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return sharp(input, {
    // Never `false`: libvips would otherwise allocate whatever the header claims.
    limitInputPixels: maxInputPixels,
    // 'warning' makes truncated JPEG/PNG data an error rather than a silently grey-filled image.
    failOn: 'warning',
    // First page/frame only of GIF/TIFF/WebP animations.
    pages: 1,
    page: 0,
    // PIL (and so the Python preprocessing the model was trained and checked with) ignores embedded ICC
    // profiles; libvips would convert e.g. Display P3 phone photos to sRGB, shifting colours by up to ~20 levels.
    ignoreIcc: true,
  });
}

function isPixelLimitError(err: unknown): boolean {
  return err instanceof Error && /pixel limit/i.test(err.message);
}

export interface ImageHeader {
  readonly width: number;
  readonly height: number;
  readonly hasAlpha: boolean;
}

/**
 * What the header says, before any pixel is decoded: refuses disallowed formats and images over the pixel limit, and
 * tells the caller how large the decode will be (the decode pool budgets memory with it).
 */
export async function readImageHeader(bytes: Uint8Array, maxInputPixels: number): Promise<ImageHeader> {
  // sharp reads limitInputPixels 0 as "no limit": a misconfigured 0 must not quietly disable the guard.
  if (!(Number.isSafeInteger(maxInputPixels) && maxInputPixels > 0)) {
    throw new RangeError(`decode.adapter: maxInputPixels must be a positive integer (got ${maxInputPixels})`);
  }
  if (bytes.length === 0) throw new ImageInputError('IMAGE_UNDECODABLE', 'Image is empty (zero bytes)');
  let meta: sharp.Metadata;
  try {
    meta = await sharpInput(bytes, maxInputPixels).metadata();
  } catch (err) {
    if (isPixelLimitError(err)) throw new ImageInputError('IMAGE_TOO_LARGE', 'Image exceeds the pixel limit', { cause: err });
    throw new ImageInputError('IMAGE_UNDECODABLE', 'Bytes are not a decodable image', { cause: err });
  }
  if (!isAllowed(meta)) {
    throw new ImageInputError('IMAGE_UNDECODABLE', `Image format '${meta.format ?? 'unknown'}' is not accepted`);
  }
  const width = meta.width ?? 0;
  // For multi-page inputs `height` may be the whole strip; pageHeight is the first frame's.
  const height = meta.pageHeight ?? meta.height ?? 0;
  if (width <= 0 || height <= 0) throw new ImageInputError('IMAGE_UNDECODABLE', 'Image has no pixels');
  if (width * height > maxInputPixels) {
    throw new ImageInputError('IMAGE_TOO_LARGE', `Image is ${width}x${height}, over the ${maxInputPixels}-pixel limit`);
  }
  return { width, height, hasAlpha: meta.hasAlpha === true };
}

async function toRaw(pipeline: sharp.Sharp, channels: 3 | 4): Promise<{ data: Uint8Array; width: number; height: number }> {
  try {
    const { data, info } = await pipeline.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    if (info.channels !== channels) throw new Error(`expected ${channels} channels, got ${info.channels}`);
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
  } catch (err) {
    if (err instanceof ImageInputError) throw err;
    if (isPixelLimitError(err)) throw new ImageInputError('IMAGE_TOO_LARGE', 'Image exceeds the pixel limit', { cause: err });
    throw new ImageInputError('IMAGE_UNDECODABLE', 'Image data is damaged or unsupported', { cause: err });
  }
}

/**
 * Decode untrusted bytes to 8-bit sRGB, HWC, 3 channels: EXIF orientation applied, first frame only,
 * CMYK/16-bit/grey converted, transparency composited onto white as transformers' convert_to_rgb does.
 */
export async function decodeImageToRgb(bytes: Uint8Array, opts: DecodeOptions): Promise<RgbImage> {
  const header = opts.header ?? (await readImageHeader(bytes, opts.maxInputPixels));
  // Full-size decode only: resizing is pil-resize.ts, because libvips' kernels are not pixel-identical to PIL's.
  const base = sharpInput(bytes, opts.maxInputPixels).rotate().toColourspace('srgb');
  return header.hasAlpha
    ? toRaw(base.ensureAlpha(), 4).then((r) => ({ ...r, data: compositeOverWhite(r.data) }))
    : toRaw(base.removeAlpha(), 3);
}

/** Tune libvips for the host: threads per image and the operation cache (whose default 50 MB suits few images). */
export function configureImageRuntime(opts: { concurrency: number; cacheMemoryMb: number }): void {
  sharp.concurrency(opts.concurrency);
  sharp.cache(opts.cacheMemoryMb > 0 ? { memory: opts.cacheMemoryMb } : false);
}
